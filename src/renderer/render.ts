import { availableParallelism } from 'node:os';
import sharp from 'sharp';
import { Canvas, createCanvas, ImageData, type SKRSContext2D } from '@napi-rs/canvas';
import {
  LIMITS,
  type ImageLayer,
  type Layer,
  type Modification,
  type ShapeLayer,
  type TemplateDocument,
  type TextLayer,
} from './document.js';
import { parseColor, toCss } from './color.js';
import { encode, MAX_SIDE, type CanvasPixels } from './encode.js';
import { ensureFonts, FontScope } from './fonts.js';
import { checkDocumentBudget, RenderBudget } from './budget.js';
import { decodedPixels, prepareImage, probeImage, type ImageParams, type ImageProbe, type RawImage } from './images.js';
import { imageRef, modifyDocument, type RenderDocument } from './merge.js';
import { applyShadow, clearShadow, setGradientFill, shadowMargin, type Box } from './paint.js';
import { drawText, prepareText, type PreparedText } from './text.js';
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

interface Geometry extends Box {
  rotation: number;
  opacity: number;
}

function geometry(layer: Layer): Geometry {
  return {
    x: num(layer.x, 0, -100000, 100000),
    y: num(layer.y, 0, -100000, 100000),
    width: num(layer.width, 0, -100000, 100000),
    height: num(layer.height, 0, -100000, 100000),
    rotation: num(layer.rotation, 0, -36000, 36000),
    opacity: num(layer.opacity, 1, 0, 1),
  };
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
    uses.push({
      ref,
      bytes,
      layer: l.name,
      index: i,
      params: {
        width: Math.max(1, Math.round(g.width * s)),
        height: Math.max(1, Math.round(g.height * s)),
        fit: oneOf(l.fit, ['cover', 'contain', 'fill'] as const, 'cover'),
        focus: oneOf(
          l.focus,
          ['center', 'top', 'bottom', 'left', 'right', 'top_left', 'top_right', 'bottom_left', 'bottom_right'] as const,
          'center',
        ),
        crop: isRecord(l.crop) ? l.crop : undefined,
        grayscale: l.grayscale === true,
        tint: parseColor(l.tint_color),
        borderRadius: num(l.border_radius, 0, 0, 100000) * s,
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

    // From here to the end of the thumbnail everything is synchronous, so a cached canvas can
    // never be shared by two renders of this thread.
    const canvas = acquireCanvas(outW, outH);
    const ctx = canvas.getContext('2d');
    ctx.reset();
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'low';
    ctx.scale(s, s);
    const opaque = drawBackground(ctx, background, width, height, bgImage);

    const report: TextReport[] = [];
    layers.forEach((layer, i) => {
      const prepared = texts.get(layer);
      if (prepared) report.push(prepared.report);
      drawLayer(ctx, canvas, layer, s, prepared, layerImages[i] ?? null);
    });
    if (opts.watermark) drawWatermark(ctx, width, height);

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
    fontScope.release();
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

/** Returns whether the canvas is fully opaque afterwards (then no pixel can become translucent). */
function drawBackground(
  ctx: SKRSContext2D,
  bg: Record<string, unknown>,
  width: number,
  height: number,
  image: RawImage | null,
): boolean {
  // Default and unparsable colours are white; transparency has to be asked for (#RRGGBB00).
  const color = parseColor(bg.color) ?? { r: 255, g: 255, b: 255, a: 1 };
  if (color.a > 0) {
    ctx.fillStyle = toCss(color);
    ctx.fillRect(0, 0, width, height);
  }
  if (bg.gradient !== undefined) {
    ctx.save();
    ctx.beginPath();
    ctx.rect(0, 0, width, height);
    if (setGradientFill(ctx, bg.gradient as never, { x: 0, y: 0, width, height })) ctx.fill();
    ctx.restore();
  }
  if (image) ctx.drawImage(toCanvas(image), 0, 0, width, height);
  return color.a === 1;
}

/**
 * Raw RGBA to something drawImage takes. putImageData onto a scratch canvas measured about
 * 2x faster than encoding a PNG for `new Image()` (1.4 ms vs 2.8 ms for 500x400).
 */
function toCanvas(img: RawImage): Canvas {
  const c = createCanvas(img.width, img.height);
  const data = new Uint8ClampedArray(img.data.buffer, img.data.byteOffset, img.data.length);
  c.getContext('2d').putImageData(new ImageData(data, img.width, img.height), 0, 0);
  return c;
}

function drawLayer(
  main: SKRSContext2D,
  canvas: Canvas,
  layer: Layer,
  scale: number,
  text: PreparedText | undefined,
  image: RawImage | null,
): void {
  const g = geometry(layer);
  if (g.opacity <= 0) return;
  const isLine = layer.type === 'shape' && layer.shape === 'line';
  if (!isLine && (g.width <= 0 || g.height <= 0)) return;
  if (layer.type === 'image' && !image) return;

  const paint = (ctx: SKRSContext2D) => {
    ctx.save();
    if (g.rotation !== 0) {
      const cx = g.x + g.width / 2;
      const cy = g.y + g.height / 2;
      ctx.translate(cx, cy);
      ctx.rotate((g.rotation * Math.PI) / 180);
      ctx.translate(-cx, -cy);
    }
    if (layer.type === 'text' && text) drawText(ctx, text, layer as TextLayer, g, scale, g.rotation);
    else if (layer.type === 'image' && image) drawImageLayer(ctx, layer, image, g, scale);
    else if (layer.type === 'shape') drawShape(ctx, layer, g, scale);
    ctx.restore();
  };

  if (g.opacity >= 1) return paint(main);
  if (!needsIsolation(layer, text)) {
    main.save();
    main.globalAlpha = g.opacity;
    paint(main);
    main.restore();
    return;
  }
  // Several overlapping paints (fill + stroke, text + shadow, ...) must fade as one, as CSS
  // opacity does: draw them opaque on a layer-sized canvas and composite that once.
  const bounds = deviceBounds(layer, g, scale, canvas.width, canvas.height);
  if (!bounds) return;
  const off = createCanvas(bounds.width, bounds.height);
  const octx = off.getContext('2d');
  octx.setTransform(scale, 0, 0, scale, -bounds.x, -bounds.y);
  paint(octx);
  main.save();
  main.setTransform(1, 0, 0, 1, 0, 0);
  main.globalAlpha = g.opacity;
  main.drawImage(off, bounds.x, bounds.y);
  main.restore();
}

function needsIsolation(layer: Layer, text: PreparedText | undefined): boolean {
  if (isRecord((layer as unknown as Record<string, unknown>).shadow)) return true;
  if (layer.type === 'text') return !!text && (text.background !== null || text.stroke !== null);
  if (layer.type !== 'shape') return false;
  const hasFill = parseColor(layer.fill_color) !== null || isRecord(layer.fill_gradient);
  return hasFill && parseColor(layer.stroke_color) !== null && num(layer.stroke_width, 0) > 0;
}

/** The layer's rotated box plus shadow/stroke margins, in device pixels, clamped to the canvas. */
function deviceBounds(layer: Layer, g: Geometry, scale: number, cw: number, ch: number): Box | null {
  const cx = g.x + g.width / 2;
  const cy = g.y + g.height / 2;
  const r = (g.rotation * Math.PI) / 180;
  const cos = Math.cos(r);
  const sin = Math.sin(r);
  const rec = layer as unknown as Record<string, unknown>;
  const stroke = isRecord(rec.stroke) ? num(rec.stroke.width, 0, 0, 1000) * 2 : num(rec.stroke_width, 0, 0, 1000);
  const margin = shadowMargin(rec.shadow as never) + stroke + 2;
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const [px, py] of [
    [g.x, g.y],
    [g.x + g.width, g.y],
    [g.x, g.y + g.height],
    [g.x + g.width, g.y + g.height],
  ]) {
    const dx = px - cx;
    const dy = py - cy;
    const x = cx + dx * cos - dy * sin;
    const y = cy + dx * sin + dy * cos;
    minX = Math.min(minX, x);
    maxX = Math.max(maxX, x);
    minY = Math.min(minY, y);
    maxY = Math.max(maxY, y);
  }
  const x0 = Math.max(0, Math.floor((minX - margin) * scale));
  const y0 = Math.max(0, Math.floor((minY - margin) * scale));
  const x1 = Math.min(cw, Math.ceil((maxX + margin) * scale));
  const y1 = Math.min(ch, Math.ceil((maxY + margin) * scale));
  return x1 > x0 && y1 > y0 ? { x: x0, y: y0, width: x1 - x0, height: y1 - y0 } : null;
}

function drawImageLayer(ctx: SKRSContext2D, layer: ImageLayer, image: RawImage, g: Geometry, scale: number): void {
  if (isRecord(layer.shadow) && image.opaqueBox) {
    // Skia blurs an image's whole alpha mask for its shadow (16 ms for a 440x510 photo); the
    // same shadow from the rounded-rect path is analytic (about 1.5 ms). The path is drawn far
    // outside the canvas and only its shadow, offset back, lands under the image.
    const m = ctx.getTransform();
    const far = 4 * (Math.abs(g.x) + Math.abs(g.y) + g.width + g.height + 10000);
    if (applyShadow(ctx, layer.shadow, scale, g.rotation)) {
      ctx.shadowOffsetX -= m.a * far;
      ctx.shadowOffsetY -= m.b * far;
      ctx.beginPath();
      const r = Math.min(num(layer.border_radius, 0, 0), g.width / 2, g.height / 2);
      if (r > 0) ctx.roundRect(g.x + far, g.y, g.width, g.height, r);
      else ctx.rect(g.x + far, g.y, g.width, g.height);
      ctx.fillStyle = '#000';
      ctx.fill();
      clearShadow(ctx);
    }
    ctx.drawImage(toCanvas(image), g.x, g.y, g.width, g.height);
    return;
  }
  const shadowed = applyShadow(ctx, layer.shadow, scale, g.rotation);
  ctx.drawImage(toCanvas(image), g.x, g.y, g.width, g.height);
  if (shadowed) clearShadow(ctx);
}

function drawShape(ctx: SKRSContext2D, layer: ShapeLayer, g: Geometry, scale: number): void {
  const strokeColor = parseColor(layer.stroke_color);
  const strokeWidth = num(layer.stroke_width, layer.shape === 'line' ? 1 : 0, 0, 10000);
  const fillColor = parseColor(layer.fill_color);
  const kind = oneOf(layer.shape, ['rect', 'ellipse', 'line'] as const, 'rect');

  if (kind === 'line') {
    const color = strokeColor ?? fillColor;
    if (!color || strokeWidth <= 0) return;
    ctx.beginPath();
    ctx.moveTo(g.x, g.y);
    ctx.lineTo(g.x + g.width, g.y + g.height);
    ctx.lineWidth = strokeWidth;
    ctx.lineCap = 'butt';
    ctx.strokeStyle = toCss(color);
    const shadowed = applyShadow(ctx, layer.shadow, scale, g.rotation);
    ctx.stroke();
    if (shadowed) clearShadow(ctx);
    return;
  }

  // Strokes sit inside the box, like a CSS border, so the layer never grows past its size.
  const path = (inset: number) => {
    const x = g.x + inset;
    const y = g.y + inset;
    const w = Math.max(0, g.width - 2 * inset);
    const h = Math.max(0, g.height - 2 * inset);
    ctx.beginPath();
    if (kind === 'ellipse') ctx.ellipse(x + w / 2, y + h / 2, w / 2, h / 2, 0, 0, Math.PI * 2);
    else {
      const r = Math.max(0, Math.min(num(layer.border_radius, 0, 0) - inset, w / 2, h / 2));
      if (r > 0) ctx.roundRect(x, y, w, h, r);
      else ctx.rect(x, y, w, h);
    }
  };
  let shadowPending = true;
  const withShadow = (draw: () => void) => {
    const shadowed = shadowPending && applyShadow(ctx, layer.shadow, scale, g.rotation);
    shadowPending = false;
    draw();
    if (shadowed) clearShadow(ctx);
  };
  path(0);
  if (isRecord(layer.fill_gradient)) {
    ctx.save();
    if (setGradientFill(ctx, layer.fill_gradient, g)) withShadow(() => ctx.fill());
    ctx.restore();
  } else if (fillColor) {
    ctx.fillStyle = toCss(fillColor);
    withShadow(() => ctx.fill());
  }
  if (strokeColor && strokeWidth > 0) {
    path(strokeWidth / 2);
    ctx.lineWidth = strokeWidth;
    ctx.strokeStyle = toCss(strokeColor);
    withShadow(() => ctx.stroke());
  }
}
