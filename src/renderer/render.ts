import { availableParallelism } from 'node:os';
import sharp from 'sharp';
import { Canvas, createCanvas } from '@napi-rs/canvas';
import { LIMITS, type Layer, type Modification, type TemplateDocument } from './document.js';
import { parseColor } from './color.js';
import { encode, MAX_SIDE, type CanvasPixels } from './encode.js';
import { ensureFonts, FontScope } from './fonts.js';
import { checkDocumentBudget, RenderBudget } from './budget.js';
import { decodedPixels, prepareImage, probeImage, type ImageParams, type ImageProbe, type RawImage } from './images.js';
import { imageRef, modifyDocument, type RenderDocument } from './merge.js';
import { prepareText, type PreparedText } from './text.js';
import {
  OUTPUT_FORMATS,
  RenderError,
  type RenderOptions,
  type RenderResult,
  type ResolvedAssets,
  type TextReport,
} from './types.js';
import { isRecord, num, oneOf } from './util.js';
import { drawWatermark } from './watermark.js';
import { drawBackground, drawLayer, geometry } from './draw.js';
import { isAnimated, maxScale } from './keyframes.js';
import { buildAnimation, MAX_SPRITE_SCALE, type AnimationInput } from './animation.js';

// sharp picks one libvips thread on glibc (to limit heap fragmentation); a render decodes and
// encodes in sharp on its critical path, and measured 15-25% faster per card with one thread
// per core (npm run bench). Set once per process; every thread shares it.
if (sharp.concurrency() < availableParallelism()) sharp.concurrency(availableParallelism());

interface Normalised {
  format: RenderOptions['format'];
  quality?: number;
  scale: number;
  watermark: boolean;
  thumbnailWidth: number;
  maxDecodedPixels: number;
  maxDecodedBytes: number;
}

function normaliseOptions(o: RenderOptions): Normalised {
  if (!isRecord(o) || !OUTPUT_FORMATS.includes(o.format)) {
    throw new RenderError('invalid_options', `format must be one of ${OUTPUT_FORMATS.join(', ')}`);
  }
  return {
    format: o.format,
    quality: o.quality === undefined ? undefined : Math.round(num(o.quality, 85, 1, 100)),
    scale: num(o.scale, 1, 1, 3),
    watermark: o.watermark === true,
    thumbnailWidth: Math.round(num(o.thumbnailWidth, LIMITS.thumbnailWidth, 1, LIMITS.maxCanvasSide)),
    maxDecodedPixels: num(o.maxDecodedPixels, LIMITS.maxRenderPixels, 0),
    maxDecodedBytes: num(o.maxDecodedBytes, LIMITS.maxRenderBytes, 0),
  };
}

/** One image the render decodes: a source drawn by a layer (or the background, index -1). */
interface ImageUse {
  ref: string;
  bytes: Buffer;
  layer: string;
  index: number;
  params: ImageParams;
}


/**
 * Renders a template with modifications applied. Pure: every byte comes from `assets`, the
 * output depends only on the arguments (and the installed fonts). Throws RenderError.
 */
export function renderImage(
  doc: TemplateDocument,
  modifications: Modification[],
  assets: ResolvedAssets,
  options: RenderOptions,
): Promise<RenderResult> {
  return renderDocument(modifyDocument(doc, modifications), assets, options);
}

