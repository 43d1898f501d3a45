import type { SKRSContext2D } from '@napi-rs/canvas';
import type { Gradient, Shadow } from './document.js';
import { parseColor, toCss } from './color.js';
import { isRecord, num } from './util.js';

type CanvasGradient = ReturnType<SKRSContext2D['createLinearGradient']>;

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Applies a gradient as fill style for `box`. The current path must already be built: canvas
 * transforms path points when they are added and the fill style when filling, which is what
 * lets a radial gradient be an ellipse (CSS farthest-corner) while the path stays put.
 * Returns false (nothing set) for a gradient without usable stops.
 */
export function setGradientFill(ctx: SKRSContext2D, g: Gradient | undefined, box: Box): boolean {
  if (!isRecord(g) || !Array.isArray(g.stops)) return false;
  const stops = g.stops
    .filter(isRecord)
    .map((s) => ({ offset: num(s.offset, 0, 0, 1), color: parseColor(s.color) }))
    .filter((s) => s.color !== null)
    .sort((a, b) => a.offset - b.offset);
  if (stops.length === 0) return false;
  const { x, y, width: w, height: h } = box;
  const cx = x + w / 2;
  const cy = y + h / 2;
  let grad: CanvasGradient;
  if (g.type === 'radial') {
    // Unit circle scaled to the CSS farthest-corner ellipse of the box.
    ctx.translate(cx, cy);
    ctx.scale(Math.max(w, 1e-3) / Math.SQRT2, Math.max(h, 1e-3) / Math.SQRT2);
    grad = ctx.createRadialGradient(0, 0, 0, 0, 0, 1);
  } else {
    // CSS: the gradient line passes through the centre at `angle` (0 = to top) and is long
    // enough that the corners get the end colours.
    const a = (num(g.angle, 180) * Math.PI) / 180;
    const dx = Math.sin(a);
    const dy = -Math.cos(a);
    const half = (Math.abs(w * dx) + Math.abs(h * dy)) / 2;
    grad = ctx.createLinearGradient(cx - dx * half, cy - dy * half, cx + dx * half, cy + dy * half);
  }
  for (const s of stops) grad.addColorStop(s.offset, toCss(s.color!));
  ctx.fillStyle = grad;
  return true;
}

/**
 * Canvas shadows ignore the transform (offset and blur are in device pixels), while a
 * template's shadow belongs to the layer: scale it and turn the offset with the layer.
 */
export function applyShadow(ctx: SKRSContext2D, shadow: Shadow | undefined, scale: number, rotationDeg: number): boolean {
  if (!isRecord(shadow)) return false;
  const color = parseColor(shadow.color);
  if (!color || color.a === 0) return false;
  const sx = num(shadow.x, 0, -10000, 10000);
  const sy = num(shadow.y, 0, -10000, 10000);
  const r = (rotationDeg * Math.PI) / 180;
  ctx.shadowColor = toCss(color);
  ctx.shadowOffsetX = (sx * Math.cos(r) - sy * Math.sin(r)) * scale;
  ctx.shadowOffsetY = (sx * Math.sin(r) + sy * Math.cos(r)) * scale;
  ctx.shadowBlur = num(shadow.blur, 0, 0, 1000) * scale;
  return true;
}

export function clearShadow(ctx: SKRSContext2D): void {
  ctx.shadowColor = 'rgba(0,0,0,0)';
  ctx.shadowBlur = 0;
  ctx.shadowOffsetX = 0;
  ctx.shadowOffsetY = 0;
}

/** Extra device pixels a shadow can paint outside a layer's box. */
export function shadowMargin(shadow: Shadow | undefined): number {
  if (!isRecord(shadow)) return 0;
  return Math.abs(num(shadow.x, 0)) + Math.abs(num(shadow.y, 0)) + 2 * num(shadow.blur, 0, 0, 1000);
}
