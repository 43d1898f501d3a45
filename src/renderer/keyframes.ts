import { EASINGS, LIMITS, type Easing, type Keyframe, type Layer } from './document.js';
import { isRecord, num, oneOf } from './util.js';

/** What keyframes animate: absolute values (scale multiplies the layer's size around its centre). */
export interface Animated {
  x: number;
  y: number;
  opacity: number;
  scale: number;
  rotation: number;
}

export const ANIMATED_PROPERTIES = ['x', 'y', 'opacity', 'scale', 'rotation'] as const;
type Property = (typeof ANIMATED_PROPERTIES)[number];

/**
 * Quadratic easings, so every in-between value is exact and easy to check by hand: ease-in u²,
 * ease-out 1-(1-u)², ease-in-out 2u² up to the middle and its mirror after.
 */
export function ease(easing: Easing, u: number): number {
  switch (easing) {
    case 'ease-in':
      return u * u;
    case 'ease-out':
      return 1 - (1 - u) * (1 - u);
    case 'ease-in-out':
      return u < 0.5 ? 2 * u * u : 1 - 2 * (1 - u) * (1 - u);
    default:
      return u;
  }
}

/** Valid keyframe values (template saves check them; the renderer clamps to them): ten turns, ten times the size. */
export const KEYFRAME_RANGES: Readonly<Record<Property, readonly [number, number]>> = {
  x: [-100_000, 100_000],
  y: [-100_000, 100_000],
  opacity: [0, 1],
  scale: [0, LIMITS.keyframeScaleMax],
  rotation: [-3600, 3600],
};

/** The usable keyframes of a layer, in order; anything malformed (a document through a thread, an old row) is dropped. */
export function keyframesOf(layer: Layer): Keyframe[] {
  const raw = (layer as unknown as Record<string, unknown>).keyframes;
  if (!Array.isArray(raw)) return [];
  const out: Keyframe[] = [];
  for (const k of raw) {
    if (!isRecord(k) || typeof k.t !== 'number' || !Number.isFinite(k.t)) continue;
    if (out.length && k.t <= out[out.length - 1].t) continue;
    out.push(k as unknown as Keyframe);
  }
  return out;
}

/** Whether any keyframe gives any animated property: only such layers are drawn per frame. */
export function isAnimated(layer: Layer): boolean {
  return keyframesOf(layer).some((k) => ANIMATED_PROPERTIES.some((p) => typeof k[p] === 'number'));
}

/** One property at time t: held before its first keyframe and after its last, eased in between. */
function track(frames: readonly Keyframe[], p: Property, t: number, base: number): number {
  const [min, max] = KEYFRAME_RANGES[p];
  let prev: Keyframe | undefined;
  for (const k of frames) {
    const v = k[p];
    if (typeof v !== 'number' || !Number.isFinite(v)) continue;
    if (k.t >= t) {
      if (!prev || k.t === t) return num(v, base, min, max);
      const a = num(prev[p], base, min, max);
      const b = num(v, base, min, max);
      const u = (t - prev.t) / (k.t - prev.t);
      return a + (b - a) * ease(oneOf(prev.easing, EASINGS, 'linear'), u);
    }
    prev = k;
  }
  return prev ? num(prev[p], base, min, max) : base;
}

/** The layer's animated values at `t` seconds; the layer's own values where no keyframe gives one. */
export function animatedAt(layer: Layer, t: number): Animated {
  const frames = keyframesOf(layer);
  const base: Animated = {
    x: num(layer.x, 0, -100_000, 100_000),
    y: num(layer.y, 0, -100_000, 100_000),
    opacity: num(layer.opacity, 1, 0, 1),
    scale: 1,
    rotation: num(layer.rotation, 0, -36_000, 36_000),
  };
  if (frames.length === 0) return base;
  const out = { ...base };
  for (const p of ANIMATED_PROPERTIES) out[p] = track(frames, p, t, base[p]);
  return out;
}

/** Largest scale a layer reaches, so its sprite is drawn sharp enough for it. */
export function maxScale(layer: Layer): number {
  let m = 1;
  for (const k of keyframesOf(layer)) if (typeof k.scale === 'number') m = Math.max(m, num(k.scale, 1, 0, LIMITS.keyframeScaleMax));
  return m;
}
