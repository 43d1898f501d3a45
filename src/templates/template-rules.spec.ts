import { describe, expect, it } from '@jest/globals';
import type { Layer, TemplateDocument } from '../renderer/index.js';
import { checkTemplateRules, referencedAssetIds } from './template-rules.js';

const IMG = '11111111-1111-4111-8111-111111111111';
const FONT = '22222222-2222-4222-8222-222222222222';
const ctx = { assetKind: (id: string) => (id === IMG ? 'image' : id === FONT ? 'font' : undefined) as 'image' | 'font' | undefined };
const text = (over: Partial<Layer> = {}): Layer => ({ name: 't', type: 'text', x: 10, y: 10, width: 100, height: 40, text: 'x', ...over }) as Layer;
const doc = (layers: Layer[], over: Partial<TemplateDocument> = {}): TemplateDocument => ({ width: 400, height: 200, layers, ...over });

describe('checkTemplateRules', () => {
  it('accepts a sound template, including a layer that bleeds off an edge', () => {
    expect(checkTemplateRules(doc([text(), text({ name: 'bleed', x: -50, width: 100 })]), ctx)).toEqual([]);
  });

  it('refuses duplicate layer names', () => {
    expect(checkTemplateRules(doc([text(), text()]), ctx)).toEqual([{ name: 't', reason: 'layer names must be unique in a template' }]);
  });

  it.each([
    ['right of', { x: 400 }],
    ['below', { y: 200 }],
    ['left of', { x: -100, width: 100 }],
    ['above', { y: -40, height: 40 }],
  ])('refuses a layer entirely %s the canvas', (_, over) => {
    expect(checkTemplateRules(doc([text(over)]), ctx)[0].reason).toContain('outside the 400x200 canvas');
  });

  it('refuses min_font_size above font_size, with defaults applied', () => {
    expect(checkTemplateRules(doc([text({ font_size: 20, min_font_size: 30 } as Partial<Layer>)]), ctx)[0].reason).toBe(
      'min_font_size (30) must not exceed font_size (20)',
    );
    expect(checkTemplateRules(doc([text({ min_font_size: 60 } as Partial<Layer>)]), ctx)[0].reason).toContain('font_size (48)');
    expect(checkTemplateRules(doc([text({ font_size: 8 } as Partial<Layer>)]), ctx)).toEqual([]);
  });

  it('refuses assets that are missing, foreign or of the wrong kind', () => {
    const img = (asset_id: string): Layer => ({ name: 'p', type: 'image', x: 0, y: 0, width: 10, height: 10, asset_id });
    expect(checkTemplateRules(doc([img(IMG)]), ctx)).toEqual([]);
    expect(checkTemplateRules(doc([img(FONT)]), ctx)[0].reason).toContain('not found');
    expect(checkTemplateRules(doc([text({ font_asset_id: IMG } as Partial<Layer>)]), ctx)[0].reason).toContain('font asset');
    expect(checkTemplateRules(doc([], { background: { asset_id: FONT } }), ctx)).toEqual([{ name: 'background', reason: expect.stringContaining('not found') }]);
  });

  it('refuses bad colours anywhere in a layer and non-http image URLs', () => {
    const shape: Layer = {
      name: 's',
      type: 'shape',
      shape: 'rect',
      x: 0,
      y: 0,
      width: 10,
      height: 10,
      fill_gradient: { type: 'linear', stops: [{ offset: 0, color: '#000' }, { offset: 1, color: 'blue' }] },
      shadow: { x: 0, y: 0, blur: 1, color: 'rgb(999,0,0)' },
    };
    expect(checkTemplateRules(doc([shape]), ctx).map((p) => p.reason)).toEqual([
      expect.stringMatching(/^shadow\.color must be a colour/),
      expect.stringMatching(/^fill_gradient\.stops\[1\]\.color must be a colour/),
    ]);
    const img: Layer = { name: 'p', type: 'image', x: 0, y: 0, width: 1, height: 1, image_url: 'file:///etc/passwd' };
    expect(checkTemplateRules(doc([img]), ctx)[0].reason).toContain('scheme "file" is not allowed');
    expect(checkTemplateRules(doc([], { background: { color: 'nope' } }), ctx)[0]).toEqual({ name: 'background', reason: expect.stringContaining('color must be a colour') });
  });

  it('refuses a canvas over 40 megapixels', () => {
    expect(checkTemplateRules(doc([], { width: 8000, height: 8000 }), ctx)[0]).toEqual({ name: 'canvas', reason: expect.stringContaining('40 MP') });
  });

  it('lists the referenced assets once each', () => {
    const d = doc([text({ font_asset_id: FONT } as Partial<Layer>), { name: 'p', type: 'image', x: 0, y: 0, width: 1, height: 1, asset_id: IMG }], {
      background: { asset_id: IMG.toUpperCase() },
    });
    expect(referencedAssetIds(d).sort()).toEqual([IMG, FONT].sort());
  });
});

describe('keyframe rules', () => {
  const moving = (keyframes: unknown[]): Layer => ({ ...text(), name: 'mover', keyframes }) as Layer;
  const reasons = (l: Layer, max = 100) => checkTemplateRules(doc([l]), ctx, { maxKeyframesPerLayer: max }).map((p) => `${p.name}: ${p.reason}`);

  it('accepts sorted keyframes with values in range', () => {
    expect(reasons(moving([{ t: 0, x: -500, opacity: 0 }, { t: 1.5, x: 10, opacity: 1, easing: 'ease-out', scale: 2, rotation: 720 }]))).toEqual([]);
  });

  it('refuses unsorted or repeated times, naming the layer and the keyframe', () => {
    expect(reasons(moving([{ t: 1 }, { t: 1 }, { t: 0.5 }]))).toEqual([
      'mover: keyframes[1].t (1) must be greater than keyframes[0].t (1): keyframes are sorted by time',
      'mover: keyframes[2].t (0.5) must be greater than keyframes[1].t (1): keyframes are sorted by time',
    ]);
  });

  it('refuses values out of range and unknown easings', () => {
    expect(reasons(moving([{ t: -1, opacity: 1.5, scale: 11, x: 1e6, easing: 'bounce' }]))).toEqual([
      'mover: keyframes[0].t must be a number of seconds from 0 to 3600',
      'mover: keyframes[0].x must be a number from -100000 to 100000',
      'mover: keyframes[0].opacity must be a number from 0 to 1',
      'mover: keyframes[0].scale must be a number from 0 to 10',
      'mover: keyframes[0].easing must be one of linear, ease-in, ease-out, ease-in-out',
    ]);
  });

  it('refuses more keyframes than the per-layer limit', () => {
    expect(reasons(moving([{ t: 0 }, { t: 1 }, { t: 2 }]), 2)).toEqual(['mover: keyframes: at most 2 per layer (got 3)']);
  });
});
