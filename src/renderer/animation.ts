import { type Canvas, createCanvas, type SKRSContext2D } from '@napi-rs/canvas';
import { LIMITS, type Layer } from './document.js';
import { drawBackground, drawLayer, geometry, paintMargin } from './draw.js';
import type { RawImage } from './images.js';
import { animatedAt, isAnimated, maxScale } from './keyframes.js';
import type { PreparedText } from './text.js';
import { drawWatermark } from './watermark.js';

/** A layer growing past this is drawn from a sprite this many times its size (then it softens). */
export const MAX_SPRITE_SCALE = 4;
/** Static runs between moving layers kept as canvases; past this, static layers are drawn per frame (memory stays bounded). */
const MAX_STATIC_CANVASES = 8;
/** One sprite's pixels at most; a larger one is drawn at a lower density. */
const MAX_SPRITE_PIXELS = 16_000_000;

/** What buildAnimation needs of a prepared document (render.ts prepares it). */
export interface AnimationInput {
  watermark: boolean;
  width: number;
  height: number;
  outW: number;
  outH: number;
  /** Output pixels per template pixel. */
  s: number;
  layers: Layer[];
  background: Record<string, unknown>;
  texts: Map<Layer, PreparedText>;
  layerImages: (RawImage | null)[];
  bgImage: RawImage | null;
}

/** Layers that do not move: either drawn once onto a canvas, or (past MAX_STATIC_CANVASES) drawn every frame. */
interface StaticRun {
  kind: 'static';
  canvas: Canvas | null;
  layers: number[];
}

/** A moving layer: drawn once, unrotated and opaque, onto a sprite that each frame places with its animated values. */
interface Moving {
  kind: 'moving';
  layer: Layer;
  sprite: Canvas;
  /** The sprite covers the layer box grown by `margin` on every side (template pixels). */
  margin: number;
}

export interface Animation {
  readonly canvas: Canvas;
  /** Every frame is fully opaque (always when flattened). */
  readonly opaque: boolean;
  /** Layers drawn per frame. */
  readonly moving: number;
  /** Draws the frame at `t` seconds onto `canvas`. Synchronous: nothing else may draw on it meanwhile. */
  draw(t: number): void;
}

/**
 * Splits the layers into runs of static ones (drawn once, the first with the background) and
 * moving ones (drawn once as sprites), so a frame costs one canvas copy per static run plus one
 * transformed sprite per moving layer, whatever the layers contain. `flatten` puts white under
 * a translucent background (video has no alpha).
 */
export function buildAnimation(p: AnimationInput, flatten: boolean): Animation {
  const segments: (StaticRun | Moving)[] = [{ kind: 'static', canvas: null, layers: [] }];
  p.layers.forEach((layer, i) => {
    if (isAnimated(layer)) {
      const sprite = spriteOf(p, layer, i);
      if (sprite) segments.push(sprite);
      return;
    }
    const last = segments[segments.length - 1];
    if (last.kind === 'static') last.layers.push(i);
    else segments.push({ kind: 'static', canvas: null, layers: [i] });
  });

  let cached = 0;
  let opaque = flatten;
  segments.forEach((seg, n) => {
    if (seg.kind !== 'static') return;
    // The base (background) always; the others while the memory bound allows.
    if (n > 0 && (seg.layers.length === 0 || cached >= MAX_STATIC_CANVASES)) return;
    cached++;
    seg.canvas = createCanvas(p.outW, p.outH);
    const ctx = seg.canvas.getContext('2d');
    const isBase = n === 0;
    if (isBase && flatten) {
      ctx.fillStyle = '#ffffff';
      ctx.fillRect(0, 0, p.outW, p.outH);
    }
    ctx.scale(p.s, p.s);
    if (isBase) opaque = drawBackground(ctx, p.background, p.width, p.height, p.bgImage) || flatten;
    drawStatic(ctx, seg.canvas, p, seg.layers);
  });
  if (p.watermark) {
    const last = segments[segments.length - 1];
    if (last.kind === 'static' && last.canvas) drawWatermarkOn(last.canvas, p);
    else {
      const canvas = createCanvas(p.outW, p.outH);
      drawWatermarkOn(canvas, p);
      segments.push({ kind: 'static', canvas, layers: [] });
    }
  }

  const canvas = createCanvas(p.outW, p.outH);
  const ctx = canvas.getContext('2d');
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'low';
  return {
    canvas,
    opaque,
    moving: segments.filter((s) => s.kind === 'moving').length,
    draw(t: number): void {
      segments.forEach((seg, n) => {
        ctx.setTransform(1, 0, 0, 1, 0, 0);
        ctx.globalAlpha = 1;
        // The base replaces the previous frame entirely: no clear needed.
        ctx.globalCompositeOperation = n === 0 ? 'copy' : 'source-over';
        if (seg.kind === 'moving') return drawSprite(ctx, seg, t, p.s);
        if (seg.canvas) return ctx.drawImage(seg.canvas, 0, 0);
        ctx.setTransform(p.s, 0, 0, p.s, 0, 0);
        drawStatic(ctx, canvas, p, seg.layers);
      });
      ctx.globalCompositeOperation = 'source-over';
    },
  };
}

