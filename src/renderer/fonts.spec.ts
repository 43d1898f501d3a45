import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { GlobalFonts } from '@napi-rs/canvas';
import { fontCoverage } from './font-file.js';
import { ensureFonts, FALLBACK_FAMILIES, findMissingGlyphs, FontScope } from './fonts.js';
import { RenderError } from './types.js';

describe('fonts', () => {
  it('registers the fallback chain idempotently', () => {
    const first = ensureFonts();
    const count = GlobalFonts.families.length;
    expect(ensureFonts()).toEqual(first);
    expect(GlobalFonts.families.length).toBe(count);
    expect(first.missingFamilies).toEqual([]);
    for (const f of FALLBACK_FAMILIES) expect(GlobalFonts.has(f)).toBe(true);
  });

  it('reads cmap coverage of TrueType, collections and colour emoji fonts', () => {
    const sans = fontCoverage(readFileSync('/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf'))!;
    expect(sans.has(0x41)).toBe(true);
    expect(sans.has(0x65e5)).toBe(false);
    const emoji = fontCoverage(readFileSync('/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf'))!;
    expect(emoji.has(0x1f600)).toBe(true);
    expect(fontCoverage(Buffer.from('garbage bytes here'))).toBeNull();
  });

  it('reports characters no installed font covers', () => {
    ensureFonts();
    const missing = findMissingGlyphs('Hello مرحبا שלום 日本語 😀 नमस्ते \uE000 \u{10FFFD}');
    expect(missing).toEqual(['\uE000', '\u{10FFFD}']);
    expect(findMissingGlyphs('plain text\n\t\u200d\ufe0f')).toEqual([]);
  });

  it('builds font lists only from aliases and installed family names, always quoted', () => {
    ensureFonts();
    const scope = new FontScope('org', new Map(), new Map());
    const chain = FALLBACK_FAMILIES.map((f) => `"${f}"`).join(', ');
    expect(scope.resolve({ font_family: 'Evil", "x; font: 9px' }, 'l')).toEqual({ families: chain, coverage: null, fallback: true });
    expect(scope.resolve({ font_family: '  dejavu   SERIF ' }, 'l')).toMatchObject({ families: `"DejaVu Serif", ${chain}`, fallback: false });
    expect(scope.resolve({ font_family: 'Nope, "DejaVu Sans"' }, 'l').families).toBe(`"DejaVu Sans", ${chain}`);
    // Generic CSS families are no installed font here: the fallback, and the report says so.
    expect(scope.resolve({ font_family: 'serif' }, 'l').fallback).toBe(true);
    expect(scope.resolve({}, 'l')).toEqual({ families: chain, coverage: null, fallback: false });
  });

  it('refuses missing and junk font assets', () => {
    const scope = new FontScope('org', new Map([['font-2', Buffer.from('not a font at all')]]), new Map());
    expect(() => scope.useAsset('font-1', 'l')).toThrow(expect.objectContaining({ code: 'font_unavailable' }));
    expect(() => scope.useAsset('font-2', 'l')).toThrow(RenderError);
    expect(() => scope.resolve({ font_asset_id: 'font-3' }, 'l')).toThrow(expect.objectContaining({ code: 'font_unavailable', layer: 'l' }));
  });
});
