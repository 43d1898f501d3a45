import { afterAll, describe, expect, it } from '@jest/globals';
import { GlobalFonts } from '@napi-rs/canvas';
import sharp from 'sharp';
import { renamedFont, withPrivateUseGlyphs, woff2Of } from '../../test/fixtures/fonts.js';
import type { TemplateDocument } from './document.js';
import { readFontInfo } from './font-file.js';
import { familyKey } from './font-names.js';
import { configureFonts, DEFAULT_FONT_CACHE_MAX, ensureFonts, fontCacheStats, FontScope } from './fonts.js';
import { renderImage } from './render.js';
import type { ResolvedAssets } from './types.js';

const FAMILY = 'Acme Isolation Serif';
const BRAND = renamedFont(FAMILY);
const ORG_A = '0b9f5f8e-0000-4000-8000-00000000000a';
const ORG_B = '0b9f5f8e-0000-4000-8000-00000000000b';
const ASSET = '5d7c1c8e-1111-4111-8111-111111111111';
const ALIAS = /^imtegrate-[0-9a-f]{32}$/;

function card(fontFamily?: string, extra: Record<string, unknown> = {}): TemplateDocument {
  return {
    width: 360,
    height: 90,
    background: { color: '#ffffff' },
    layers: [
      { name: 't', type: 'text', x: 10, y: 10, width: 340, height: 70, text: 'Hamburgefonts', font_size: 40, fit: 'none', color: '#000000', ...(fontFamily === undefined ? {} : { font_family: fontFamily }), ...extra },
    ],
  } as TemplateDocument;
}

async function pixels(doc: TemplateDocument, assets: ResolvedAssets, namespace: string) {
  const r = await renderImage(doc, [], assets, { format: 'png', fontNamespace: namespace });
  return { raw: await sharp(r.buffer).raw().toBuffer(), report: r.report.text[0] };
}

/** Organisation A's assets: its font, and its family known to the asset port. */
const assetsOfA = (): ResolvedAssets => ({ images: new Map(), fonts: new Map([[ASSET, BRAND]]), families: new Map([[familyKey(FAMILY), ASSET]]) });
/** Organisation B owns no fonts: its port resolves nothing. */
const assetsOfB = (): ResolvedAssets => ({ images: new Map(), fonts: new Map(), families: new Map() });

