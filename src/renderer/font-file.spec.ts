import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { fontFormat, readFontInfo } from './font-file.js';

describe('readFontInfo', () => {
  it('reads family, weight and coverage from one parse', () => {
    const info = readFontInfo(readFileSync('/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf'));
    expect(info).toMatchObject({ ok: true, format: 'ttf', family: 'Noto Sans', weight: 700 });
    if (!info.ok) throw new Error('expected a font');
    expect(info.coverage?.has(0x41)).toBe(true);
    expect(info.coverage?.has(0x65e5)).toBe(false);
  });

  it('reads the first face of a collection', () => {
    const info = readFontInfo(readFileSync('/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc'));
    expect(info).toMatchObject({ ok: true, format: 'ttc' });
    if (!info.ok) throw new Error('expected a font');
    expect(info.coverage?.has(0x65e5)).toBe(true);
  });

  it('refuses what is not a font, and a truncated table directory', () => {
    expect(readFontInfo(Buffer.from('definitely not a font'))).toMatchObject({ ok: false });
    expect(readFontInfo(Buffer.from([0, 1, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0]))).toMatchObject({ ok: false });
    const woff2 = Buffer.alloc(48);
    woff2.write('wOF2', 0, 'latin1');
    woff2.writeUInt32BE(999, 8);
    expect(readFontInfo(woff2)).toEqual({ ok: false, reason: 'WOFF2 length does not match the file' });
    expect(fontFormat(woff2)).toBe('woff2');
  });
});
