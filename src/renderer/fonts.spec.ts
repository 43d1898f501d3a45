import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { GlobalFonts } from '@napi-rs/canvas';
import { fontCoverage } from './font-file.js';
import { ensureFonts, familyList, FALLBACK_FAMILIES, findMissingGlyphs, registerCustomFont } from './fonts.js';
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

  it('builds a safe font-family list', () => {
    expect(familyList('Evil", "x; font: 9px')).toBe(
      '"Evil x font 9px", "Noto Sans", "Noto Sans Arabic", "Noto Sans Hebrew", "Noto Sans CJK JP", "Noto Color Emoji"',
    );
    expect(familyList(undefined, 'alias-1').startsWith('"alias-1", "Noto Sans"')).toBe(true);
  });

  it('registers custom fonts once and rejects junk', () => {
    const bytes = readFileSync('/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf');
    const alias = registerCustomFont('font-1', bytes, 'l');
    expect(registerCustomFont('font-1', bytes, 'l')).toBe(alias);
    expect(() => registerCustomFont('font-1', undefined, 'l')).toThrow(expect.objectContaining({ code: 'font_unavailable' }));
    expect(GlobalFonts.has(alias)).toBe(true);
    expect(() => registerCustomFont('font-2', Buffer.from('not a font at all'), 'l')).toThrow(RenderError);
    expect(() => registerCustomFont('font-3', undefined, 'l')).toThrow(expect.objectContaining({ code: 'font_unavailable' }));
  });
});
