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

  it('refuses assets of another org and of the wrong kind, and persons not in the directory', () => {
    expect(check([{ name: 'photo', asset_id: FOREIGN }])[0].reason).toBe(`asset_id asset ${FOREIGN} not found`);
    expect(check([{ name: 'photo', asset_id: FONT }])[0].reason).toContain('is a font, not an image');
    expect(check([{ name: 'headline', font_asset_id: IMG }])[0].reason).toContain('is an image, not a font');
    expect(check([{ name: 'photo', person_id: IMG }])[0].reason).toBe(`person_id: person ${IMG} not found`);
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

  describe('person references', () => {
    const ADA = { id: '44444444-4444-4444-8444-444444444444', name: 'Ada', externalId: 'crm-1', tags: { role: 'AE' }, photoAssetId: IMG, photoUsable: true };
    const GONE_PHOTO = { ...ADA, id: '55555555-5555-4555-8555-555555555555', externalId: 'crm-2', photoUsable: false };
    const people = [ADA, GONE_PHOTO];
    const withPeople = {
      ...ctx,
      person: (ref: { id: string } | { externalId: string }) => people.find((p) => ('id' in ref ? p.id === ref.id : p.externalId === ref.externalId)),
    };
    const run = (mods: Modification[]) => validateModifications(doc, mods, withPeople);

    it('resolves an image layer to the photo asset, by id or by external reference, keeping other overrides', () => {
      expect(run([{ name: 'photo', person_id: ADA.id.toUpperCase(), grayscale: true }])).toEqual({
        problems: [],
        effective: [{ name: 'photo', grayscale: true, asset_id: IMG }],
      });
      expect(run([{ name: 'photo', person_external_id: 'crm-1', person_field: 'photo' }]).effective).toEqual([{ name: 'photo', asset_id: IMG }]);
    });

    it('resolves a text layer to the named field', () => {
      expect(run([{ name: 'headline', person_id: ADA.id, person_field: 'name', color: '#000' }]).effective).toEqual([{ name: 'headline', color: '#000', text: 'Ada' }]);
      expect(run([{ name: 'headline', person_external_id: 'crm-1', person_field: 'tags.role' }]).effective).toEqual([{ name: 'headline', text: 'AE' }]);
      expect(run([{ name: 'headline', person_id: ADA.id, person_field: 'external_id' }]).effective).toEqual([{ name: 'headline', text: 'crm-1' }]);
    });

    it.each([
      [{ name: 'photo', person_external_id: 'nobody' }, 'person_external_id: no person with external_id "nobody"'],
      [{ name: 'photo', person_id: 'nope' }, 'person_id must be a person id (UUID)'],
      [{ name: 'photo', person_id: GONE_PHOTO.id }, 'is no longer available'],
      [{ name: 'photo', person_id: ADA.id, person_field: 'name' }, 'person_field must be "photo"'],
      [{ name: 'photo', person_id: ADA.id, person_external_id: 'crm-1' }, 'only one of'],
      [{ name: 'photo', person_id: ADA.id, asset_id: IMG }, 'only one of'],
      [{ name: 'headline', person_id: ADA.id }, 'person_field is required'],
      [{ name: 'headline', person_id: ADA.id, person_field: 'tags.team' }, 'has no tags.team'],
      [{ name: 'headline', person_id: GONE_PHOTO.id, person_field: 'email' }, 'person_field must be one of'],
      [{ name: 'headline', person_id: ADA.id, person_field: 'name', text: 'x' }, 'either text or person_field'],
      [{ name: 'headline', person_field: 'name' }, 'needs person_id or person_external_id'],
      [{ name: 'box', person_id: ADA.id }, 'does not apply to shape layers'],
    ] as [Modification, string][])('refuses %p', (mod, why) => {
      const { problems } = run([mod]);
      expect(problems).toEqual([{ name: mod.name, reason: expect.stringContaining(why) }]);
    });

    it('finds nobody without a directory', () => {
      expect(check([{ name: 'photo', person_id: ADA.id }])).toEqual([{ name: 'photo', reason: `person_id: person ${ADA.id} not found` }]);
    });
  });
});
