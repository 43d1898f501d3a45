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

describe('readFontInfo bounds what a header declares before fontkit walks it', () => {
  const header = (tag: number, at: number, count: number, size = 4096, width: 16 | 32 = 16): Buffer => {
    const b = Buffer.alloc(size);
    b.writeUInt32BE(tag, 0);
    if (width === 16) b.writeUInt16BE(count, at);
    else b.writeUInt32BE(count, at);
    return b;
  };

  it.each([
    ['an sfnt of 65,535 tables', header(0x00010000, 4, 0xffff, 2 * 1024 * 1024), 'font declares 65535 tables (at most 256)'],
    ['an sfnt of no tables', header(0x00010000, 4, 0), 'font declares 0 tables (at most 256)'],
    ['an sfnt whose directory is longer than the file', header(0x4f54544f, 4, 200, 1024), 'font table directory is truncated'],
    ['a collection of 100,000 faces', header(0x74746366, 8, 100_000, 4096, 32), 'font collection declares 100000 fonts (at most 256)'],
    ['a collection whose offsets run past the end', header(0x74746366, 8, 200, 512, 32), 'font collection directory is truncated'],
    ['a WOFF of 1,000 tables', header(0x774f4646, 12, 1000), 'font declares 1000 tables (at most 256)'],
  ])('refuses %s', (_, bytes, reason) => {
    expect(readFontInfo(bytes)).toEqual({ ok: false, reason });
  });
});