/** Draws a document whose modifications modifyDocument already applied (the worker's path). */
export async function renderDocument(doc: RenderDocument, assets: ResolvedAssets, options: RenderOptions): Promise<RenderResult> {
  const p = await prepareDocument(doc, assets, options);
  try {
    const { opts, width, height, outW, outH, s } = p;
    // A keyframed document is drawn as its frame at `time` (default 0), exactly as a video draws it.
    const animated = p.layers.some(isAnimated);
    let canvas: Canvas;
    let opaque: boolean;
    if (animated) {
      const movie = buildAnimation({ ...p, watermark: opts.watermark }, false);
      canvas = movie.canvas;
      opaque = movie.opaque;
      movie.draw(num(options?.time, 0, 0, LIMITS.keyframeTimeMax));
    } else {
      // From here to the end of the thumbnail everything is synchronous, so a cached canvas can
      // never be shared by two renders of this thread.
      canvas = acquireCanvas(outW, outH);
      const ctx = canvas.getContext('2d');
      ctx.reset();
      ctx.imageSmoothingEnabled = true;
      ctx.imageSmoothingQuality = 'low';
      ctx.scale(s, s);
      opaque = drawBackground(ctx, p.background, width, height, p.bgImage);
      p.layers.forEach((layer, i) => drawLayer(ctx, canvas, layer, s, p.texts.get(layer), p.layerImages[i] ?? null));
      if (opts.watermark) drawWatermark(ctx, width, height);
    }
    const report: TextReport[] = [];
    for (const l of p.layers) {
      const prepared = p.texts.get(l);
      if (prepared) report.push(prepared.report);
    }

    // The main encode starts first (libuv thread); the thumbnail is drawn meanwhile.
    const pixels = { data: canvas.data(), width: outW, height: outH };
    const main = encode(pixels, opaque, opts);
    main.catch(() => undefined);
    const thumbPixels = thumbnailOf(canvas, pixels, opts.thumbnailWidth);
    const [buffer, thumbnail] = await Promise.all([main, encode(thumbPixels, opaque, opts)]);
    return {
      buffer,
      thumbnail,
      report: {
        width: outW,
        height: outH,
        format: opts.format,
        bytes: buffer.length,
        thumbnail: { width: thumbPixels.width, height: thumbPixels.height, format: opts.format, bytes: thumbnail.length },
        text: report,
      },
    };
  } finally {
    p.fontScope.release();
  }
}

/** Everything a document needs before its first pixel: sources checked and decoded, text laid out. */
interface PreparedDocument extends Omit<AnimationInput, 'watermark'> {
  opts: Normalised;
  /** Released by the caller once the last glyph is drawn. */
  fontScope: FontScope;
}

