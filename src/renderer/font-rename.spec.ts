import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { woff2Of } from '../../test/fixtures/fonts.js';
import { readFontInfo } from './font-file.js';
import { familyCandidates, familyKey } from './font-names.js';
import { renameFont } from './font-rename.js';

const SERIF = readFileSync('/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf');

describe('renameFont', () => {
  it('gives a TrueType font the new family and keeps its glyphs', () => {
    const out = renameFont(SERIF, 'imtegrate-0123456789abcdef0123456789abcdef')!;
    const info = readFontInfo(out);
    expect(info).toMatchObject({ ok: true, format: 'ttf', family: 'imtegrate-0123456789abcdef0123456789abcdef' });
    if (!info.ok) throw new Error('expected a font');
    expect(info.coverage?.has(0x41)).toBe(true);
  });

  it('renames WOFF2 in place of its name table', () => {
    const out = renameFont(woff2Of(SERIF), 'Renamed Family')!;
    expect(out.readUInt32BE(8)).toBe(out.length);
    expect(readFontInfo(out)).toMatchObject({ ok: true, format: 'woff2', family: 'Renamed Family' });
  });

  it('answers null, never throws, for what it cannot rename', () => {
    const ttc = Buffer.concat([Buffer.from('ttcf', 'latin1'), Buffer.alloc(60)]);
    const woff2 = woff2Of(SERIF);
    const inputs = [Buffer.alloc(0), Buffer.from('garbage bytes here'), ttc, SERIF.subarray(0, 40), woff2.subarray(0, 100), woff2.subarray(0, woff2.length - 9)];
    // Truncations through the table directories and into the data of both formats.
    for (let n = 12; n < 600; n += 7) inputs.push(SERIF.subarray(0, n), woff2.subarray(0, n));
    for (const b of inputs) expect(renameFont(b, 'x')).toBeNull();
  });
});

describe('family names', () => {
  it('compares names by key: case, quotes, escapes, spacing and compatibility forms ignored', () => {
    const key = familyKey('Acme Brand');
    for (const s of ['acme brand', 'ACME BRAND', '  Acme \t  Brand ', '"Acme Brand"', "'Acme Brand'", 'Acme\\ Brand', 'Ａｃｍｅ Ｂｒａｎｄ', 'Acme \u200bBrand']) {
      expect({ s, key: familyKey(s) }).toEqual({ s, key });
    }
    expect(familyKey('Acme-Brand')).not.toBe(key);
  });

  it('reads a font_family as a list, in order, without repeats or empties, bounded', () => {
    expect(familyCandidates('"Acme Brand", acme brand, , serif')).toEqual(['acme brand', 'serif']);
    expect(familyCandidates(42)).toEqual([]);
    expect(familyCandidates(Array.from({ length: 50 }, (_, i) => `f${i}`).join(','))).toHaveLength(8);
  });
});
