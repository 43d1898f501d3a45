import { describe, expect, it } from '@jest/globals';
import type { Modification, TemplateDocument } from '../renderer/index.js';
import { validateModifications } from './modifications.js';

const IMG = '11111111-1111-4111-8111-111111111111';
const FONT = '22222222-2222-4222-8222-222222222222';
const FOREIGN = '33333333-3333-4333-8333-333333333333';

const doc: TemplateDocument = {
  width: 1200,
  height: 630,
  layers: [
    { name: 'headline', type: 'text', x: 0, y: 0, width: 100, height: 50, text: 'Hi', dynamic: true },
    { name: 'photo', type: 'image', x: 0, y: 0, width: 100, height: 50, dynamic: true },
    { name: 'box', type: 'shape', shape: 'rect', x: 0, y: 0, width: 10, height: 10, dynamic: true },
    { name: 'footer', type: 'text', x: 0, y: 0, width: 100, height: 50, text: 'fixed' },
  ],
};
const ctx = { assetKind: (id: string) => (id === IMG ? 'image' : id === FONT ? 'font' : undefined) as 'image' | 'font' | undefined };
const check = (mods: Modification[]) => validateModifications(doc, mods, ctx).problems;

describe('validateModifications', () => {
  it('accepts valid overrides of every layer type', () => {
    expect(
      check([
        { name: 'headline', text: 'Hello', color: '#fff', font_size: 40, font_asset_id: FONT, align: 'center' },
        { name: 'photo', image_url: 'https://example.com/a.png', fit: 'contain', grayscale: true },
        { name: 'box', fill_color: 'rgba(0, 0, 0, 0.5)', hidden: true },
      ]),
    ).toEqual([]);
    expect(check([{ name: 'photo', asset_id: IMG }])).toEqual([]);
  });

  it('refuses an unknown layer and a non-dynamic one', () => {
    expect(check([{ name: 'nope', text: 'x' }, { name: 'footer', text: 'x' }])).toEqual([
      { name: 'nope', reason: expect.stringContaining('unknown layer') },
      { name: 'footer', reason: expect.stringContaining('not dynamic') },
    ]);
  });

  it('refuses a property that does not fit the layer type', () => {
    expect(check([{ name: 'headline', image_url: 'https://e.com/x.png' }])).toEqual([
      { name: 'headline', reason: 'property "image_url" does not apply to text layers' },
    ]);
    expect(check([{ name: 'box', text: 'x' }])[0].reason).toContain('shape layers');
  });

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'])('refuses the inherited name %s as a property', (prop) => {
    // Built the way the JSON parser builds it: `__proto__` is an own property, never the prototype.
    const mod = Object.defineProperty({ name: 'headline' }, prop, { value: { text: 'x' }, enumerable: true }) as Modification;
    expect(check([mod])).toEqual([{ name: 'headline', reason: `property "${prop}" does not apply to text layers` }]);
  });

  it.each(['red', '#12', '#12345', 'rgb(300,0,0)', 'rgba(0,0,0,2)', 12, null])('refuses the colour %p', (c) => {
    expect(check([{ name: 'headline', color: c }])).toEqual([{ name: 'headline', reason: expect.stringMatching(/^color must be a colour/) }]);
  });

  it.each([
    ['file:///etc/passwd', 'scheme "file" is not allowed'],
    ['ftp://x/y.png', 'scheme "ftp"'],
    ['javascript:alert(1)', 'scheme "javascript"'],
    ['/relative.png', 'absolute'],
    ['http://user:pw@host/x.png', 'credentials'],
    [`https://e.com/${'a'.repeat(2100)}`, '2048'],
  ])('refuses the URL %s', (u, why) => {
    expect(check([{ name: 'photo', image_url: u }])[0].reason).toContain(why);
  });

  it('refuses assets of another org, of the wrong kind, and persons', () => {
    expect(check([{ name: 'photo', asset_id: FOREIGN }])[0].reason).toBe(`asset_id asset ${FOREIGN} not found`);
    expect(check([{ name: 'photo', asset_id: FONT }])[0].reason).toContain('is a font, not an image');
    expect(check([{ name: 'headline', font_asset_id: IMG }])[0].reason).toContain('is an image, not a font');
    expect(check([{ name: 'photo', person_id: IMG }])[0].reason).toContain('person');
    expect(check([{ name: 'photo', asset_id: 'not-a-uuid' }])[0].reason).toContain('UUID');
  });

  it('refuses two image sources at once', () => {
    expect(check([{ name: 'photo', asset_id: IMG, image_url: 'https://e.com/x.png' }])[0].reason).toContain('only one of');
  });

  it('enforces value ranges and the text length limit', () => {
    expect(check([{ name: 'headline', text: 'x'.repeat(10_001) }])[0].reason).toContain('10000');
    expect(check([{ name: 'headline', text: 'x'.repeat(10_000) }])).toEqual([]);
    expect(check([{ name: 'headline', opacity: 1.5 }])[0].reason).toContain('0 to 1');
    expect(check([{ name: 'headline', text: 5 }])[0].reason).toBe('text must be a string');
    expect(check([{ name: 'headline', max_lines: 1.5 }])[0].reason).toContain('integer');
  });

  it('lets the last entry for a name win', () => {
    const r = validateModifications(doc, [{ name: 'headline', color: 'bad' }, { name: 'headline', text: 'ok' }], ctx);
    expect(r.problems).toEqual([]);
    expect(r.effective).toEqual([{ name: 'headline', text: 'ok' }]);
  });

  it('reports every problem, not only the first', () => {
    expect(check([{ name: 'headline', color: 'x', font_size: -1, bogus: 1 }])).toHaveLength(3);
  });
});