async function prepareDocument(doc: RenderDocument, assets: ResolvedAssets, options: RenderOptions): Promise<PreparedDocument> {
  ensureFonts();
  const opts = normaliseOptions(options);
  const width = Math.round(num(doc?.width, 0, 0, LIMITS.maxCanvasSide));
  const height = Math.round(num(doc?.height, 0, 0, LIMITS.maxCanvasSide));
  if (width < 1 || height < 1) throw new RenderError('invalid_options', 'template width and height must be at least 1');
  const outW = Math.max(1, Math.round(width * opts.scale));
  const outH = Math.max(1, Math.round(height * opts.scale));
  if (outW * outH > LIMITS.maxCanvasPixels || Math.max(outW, outH) > MAX_SIDE[opts.format]) {
    throw new RenderError(
      'canvas_too_large',
      `${outW}x${outH} exceeds the output limit (${LIMITS.maxCanvasPixels} pixels, ${MAX_SIDE[opts.format]} px per side for ${opts.format})`,
    );
  }
  const images = assets?.images instanceof Map ? assets.images : new Map<string, Buffer>();
  const fonts = assets?.fonts instanceof Map ? assets.fonts : new Map<string, Buffer>();
  const families = assets?.families instanceof Map ? assets.families : new Map<string, string>();
  const namespace = typeof options?.fontNamespace === 'string' ? options.fontNamespace : '';
  // Total on any input, like modifyDocument: a document may arrive through a thread boundary.
  const layers = Array.isArray(doc.layers) ? doc.layers.filter((l) => isRecord(l)) : [];
  const background = isRecord(doc.background) ? doc.background : {};

  checkDocumentBudget(layers);

  // Every source must be present before any decoding starts, so the error is deterministic.
  const need = (ref: string | null, layer: string): Buffer | null => {
    if (!ref) return null;
    const bytes = images.get(ref);
    if (!bytes) throw new RenderError('image_unavailable', `image ${ref} is not available`, layer);
    return bytes;
  };
  const s = opts.scale;
  const uses: ImageUse[] = [];
  const bgRef = imageRef(background);
  const bgBytes = need(bgRef, 'background');
  if (bgRef && bgBytes) {
    uses.push({
      ref: bgRef,
      bytes: bgBytes,
      layer: 'background',
      index: -1,
      params: { width: outW, height: outH, fit: 'cover', focus: 'center', grayscale: false, borderRadius: 0 },
    });
  }
  layers.forEach((l, i) => {
    if (l.type !== 'image') return;
    const g = geometry(l);
    if (g.width <= 0 || g.height <= 0) return;
    const ref = imageRef(l);
    const bytes = need(ref, l.name);
    if (!ref || !bytes) return;
    // A layer that grows in a video is decoded at the largest size it reaches.
    const grow = isAnimated(l) ? Math.min(maxScale(l), MAX_SPRITE_SCALE) : 1;
    uses.push({
      ref,
      bytes,
      layer: l.name,
      index: i,
      params: {
        width: Math.max(1, Math.round(g.width * s * grow)),
        height: Math.max(1, Math.round(g.height * s * grow)),
        fit: oneOf(l.fit, ['cover', 'contain', 'fill'] as const, 'cover'),
        focus: oneOf(
          l.focus,
          ['center', 'top', 'bottom', 'left', 'right', 'top_left', 'top_right', 'bottom_left', 'bottom_right'] as const,
          'center',
        ),
        crop: isRecord(l.crop) ? l.crop : undefined,
        grayscale: l.grayscale === true,
        tint: parseColor(l.tint_color),
        borderRadius: num(l.border_radius, 0, 0, 100000) * s * grow,
      },
    });
  });

  // Bytes first (each source once, fonts too), then headers, then pixels: each budget is
  // enforced before the next, more expensive step runs.
  const budget = new RenderBudget(opts.maxDecodedPixels, opts.maxDecodedBytes);
  const firstUse = new Map<string, ImageUse>();
  for (const u of uses) if (!firstUse.has(u.ref)) firstUse.set(u.ref, u);
  for (const u of firstUse.values()) budget.addBytes(u.bytes.length, u.layer);
  // Every font handed in (by font_asset_id or a resolved font_family), against the first text
  // layer that names it by id, else the first text layer.
  const textLayers = layers.filter((l) => l.type === 'text');
  for (const [id, font] of fonts) {
    const by = textLayers.find((l) => l.font_asset_id === id) ?? textLayers[0];
    budget.addBytes(font.length, by ? by.name : 'template');
  }
  // Settled in order, so which failure is reported does not depend on which header came first.
  const sources = [...firstUse.values()];
  // Each SVG may embed what is left of the byte budget; the sum over sources is checked after.
  const settled = await Promise.allSettled(sources.map((u) => probeImage(u.bytes, u.layer, budget.bytesLeft)));
  const probes = new Map<string, ImageProbe>();
  settled.forEach((r, i) => {
    if (r.status === 'rejected') throw r.reason;
    probes.set(sources[i].ref, r.value);
  });
  for (const [ref, u] of firstUse) budget.addBytes(probes.get(ref)!.embedded.bytes, u.layer);
  for (const u of uses) budget.addPixels(decodedPixels(probes.get(u.ref)!, u.params), u.layer);

  // Decoding runs on libuv threads while text is laid out here on the JS thread.
  const decoding = Promise.all(uses.map((u) => prepareImage(probes.get(u.ref)!, u.params, u.layer)));
  // If text preparation throws, the decode rejection must not surface as unhandled.
  decoding.catch(() => undefined);
  // The fonts stay registered (not evicted) until the last glyph of this render is drawn.
  const fontScope = new FontScope(namespace, fonts, families);
  try {
    const texts = new Map<Layer, PreparedText>();
    for (const l of layers) if (l.type === 'text') texts.set(l, prepareText(l, fontScope));
    const decoded = await decoding;
    let bgImage: RawImage | null = null;
    const layerImages: (RawImage | null)[] = layers.map(() => null);
    uses.forEach((u, i) => {
      if (u.index < 0) bgImage = decoded[i];
      else layerImages[u.index] = decoded[i];
    });
    return { opts, width, height, outW, outH, s, layers, background, texts, layerImages, bgImage, fontScope };
  } catch (e) {
    fontScope.release();
    throw e;
  }
}

