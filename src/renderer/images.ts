import sharp, { type Metadata, type SharpOptions } from 'sharp';
import { LIMITS, type CropRect, type ImageFit, type ImageFocus } from './document.js';
import type { Rgba } from './color.js';
import { looksLikeSvg, measureEmbedded, NO_EMBEDDED, type Embedded } from './embedded.js';
import { svgUnsafeReason } from './svg.js';
import { RenderError } from './types.js';

/**
 * Decoding of untrusted image bytes. Only sharp (libvips) ever parses them; canvas receives
 * sharp's raw RGBA output. The pixel limit is checked from the header before any decoding,
 * which is what refuses a decompression bomb in about a millisecond.
 */

export interface ImageParams {
  /** Output size in device pixels (layer size x scale). */
  width: number;
  height: number;
  fit: ImageFit;
  focus: ImageFocus;
  /** In source pixels (after EXIF orientation). */
  crop?: CropRect;
  grayscale: boolean;
  tint?: Rgba | null;
  /** Device pixels. */
  borderRadius: number;
}

/** Straight (not premultiplied) RGBA, `width*height*4` bytes. */
export interface RawImage {
  data: Buffer;
  width: number;
  height: number;
  /** Every pixel is opaque except the rounded corners (so its shadow is a rounded rect). */
  opaqueBox: boolean;
}

const POSITION: Record<ImageFocus, string> = {
  center: 'centre',
  top: 'top',
  bottom: 'bottom',
  left: 'left',
  right: 'right',
  top_left: 'left top',
  top_right: 'right top',
  bottom_left: 'left bottom',
  bottom_right: 'right bottom',
};

const BASE_OPTIONS: SharpOptions = {
  limitInputPixels: LIMITS.maxInputPixels,
  failOn: 'error',
  // Orientation first, so `crop` is in the coordinates the user sees (same as .rotate()).
  autoOrient: true,
  // The first frame of an animated GIF/WebP.
  pages: 1,
  page: 0,
};

const LUMA = [0.2126, 0.7152, 0.0722];

export function sharpErrorToRenderError(e: unknown, layer: string): RenderError {
  if (e instanceof RenderError) return e;
  const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
  if (/pixel limit/i.test(msg)) {
    return new RenderError('image_too_large', `image exceeds ${LIMITS.maxInputPixels} pixels`, layer);
  }
  return new RenderError('image_invalid', `image could not be decoded: ${msg}`, layer);
}

/** A source's header, read once per render before anything is decoded. */
export interface ImageProbe {
  bytes: Buffer;
  meta: Metadata;
  /** After EXIF orientation; at 72 dpi for SVG. */
  width: number;
  height: number;
  svg: boolean;
  /** What an SVG embeds (data: URIs, recursively); none for rasters. */
  embedded: Embedded;
}

/**
 * Checks the bytes and reads the header (and, for an SVG, measures what it embeds, its data:
 * payloads allowed `maxEmbeddedBytes`) without decoding anything, so the render's budgets are
 * enforced before the memory is spent.
 */
export async function probeImage(bytes: Buffer, layer: string, maxEmbeddedBytes = Infinity): Promise<ImageProbe> {
  if (!Buffer.isBuffer(bytes) || bytes.length === 0) throw new RenderError('image_invalid', 'image is empty', layer);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    throw new RenderError('image_invalid', 'compressed (gzip/SVGZ) input is not accepted', layer);
  }
  const svg = looksLikeSvg(bytes);
  let text = '';
  if (svg) {
    text = bytes.toString('utf8');
    const unsafe = svgUnsafeReason(text);
    if (unsafe) throw new RenderError('image_invalid', `SVG rejected: ${unsafe}`, layer);
  }
  try {
    const meta = await sharp(bytes, BASE_OPTIONS).metadata();
    // Anything sharp sees as SVG must have gone through the check above.
    if (meta.format === 'svg' && !svg) throw new RenderError('image_invalid', 'unrecognised SVG encoding', layer);
    const width = meta.autoOrient?.width ?? meta.width ?? 0;
    const height = meta.autoOrient?.height ?? meta.height ?? 0;
    if (width < 1 || height < 1) throw new RenderError('image_invalid', 'image has no dimensions', layer);
    if (width * height > LIMITS.maxInputPixels) {
      throw new RenderError('image_too_large', `image exceeds ${LIMITS.maxInputPixels} pixels`, layer);
    }
    const embedded = meta.format === 'svg' ? await measureEmbedded(text, layer, maxEmbeddedBytes) : NO_EMBEDDED;
    return { bytes, meta, width, height, svg: meta.format === 'svg', embedded };
  } catch (e) {
    throw sharpErrorToRenderError(e, layer);
  }
}

/** The rasterisation factor of an SVG drawn with these params (1 for rasters). */
function svgFactor(probe: ImageProbe, p: ImageParams): number {
  if (!probe.svg) return 1;
  const region = clampCrop(p.crop, probe.width, probe.height) ?? { width: probe.width, height: probe.height };
  // Vectors are rasterised at the resolution the layer needs instead of enlarging a 72 dpi bitmap.
  const wanted = Math.max(p.width / region.width, p.height / region.height, 1);
  return Math.min(wanted, 16, Math.sqrt(LIMITS.maxInputPixels / (probe.width * probe.height)));
}

/**
 * Pixels this use of the source makes the decoder hold: the source at its full size (a raster;
 * an SVG at the density it is rasterised at), plus what an SVG embeds (rasters at their size,
 * embedded SVG surfaces scaled with the outer density).
 */
