import { inflateSync } from 'node:zlib';

/**
 * A tiny reader for a font's character map, used to tell which characters no font covers
 * (report.missing_glyphs). Skia has no API for "which typeface would draw this code point",
 * and comparing measureText against the .notdef advance is ambiguous (many real glyphs share
 * its width), so we read the fonts' `cmap` tables ourselves. Font bytes can be untrusted
 * (custom font assets): every read is bounds-checked and any inconsistency yields null.
 */

/** Sorted, merged, inclusive code point ranges: [start0, end0, start1, end1, ...]. */
export class Coverage {
  constructor(readonly ranges: Uint32Array) {}

  has(cp: number): boolean {
    const r = this.ranges;
    let lo = 0;
    let hi = r.length / 2 - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (cp < r[mid * 2]) hi = mid - 1;
      else if (cp > r[mid * 2 + 1]) lo = mid + 1;
      else return true;
    }
    return false;
  }

  static fromRanges(pairs: number[]): Coverage {
    const items: [number, number][] = [];
    for (let i = 0; i + 1 < pairs.length; i += 2) if (pairs[i] <= pairs[i + 1]) items.push([pairs[i], pairs[i + 1]]);
    items.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const merged: number[] = [];
    for (const [s, e] of items) {
      const n = merged.length;
      if (n > 0 && s <= merged[n - 1] + 1) merged[n - 1] = Math.max(merged[n - 1], e);
      else merged.push(s, e);
    }
    return new Coverage(Uint32Array.from(merged));
  }

  static union(list: Coverage[]): Coverage {
    const all: number[] = [];
    for (const c of list) for (const v of c.ranges) all.push(v);
    return Coverage.fromRanges(all);
  }
}

/** Random access to font bytes, so a 20 MB CJK collection is not read whole for one table. */
export type ByteReader = (offset: number, length: number) => Buffer;

export function bufferReader(buf: Buffer): ByteReader {
  return (offset, length) => {
    if (offset < 0 || length < 0 || offset + length > buf.length) throw new RangeError('font read out of bounds');
    return buf.subarray(offset, offset + length);
  };
}

const TAG_TTCF = 0x74746366;
const TAG_WOFF = 0x774f4646;
const TAG_CMAP = 0x636d6170;
const SFNT_TAGS = new Set([0x00010000, 0x4f54544f /* OTTO */, 0x74727565 /* true */]);

/** Coverage of the font's cmap (first face of a collection), or null if unreadable/unsupported (WOFF2). */
export function readCoverage(read: ByteReader): Coverage | null {
  try {
    const tag = read(0, 4).readUInt32BE(0);
    if (tag === TAG_WOFF) return fromCmap(woffCmap(read));
    let base = 0;
    if (tag === TAG_TTCF) base = read(12, 4).readUInt32BE(0);
    const table = sfntTable(read, base, TAG_CMAP);
    return table ? fromCmap(read(table.offset, table.length)) : null;
  } catch {
    return null;
  }
}

function sfntTable(read: ByteReader, base: number, wanted: number): { offset: number; length: number } | null {
  const head = read(base, 12);
  if (!SFNT_TAGS.has(head.readUInt32BE(0))) return null;
  const numTables = head.readUInt16BE(4);
  const dir = read(base + 12, numTables * 16);
  for (let i = 0; i < numTables; i++) {
    if (dir.readUInt32BE(i * 16) === wanted) {
      return { offset: dir.readUInt32BE(i * 16 + 8), length: dir.readUInt32BE(i * 16 + 12) };
    }
  }
  return null;
}

function woffCmap(read: ByteReader): Buffer | null {
  const numTables = read(12, 2).readUInt16BE(0);
  const dir = read(44, numTables * 20);
  for (let i = 0; i < numTables; i++) {
    if (dir.readUInt32BE(i * 20) !== TAG_CMAP) continue;
    const offset = dir.readUInt32BE(i * 20 + 4);
    const compLength = dir.readUInt32BE(i * 20 + 8);
    const origLength = dir.readUInt32BE(i * 20 + 12);
    if (origLength > 16 * 1024 * 1024) return null;
    const data = read(offset, compLength);
    return compLength < origLength ? inflateSync(data, { maxOutputLength: origLength }) : data;
  }
  return null;
}

function fromCmap(cmap: Buffer | null): Coverage | null {
  if (!cmap) return null;
  const numSub = cmap.readUInt16BE(2);
  let f12: number | undefined;
  let f4: number | undefined;
  for (let i = 0; i < numSub; i++) {
    const platform = cmap.readUInt16BE(4 + i * 8);
    const encoding = cmap.readUInt16BE(6 + i * 8);
    const offset = cmap.readUInt32BE(8 + i * 8);
    if (offset + 2 > cmap.length) continue;
    const format = cmap.readUInt16BE(offset);
    const unicode = platform === 0 || (platform === 3 && (encoding === 1 || encoding === 10 || encoding === 0));
    if (!unicode) continue;
    if (format === 12 && f12 === undefined) f12 = offset;
    if (format === 4 && f4 === undefined) f4 = offset;
  }
  if (f12 !== undefined) return format12(cmap, f12);
  if (f4 !== undefined) return format4(cmap, f4);
  return null;
}

function format12(cmap: Buffer, off: number): Coverage {
  const groups = cmap.readUInt32BE(off + 12);
  if (groups > (cmap.length - off - 16) / 12) throw new RangeError('bad cmap');
  const pairs: number[] = [];
  for (let i = 0; i < groups; i++) {
    const p = off + 16 + i * 12;
    let start = cmap.readUInt32BE(p);
    const end = Math.min(cmap.readUInt32BE(p + 4), 0x10ffff);
    // A group starting at glyph 0 maps its first code point to .notdef.
    if (cmap.readUInt32BE(p + 8) === 0) start++;
    pairs.push(start, end);
  }
  return Coverage.fromRanges(pairs);
}

function format4(cmap: Buffer, off: number): Coverage {
  const segX2 = cmap.readUInt16BE(off + 6);
  const ends = off + 14;
  const starts = ends + segX2 + 2;
  const deltas = starts + segX2;
  const rangeOffs = deltas + segX2;
  const pairs: number[] = [];
  for (let s = 0; s < segX2 / 2; s++) {
    const end = cmap.readUInt16BE(ends + s * 2);
    const start = cmap.readUInt16BE(starts + s * 2);
    const delta = cmap.readUInt16BE(deltas + s * 2);
    const ro = cmap.readUInt16BE(rangeOffs + s * 2);
    if (start === 0xffff || start > end) continue;
    if (ro === 0) {
      pairs.push(start, end);
      continue;
    }
    for (let c = start; c <= end; c++) {
      const p = rangeOffs + s * 2 + ro + (c - start) * 2;
      if (p + 2 > cmap.length) break;
      const g = cmap.readUInt16BE(p);
      if (g !== 0 && ((g + delta) & 0xffff) !== 0) pairs.push(c, c);
    }
  }
  return Coverage.fromRanges(pairs);
}