const canvasCache = new Map<string, Canvas>();

/**
 * Reuses this thread's canvas of the same size: a fresh 1200x630 surface costs about 1.5 ms
 * of first-touch page faults on top of the drawing. Bounded: canvases up to 4.2 MP (an OG
 * card at scale 3 is not kept), at most 3 sizes, so at most ~50 MB per thread.
 */
function acquireCanvas(width: number, height: number): Canvas {
  if (width * height > 4_200_000) return createCanvas(width, height);
  const key = `${width}x${height}`;
  let c = canvasCache.get(key);
  if (c) {
    canvasCache.delete(key);
  } else {
    c = createCanvas(width, height);
    if (canvasCache.size >= 3) canvasCache.delete(canvasCache.keys().next().value!);
  }
  canvasCache.set(key, c);
  return c;
}

/**
 * Downscaled by Skia from the finished canvas: about 1 ms, where resizing the raw pixels in
 * sharp measured 8-12 ms. Never enlarged beyond the image's own width.
 */
function thumbnailOf(canvas: Canvas, pixels: CanvasPixels, maxWidth: number): CanvasPixels {
  const width = Math.min(maxWidth, canvas.width);
  if (width === canvas.width) return pixels;
  const height = Math.max(1, Math.round((canvas.height * width) / canvas.width));
  const thumb = acquireCanvas(width, height);
  const ctx = thumb.getContext('2d');
  ctx.reset();
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(canvas, 0, 0, width, height);
  return { data: thumb.data(), width, height };
}

/** A document ready to be drawn frame by frame (a video): sources decoded, text laid out, layers split into static and moving. */
export interface VideoFrames {
  /** Output pixels. */
  readonly width: number;
  readonly height: number;
  /** Layers drawn per frame (the others were drawn once). */
  readonly movingLayers: number;
  /**
   * The frame at `t` seconds as raw RGBA, width*height*4 bytes, opaque (a translucent background
   * is flattened onto white). The buffer is valid until the next call.
   */
  frame(t: number): Buffer;
  /** The frame at `t` as a JPEG of the video's size (the poster / thumbnail). */
  poster(t: number, quality?: number): Promise<Buffer>;
}

/**
 * Prepares a video's frames. Every glyph is drawn while preparing (onto the static runs and the
 * sprites), so the document's fonts are released before this returns.
 */
export async function prepareVideo(doc: RenderDocument, assets: ResolvedAssets, options: Omit<RenderOptions, 'format'>): Promise<VideoFrames> {
  const p = await prepareDocument(doc, assets, { ...options, format: 'png' });
  let movie: ReturnType<typeof buildAnimation>;
  try {
    movie = buildAnimation({ ...p, watermark: p.opts.watermark }, true);
  } finally {
    p.fontScope.release();
  }
  const { outW: width, outH: height } = p;
  return {
    width,
    height,
    movingLayers: movie.moving,
    frame(t: number): Buffer {
      movie.draw(t);
      return movie.canvas.data();
    },
    poster(t: number, quality = 85): Promise<Buffer> {
      movie.draw(t);
      return encode({ data: movie.canvas.data(), width, height }, true, { format: 'jpeg', quality });
    },
  };
}