export function decodedPixels(probe: ImageProbe, p: ImageParams): number {
  const f = svgFactor(probe, p);
  const own = probe.svg ? Math.floor(probe.width * f) * Math.floor(probe.height * f) : probe.width * probe.height;
  return own + probe.embedded.rasterPixels + probe.embedded.svgPixels * f * f;
}

export async function prepareImage(probe: ImageProbe, p: ImageParams, layer: string): Promise<RawImage> {
  const { bytes, meta } = probe;
  try {
    const srcW = probe.width;
    const srcH = probe.height;
    let crop = clampCrop(p.crop, srcW, srcH);
    let region = crop ?? { left: 0, top: 0, width: srcW, height: srcH };
    const options: SharpOptions = { ...BASE_OPTIONS };
    if (probe.svg) {
      const f = svgFactor(probe, p);
      options.density = 72 * f;
      if (crop) crop = clampCrop(scaleCrop(crop, f), Math.floor(srcW * f), Math.floor(srcH * f));
      region = crop ?? { left: 0, top: 0, width: Math.floor(srcW * f), height: Math.floor(srcH * f) };
    }

    // autoOrient costs ~2 ms even without an EXIF orientation; only pay it when there is one.
    if ((meta.orientation ?? 1) <= 1) options.autoOrient = false;
    let img = sharp(bytes, options);
    if (crop) img = img.extract(crop);
    const sx = p.width / region.width;
    const sy = p.height / region.height;
    const upscaling = (p.fit === 'contain' ? Math.min(sx, sy) : Math.max(sx, sy)) > 1;
    img = img.resize(p.width, p.height, {
      fit: p.fit === 'fill' ? 'fill' : p.fit === 'contain' ? 'contain' : 'cover',
      position: POSITION[p.focus] ?? 'centre',
      background: { r: 0, g: 0, b: 0, alpha: 0 },
      // Enlarging with lanczos3 measured 15 ms for a 600x400 photo on a 440x510 layer and
      // bilinear 8 ms; an enlarged image has no detail for lanczos to keep anyway.
      kernel: upscaling ? 'linear' : 'lanczos3',
    });
    const matrix = colourMatrix(p.grayscale, p.tint);
    if (matrix) img = img.recomb(matrix);
    const { data, info } = await img
      .toColourspace('srgb')
      .ensureAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 4 || info.width !== p.width || info.height !== p.height) {
      throw new RenderError('image_invalid', 'unexpected decoder output', layer);
    }
    if (p.borderRadius > 0) roundCorners(data, info.width, info.height, p.borderRadius);
    const opaqueBox = !meta.hasAlpha && p.fit !== 'contain';
    return { data, width: info.width, height: info.height, opaqueBox };
  } catch (e) {
    throw sharpErrorToRenderError(e, layer);
  }
}

interface Region {
  left: number;
  top: number;
  width: number;
  height: number;
}

function clampCrop(c: CropRect | Region | undefined, w: number, h: number): Region | undefined {
  if (!c || typeof c !== 'object') return undefined;
  const r = c as unknown as Record<string, unknown>;
  const x = Number(r.left ?? r.x);
  const y = Number(r.top ?? r.y);
  const cw = Number(r.width);
  const ch = Number(r.height);
  if (![x, y, cw, ch].every(Number.isFinite)) return undefined;
  const left = Math.max(0, Math.min(w - 1, Math.floor(x)));
  const top = Math.max(0, Math.min(h - 1, Math.floor(y)));
  const right = Math.max(left, Math.min(w, Math.round(x + cw)));
  const bottom = Math.max(top, Math.min(h, Math.round(y + ch)));
  if (right - left < 1 || bottom - top < 1) return undefined;
  return { left, top, width: right - left, height: bottom - top };
}

function scaleCrop(c: Region, f: number): Region {
  return { left: c.left * f, top: c.top * f, width: c.width * f, height: c.height * f };
}

/**
 * Grayscale (Rec. 709 luma) and/or a multiply tint toward the tint colour, whose alpha is the
 * strength (1 = full multiply), folded into one 3x3 matrix so sharp applies a single recomb.
 */
type Matrix3 = [[number, number, number], [number, number, number], [number, number, number]];

function colourMatrix(grayscale: boolean, tint: Rgba | null | undefined): Matrix3 | null {
  if (!grayscale && !tint) return null;
  const base = grayscale
    ? [LUMA, LUMA, LUMA]
    : [
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
      ];
  const m = tint ? [tint.r, tint.g, tint.b].map((c) => 1 - tint.a + (tint.a * c) / 255) : [1, 1, 1];
  return base.map((row, i) => row.map((v) => v * m[i])) as Matrix3;
}

/** Anti-aliased rounded corners on straight RGBA, touching only the four r x r squares. */
function roundCorners(data: Buffer, w: number, h: number, radius: number): void {
  const r = Math.min(radius, w / 2, h / 2);
  const n = Math.ceil(r);
  for (let dy = 0; dy < n; dy++) {
    for (let dx = 0; dx < n; dx++) {
      const d = Math.hypot(r - (dx + 0.5), r - (dy + 0.5));
      if (dx + 0.5 >= r || dy + 0.5 >= r || d <= r - 0.5) continue;
      const cover = Math.max(0, Math.min(1, r - d + 0.5));
      for (const [x, y] of [
        [dx, dy],
        [w - 1 - dx, dy],
        [dx, h - 1 - dy],
        [w - 1 - dx, h - 1 - dy],
      ]) {
        const i = (y * w + x) * 4 + 3;
        data[i] = Math.round(data[i] * cover);
      }
    }
  }
}