function drawStatic(ctx: SKRSContext2D, canvas: Canvas, p: AnimationInput, layers: number[]): void {
  for (const i of layers) drawLayer(ctx, canvas, p.layers[i], p.s, p.texts.get(p.layers[i]), p.layerImages[i] ?? null);
}

function drawWatermarkOn(canvas: Canvas, p: AnimationInput): void {
  const ctx = canvas.getContext('2d');
  ctx.scale(p.s, p.s);
  drawWatermark(ctx, p.width, p.height);
}

function spriteOf(p: AnimationInput, layer: Layer, i: number): Moving | null {
  const g = geometry(layer);
  const margin = paintMargin(layer);
  const w = Math.abs(g.width) + 2 * margin;
  const h = Math.abs(g.height) + 2 * margin;
  let density = p.s * Math.min(maxScale(layer), MAX_SPRITE_SCALE);
  if (w * h * density * density > MAX_SPRITE_PIXELS) density = Math.sqrt(MAX_SPRITE_PIXELS / (w * h));
  const sw = Math.max(1, Math.ceil(w * density));
  const sh = Math.max(1, Math.ceil(h * density));
  if (sw * sh > LIMITS.maxCanvasPixels) return null;
  const sprite = createCanvas(sw, sh);
  const ctx = sprite.getContext('2d');
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'low';
  const x0 = Math.min(g.x, g.x + g.width) - margin;
  const y0 = Math.min(g.y, g.y + g.height) - margin;
  ctx.setTransform(density, 0, 0, density, -x0 * density, -y0 * density);
  // Opacity and rotation are the frame's to apply: the sprite holds the layer as drawn at rest.
  const still = { ...layer, opacity: 1, rotation: 0 } as Layer;
  drawLayer(ctx, sprite, still, density, p.texts.get(layer), p.layerImages[i] ?? null);
  return { kind: 'moving', layer, sprite, margin };
}

function drawSprite(ctx: SKRSContext2D, m: Moving, t: number, s: number): void {
  const v = animatedAt(m.layer, t);
  if (v.opacity <= 0 || v.scale <= 0) return;
  const g = geometry(m.layer);
  const w = Math.abs(g.width);
  const h = Math.abs(g.height);
  // The box's offset from its own x/y (a line drawn towards negative width).
  const ox = Math.min(0, g.width);
  const oy = Math.min(0, g.height);
  ctx.globalAlpha = v.opacity;
  ctx.translate((v.x + ox + w / 2) * s, (v.y + oy + h / 2) * s);
  if (v.rotation !== 0) ctx.rotate((v.rotation * Math.PI) / 180);
  if (v.scale !== 1) ctx.scale(v.scale, v.scale);
  ctx.drawImage(m.sprite, (-w / 2 - m.margin) * s, (-h / 2 - m.margin) * s, (w + 2 * m.margin) * s, (h + 2 * m.margin) * s);
}
