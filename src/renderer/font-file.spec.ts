import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { woff2Of } from '../../test/fixtures/fonts.js';
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

describe('readFontInfo bounds what a WOFF or WOFF2 declares it decompresses to', () => {
  const sfnt = readFileSync('/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf');

  it('reads a WOFF2 whose declared sizes are its real ones', () => {
    expect(readFontInfo(woff2Of(sfnt))).toMatchObject({ ok: true, format: 'woff2', family: 'DejaVu Serif' });
  });

  it('refuses a WOFF2 declaring a table of 4 GB before brotli runs, in constant time', () => {
    const bomb = woff2Of(sfnt);
    // The first entry: flags, an explicit tag, then its length; a 5-byte UIntBase128 of 2^32 - 1 in its place.
    const lengthAt = 48 + 1 + 4;
    const old = [...bomb.subarray(lengthAt, lengthAt + 5)].findIndex((b) => (b & 0x80) === 0) + 1;
    const patched = Buffer.concat([bomb.subarray(0, lengthAt), Buffer.from([0x8f, 0xff, 0xff, 0xff, 0x7f]), bomb.subarray(lengthAt + old)]);
    patched.writeUInt32BE(patched.length, 8);
    const t0 = performance.now();
    expect(readFontInfo(patched)).toMatchObject({ ok: false, reason: expect.stringMatching(/^font tables declare \d+ bytes/) });
    expect(performance.now() - t0).toBeLessThan(50);
  });

  it('refuses a WOFF2 whose compressed data runs past the file, and a malformed directory', () => {
    const font = woff2Of(sfnt);
    const past = Buffer.from(font);
    past.writeUInt32BE(font.length, 20);
    expect(readFontInfo(past)).toEqual({ ok: false, reason: 'font compressed data runs past the end of the file' });
    const leadingZero = Buffer.concat([font.subarray(0, 53), Buffer.from([0x80]), font.subarray(53)]);
    leadingZero.writeUInt32BE(leadingZero.length, 8);
    expect(readFontInfo(leadingZero)).toEqual({ ok: false, reason: 'font table directory is malformed' });
  });

  it('refuses a WOFF table inflating to far more than its compressed size', () => {
    const woff = Buffer.alloc(44 + 20 + 100);
    woff.writeUInt32BE(0x774f4646, 0);
    woff.writeUInt32BE(woff.length, 8);
    woff.writeUInt16BE(1, 12);
    woff.write('glyf', 44, 'latin1');
    woff.writeUInt32BE(64, 48);
    woff.writeUInt32BE(100, 52);
    woff.writeUInt32BE(1 << 30, 56);
    expect(readFontInfo(woff)).toEqual({ ok: false, reason: 'font table declares 1073741824 bytes from 100 compressed' });
  });
});
