import { describe, expect, it } from '@jest/globals';
import type { Keyframe, Layer } from './document.js';
import { animatedAt, ease, isAnimated, maxScale } from './keyframes.js';

const layer = (keyframes?: Keyframe[], over: Partial<Layer> = {}): Layer =>
  ({ name: 'l', type: 'shape', shape: 'rect', x: 10, y: 20, width: 100, height: 50, opacity: 0.8, rotation: 5, keyframes, ...over }) as Layer;

describe('ease', () => {
  it.each([
    ['linear', 0.25, 0.25],
    ['ease-in', 0.5, 0.25],
    ['ease-in', 0.25, 0.0625],
    ['ease-out', 0.5, 0.75],
    ['ease-out', 0.25, 0.4375],
    ['ease-in-out', 0.25, 0.125],
    ['ease-in-out', 0.5, 0.5],
    ['ease-in-out', 0.75, 0.875],
  ] as const)('%s(%d) = %d', (e, u, v) => {
    expect(ease(e, u)).toBeCloseTo(v, 12);
  });

  it.each(['linear', 'ease-in', 'ease-out', 'ease-in-out'] as const)('%s runs from 0 to 1', (e) => {
    expect(ease(e, 0)).toBe(0);
    expect(ease(e, 1)).toBe(1);
  });
});

describe('animatedAt', () => {
  const kf: Keyframe[] = [
    { t: 1, x: 100, opacity: 0 },
    { t: 3, x: 300, opacity: 1, easing: 'ease-in' },
    { t: 5, x: 500 },
  ];

  it('is the layer itself without keyframes', () => {
    expect(animatedAt(layer(), 2)).toEqual({ x: 10, y: 20, opacity: 0.8, scale: 1, rotation: 5 });
    expect(isAnimated(layer())).toBe(false);
    expect(isAnimated(layer([{ t: 0 }]))).toBe(false);
    expect(isAnimated(layer(kf))).toBe(true);
  });

  it('gives the exact keyframe values at the keyframes', () => {
    expect(animatedAt(layer(kf), 1)).toMatchObject({ x: 100, opacity: 0 });
    expect(animatedAt(layer(kf), 3)).toMatchObject({ x: 300, opacity: 1 });
    expect(animatedAt(layer(kf), 5)).toMatchObject({ x: 500, opacity: 1 });
  });

  it('holds the first value before the first keyframe and the last after the last', () => {
    expect(animatedAt(layer(kf), 0)).toMatchObject({ x: 100, opacity: 0 });
    expect(animatedAt(layer(kf), 60)).toMatchObject({ x: 500, opacity: 1 });
  });

  it('interpolates linearly by default, and with the easing of the keyframe that starts the segment', () => {
    // 1 -> 3 is linear (keyframe 1 has no easing).
    expect(animatedAt(layer(kf), 2)).toMatchObject({ x: 200, opacity: 0.5 });
    expect(animatedAt(layer(kf), 1.5).x).toBeCloseTo(150, 10);
    // 3 -> 5 is ease-in: at u = 0.5 the value is a quarter of the way.
    expect(animatedAt(layer(kf), 4).x).toBeCloseTo(350, 10);
    expect(animatedAt(layer(kf), 3.5).x).toBeCloseTo(312.5, 10);
  });

  it('animates each property on the keyframes that give it; the others keep the layer value', () => {
    const frames: Keyframe[] = [{ t: 0, y: 0 }, { t: 1, scale: 2 }, { t: 2, y: 100, rotation: 90 }, { t: 4, scale: 4 }];
    const v = animatedAt(layer(frames), 1.5);
    expect(v.x).toBe(10);
    expect(v.opacity).toBe(0.8);
    expect(v.y).toBeCloseTo(75, 10);
    // rotation has one keyframe: held on both sides.
    expect(v.rotation).toBe(90);
    expect(animatedAt(layer(frames), 0).rotation).toBe(90);
    // scale: held at 2 before t=1, then 2 -> 4 over 1..4.
    expect(animatedAt(layer(frames), 0.5).scale).toBe(2);
    expect(animatedAt(layer(frames), 2.5).scale).toBeCloseTo(3, 10);
    expect(maxScale(layer(frames))).toBe(4);
  });

  it('clamps values and drops unsorted or malformed keyframes (documents that skipped validation)', () => {
    const bad = [{ t: 0, opacity: 2 }, { t: 0, opacity: 0 }, null, { t: 'x', x: 5 }, { t: 2, opacity: -1 }] as unknown as Keyframe[];
    expect(animatedAt(layer(bad), 0).opacity).toBe(1);
    expect(animatedAt(layer(bad), 1).opacity).toBeCloseTo(0.5, 10);
    expect(animatedAt(layer(bad), 3).opacity).toBe(0);
  });
});