describe('uploaded fonts per organisation', () => {
  afterAll(() => configureFonts({ cacheMax: DEFAULT_FONT_CACHE_MAX }));

  it('registers an upload under an alias only, never under its own family name', () => {
    ensureFonts();
    expect(readFontInfo(BRAND)).toMatchObject({ ok: true, family: FAMILY });
    const scope = new FontScope(ORG_A, new Map([[ASSET, BRAND]]), new Map());
    const { alias } = scope.useAsset(ASSET, 't');
    expect(alias).toMatch(ALIAS);
    expect(GlobalFonts.has(alias)).toBe(true);
    expect(GlobalFonts.families.some((f) => familyKey(f.family) === familyKey(FAMILY))).toBe(false);
    scope.release();
  });

  it('derives the alias from a secret: not from the org or asset id, different per organisation', () => {
    const a = new FontScope(ORG_A, new Map([[ASSET, BRAND]]), new Map());
    const b = new FontScope(ORG_B, new Map([[ASSET, BRAND]]), new Map());
    const aliasA = a.useAsset(ASSET, 't').alias;
    const aliasB = b.useAsset(ASSET, 't').alias;
    expect(aliasA).not.toBe(aliasB);
    for (const part of [ORG_A, ASSET, ORG_A.replace(/-/g, ''), ASSET.replace(/-/g, '')]) expect(aliasA).not.toContain(part.slice(0, 12));
    // Reused within the organisation (same bytes, same asset): no second registration.
    const again = new FontScope(ORG_A, new Map([[ASSET, BRAND]]), new Map());
    expect(again.useAsset(ASSET, 't').alias).toBe(aliasA);
    for (const s of [a, b, again]) s.release();
  });

  it('draws an organisation\'s family for it, and the fallback for anyone else however it is spelt', async () => {
    const fallback = await pixels(card(), assetsOfB(), ORG_B);
    const own = await pixels(card(FAMILY), assetsOfA(), ORG_A);
    expect(own.report.font_fallback).toBe(false);
    expect(own.raw.equals(fallback.raw)).toBe(false);
    expect((await pixels(card(`  "acme ISOLATION   serif" , serif`), assetsOfA(), ORG_A)).raw.equals(own.raw)).toBe(true);

    // A has rendered, so A's font is registered in this thread: B must still not reach it.
    const peek = new FontScope(ORG_A, assetsOfA().fonts, new Map());
    const alias = peek.useAsset(ASSET, 't').alias;
    peek.release();
    const spellings = [FAMILY, FAMILY.toUpperCase(), ` ${FAMILY.toLowerCase()}  `, `"${FAMILY}"`, `'${FAMILY}', serif`, `Nope, ${FAMILY}`, alias, `"${alias}"`, alias.toUpperCase()];
    for (const spelling of spellings) {
      const b = await pixels(card(spelling), assetsOfB(), ORG_B);
      expect({ spelling, fallback: b.report.font_fallback }).toEqual({ spelling, fallback: true });
      expect(b.raw.equals(fallback.raw)).toBe(true);
    }
    // Even handed A's bytes under its own asset id (it never is), B's registration is B's own.
    const bWithBytes = await pixels(card(alias), { images: new Map(), fonts: new Map([[ASSET, BRAND]]), families: new Map() }, ORG_B);
    expect(bWithBytes.report.font_fallback).toBe(true);
    expect(bWithBytes.raw.equals(fallback.raw)).toBe(true);
  });

  it("never lends an organisation's font to another's per-character fallback", async () => {
    const pua = '5d7c1c8e-5555-4555-8555-555555555555';
    const doc = card(undefined, { text: '\uE000\uE001\uE002' });
    const before = await pixels(doc, assetsOfB(), ORG_B);
    const own = await pixels(card(undefined, { text: '\uE000\uE001\uE002', font_asset_id: pua }), { images: new Map(), fonts: new Map([[pua, withPrivateUseGlyphs(renamedFont('Acme Private Use'))]]) }, ORG_A);
    // A's font draws the private-use characters (nothing installed can) ...
    expect(own.raw.equals(before.raw)).toBe(false);
    expect(own.report.missing_glyphs).toEqual([]);
    // ... and while it is registered, B's text with the same characters still gets no glyph from it.
    const after = await pixels(doc, assetsOfB(), ORG_B);
    expect(after.raw.equals(before.raw)).toBe(true);
    expect(after.report.missing_glyphs).toEqual(['\uE000', '\uE001', '\uE002']);
  });

  it('draws a WOFF2 upload like its TrueType original', async () => {
    const woff2 = woff2Of(BRAND);
    expect(readFontInfo(woff2)).toMatchObject({ ok: true, format: 'woff2' });
    const ttf = await pixels(card(undefined, { font_asset_id: ASSET }), { images: new Map(), fonts: new Map([[ASSET, BRAND]]) }, ORG_A);
    const other = '5d7c1c8e-2222-4222-8222-222222222222';
    const w2 = await pixels(card(undefined, { font_asset_id: other }), { images: new Map(), fonts: new Map([[other, woff2]]) }, ORG_A);
    expect(w2.raw.equals(ttf.raw)).toBe(true);
  });

  it('keeps at most RENDER_FONT_CACHE_MAX uploads registered, evicting the least recently used', async () => {
    configureFonts({ cacheMax: 3 });
    const ids = Array.from({ length: 8 }, (_, i) => `5d7c1c8e-3333-4333-8333-00000000000${i}`);
    const fonts = new Map(ids.map((id, i) => [id, renamedFont(`Acme Evict ${i}`)]));
    const aliases: string[] = [];
    for (const id of ids) {
      const scope = new FontScope(ORG_A, fonts, new Map());
      aliases.push(scope.useAsset(id, 't').alias);
      scope.release();
      expect(fontCacheStats().size).toBeLessThanOrEqual(3);
      // Counted in the font system itself, not only in our map (other spec files share the process).
      expect(aliases.filter((a) => GlobalFonts.has(a)).length).toBeLessThanOrEqual(3);
    }
    expect(aliases.slice(0, 5).map((a) => GlobalFonts.has(a))).toEqual([false, false, false, false, false]);
    expect(aliases.slice(5).map((a) => GlobalFonts.has(a))).toEqual([true, true, true]);

    // Touching the oldest of the three makes it the most recent: the next newcomer evicts another.
    const touch = new FontScope(ORG_A, fonts, new Map());
    touch.useAsset(ids[5], 't');
    touch.release();
    const extra = '5d7c1c8e-3333-4333-8333-000000000009';
    const scope = new FontScope(ORG_A, new Map([[extra, renamedFont('Acme Evict 9')]]), new Map());
    scope.useAsset(extra, 't');
    scope.release();
    expect([aliases[5], aliases[6], aliases[7]].map((a) => GlobalFonts.has(a))).toEqual([true, false, true]);
  });

  it('never evicts a font a render is still drawing with, and draws an evicted font again', async () => {
    configureFonts({ cacheMax: 2 });
    const ids = Array.from({ length: 4 }, (_, i) => `5d7c1c8e-4444-4444-8444-00000000000${i}`);
    const fonts = new Map(ids.map((id, i) => [id, renamedFont(`Acme Lease ${i}`)]));
    const scope = new FontScope(ORG_A, fonts, new Map());
    const held = ids.map((id) => scope.useAsset(id, 't').alias);
    expect(held.map((a) => GlobalFonts.has(a))).toEqual([true, true, true, true]);
    scope.release();
    expect(fontCacheStats().size).toBe(2);

    // A render of a document with more fonts than the bound still draws every one of them.
    const doc: TemplateDocument = {
      width: 360,
      height: 90 * ids.length,
      background: { color: '#ffffff' },
      layers: ids.map((id, i) => ({ name: `t${i}`, type: 'text', x: 10, y: 10 + 90 * i, width: 340, height: 70, text: 'Hamburgefonts', font_size: 40, fit: 'none', font_asset_id: id })),
    } as TemplateDocument;
    const first = await renderImage(doc, [], { images: new Map(), fonts }, { format: 'png', fontNamespace: ORG_A });
    const second = await renderImage(doc, [], { images: new Map(), fonts }, { format: 'png', fontNamespace: ORG_A });
    const fallback = await renderImage({ ...doc, layers: doc.layers.map((l) => ({ ...l, font_asset_id: undefined })) } as TemplateDocument, [], { images: new Map(), fonts: new Map() }, { format: 'png' });
    const [a, b, c] = await Promise.all([first, second, fallback].map((r) => sharp(r.buffer).raw().toBuffer({ resolveWithObject: true })));
    expect(a.data.equals(b.data)).toBe(true);
    // Band by band: every layer was drawn with its own font, none with the fallback.
    const row = a.info.width * a.info.channels;
    const band = (img: typeof a, i: number) => img.data.subarray(90 * i * row, 90 * (i + 1) * row);
    expect(ids.map((_, i) => band(a, i).equals(band(c, i)))).toEqual([false, false, false, false]);
    expect(fontCacheStats().size).toBe(2);
  });
});
