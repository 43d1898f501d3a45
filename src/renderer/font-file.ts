import { createRequire } from 'node:module';
import type * as Fontkit from 'fontkit';

/**
 * fontkit is loaded on the first parse, not on import: the render threads import this module
 * (fontFormat, Coverage) but have their fonts parsed elsewhere (font-coverage-thread.ts), and
 * fontkit in their heap costs CPU on every render.
 */
let loaded: typeof Fontkit | undefined;
function fontkit(): typeof Fontkit {
  loaded ??= createRequire(import.meta.url)('fontkit') as typeof Fontkit;
  return loaded;
}

/**
 * The one font parser (fontkit): TTF, OTF, collections, WOFF and WOFF2. Asset upload uses it to
 * accept a font and learn its family and weight; the renderer uses the same parse for the
 * glyph coverage behind report.missing_glyphs (Skia has no "which typeface draws this code
 * point" API, and comparing advances against .notdef is ambiguous). Font bytes can be
 * untrusted: every failure of the parser becomes a refusal or a null, never a throw.
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

  /** From single code points (fontkit's characterSet), as runs. */
  static fromCodePoints(cps: readonly number[]): Coverage {
    const pairs: number[] = [];
    for (const cp of cps) if (Number.isInteger(cp) && cp >= 0 && cp <= 0x10ffff) pairs.push(cp, cp);
    return Coverage.fromRanges(pairs);
  }

  static union(list: Coverage[]): Coverage {
    const all: number[] = [];
    for (const c of list) for (const v of c.ranges) all.push(v);
    return Coverage.fromRanges(all);
  }
}

export type FontFormat = 'ttf' | 'otf' | 'ttc' | 'woff' | 'woff2';

export interface FontInfo {
  format: FontFormat;
  /** Typographic family (name ID 16, else 1); null when the font names none. */
  family: string | null;
  /** OS/2 usWeightClass; null when the font has no OS/2 table. */
  weight: number | null;
  /** Code points the cmap maps to a real glyph; null when the font has no usable cmap. */
  coverage: Coverage | null;
}

const MAGIC: Record<number, FontFormat> = {
  0x00010000: 'ttf',
  0x74727565: 'ttf', // 'true'
  0x4f54544f: 'otf', // 'OTTO'
  0x74746366: 'ttc', // 'ttcf'
  0x774f4646: 'woff', // 'wOFF'
  0x774f4632: 'woff2', // 'wOF2'
};

/** The container format from the first four bytes, or null for anything that is not a font. */
export function fontFormat(bytes: Buffer): FontFormat | null {
  return bytes.length >= 12 ? (MAGIC[bytes.readUInt32BE(0)] ?? null) : null;
}

/**
 * Real fonts have a few dozen tables and collections a few dozen faces; fontkit walks whatever a
 * header declares (a TTC claiming 100,000 faces or an sfnt claiming 65,535 tables costs it about
 * a second), so declared counts are bounded before it is called.
 */
export const MAX_FONT_TABLES = 256;
export const MAX_COLLECTION_FONTS = 256;
/**
 * What a WOFF or WOFF2 may declare its tables to decompress to, in total. fontkit allocates the
 * declared sizes and inflates (tiny-inflate) or brotli-decodes (brotli.js, pure JavaScript) into
 * them; the largest CJK fonts are about 20 MB uncompressed.
 */
export const MAX_FONT_DECODED_BYTES = 64 * 1024 * 1024;
/** Brotli and deflate rarely exceed this ratio on font data; a bomb declares far more. */
export const MAX_FONT_EXPANSION = 40;

/** WOFF 1: 20-byte directory entries (tag, offset, compLength, origLength, checksum). */
function woffProblem(bytes: Buffer, count: number): string | null {
  let decoded = 0;
  for (let i = 0; i < count; i++) {
    const at = 44 + 20 * i;
    const offset = bytes.readUInt32BE(at + 4);
    const compLength = bytes.readUInt32BE(at + 8);
    const origLength = bytes.readUInt32BE(at + 12);
    if (offset + compLength > bytes.length) return 'font table runs past the end of the file';
    if (compLength < origLength && origLength > MAX_FONT_EXPANSION * compLength + 1024) return `font table declares ${origLength} bytes from ${compLength} compressed`;
    decoded += origLength;
  }
  return decoded > MAX_FONT_DECODED_BYTES ? `font tables declare ${decoded} bytes (at most ${MAX_FONT_DECODED_BYTES})` : null;
}

/** WOFF2's UIntBase128 at `at`: [value, next position], or null when malformed (as the spec defines it). */
function base128(bytes: Buffer, at: number): [number, number] | null {
  let value = 0;
  for (let i = 0; i < 5; i++) {
    if (at + i >= bytes.length) return null;
    const b = bytes[at + i];
    if (i === 0 && b === 0x80) return null;
    if (value > 0x1ffffff) return null;
    value = value * 128 + (b & 0x7f);
    if ((b & 0x80) === 0) return [value, at + i + 1];
  }
  return null;
}

/**
 * WOFF2: walks the table directory (at most MAX_FONT_TABLES entries of at most 14 bytes) and
 * bounds what fontkit would decompress: the sum of the declared (transformed) lengths is the
 * buffer brotli.js fills, from totalCompressedSize bytes that must lie inside the file.
 */
function woff2Problem(bytes: Buffer, count: number): string | null {
  let at = 48;
  let decoded = 0;
  for (let i = 0; i < count; i++) {
    if (at >= bytes.length) return 'font table directory is truncated';
    const flags = bytes[at++];
    let tag: string | null = null;
    if ((flags & 0x3f) === 0x3f) {
      if (at + 4 > bytes.length) return 'font table directory is truncated';
      tag = bytes.toString('latin1', at, at + 4);
      at += 4;
    }
    const glyfOrLoca = tag === null ? (flags & 0x3f) === 10 || (flags & 0x3f) === 11 : tag === 'glyf' || tag === 'loca';
    const version = flags >>> 6;
    const transformed = glyfOrLoca ? version === 0 : version !== 0;
    const length = base128(bytes, at);
    if (!length) return 'font table directory is malformed';
    at = length[1];
    let size = length[0];
    if (transformed) {
      const t = base128(bytes, at);
      if (!t) return 'font table directory is malformed';
      at = t[1];
      size = t[0];
    }
    decoded += size;
  }
  const compressed = bytes.readUInt32BE(20);
  if (at + compressed > bytes.length) return 'font compressed data runs past the end of the file';
  if (decoded > MAX_FONT_DECODED_BYTES) return `font tables declare ${decoded} bytes (at most ${MAX_FONT_DECODED_BYTES})`;
  if (decoded > MAX_FONT_EXPANSION * compressed + 1024) return `font tables declare ${decoded} bytes from ${compressed} compressed`;
  return null;
}

/** Header counts out of bounds, or a directory longer than the file: checked in constant time. */
function headerProblem(bytes: Buffer, format: FontFormat): string | null {
  // A WOFF2 without tables stays acceptable, as before the bounds (its tables are read when present).
  const tables = (count: number, directoryEnd: number, allowNone = false): string | null => {
    if ((count === 0 && !allowNone) || count > MAX_FONT_TABLES) return `font declares ${count} tables (at most ${MAX_FONT_TABLES})`;
    return directoryEnd > bytes.length ? 'font table directory is truncated' : null;
  };
  switch (format) {
    case 'ttf':
    case 'otf':
      return tables(bytes.readUInt16BE(4), 12 + 16 * bytes.readUInt16BE(4));
    case 'ttc': {
      const faces = bytes.readUInt32BE(8);
      if (faces === 0 || faces > MAX_COLLECTION_FONTS) return `font collection declares ${faces} fonts (at most ${MAX_COLLECTION_FONTS})`;
      return 12 + 4 * faces > bytes.length ? 'font collection directory is truncated' : null;
    }
    case 'woff': {
      if (bytes.length < 44) return 'font file is truncated';
      const count = bytes.readUInt16BE(12);
      return tables(count, 44 + 20 * count) ?? woffProblem(bytes, count);
    }
    case 'woff2': {
      if (bytes.length < 48) return 'font file is truncated';
      const count = bytes.readUInt16BE(12);
      return tables(count, 48 + count, true) ?? woff2Problem(bytes, count);
    }
  }
}

function attempt<T>(f: () => T): T | null {
  try {
    return f() ?? null;
  } catch {
    return null;
  }
}

function tableTags(font: Fontkit.Font): Set<string> {
  const tables = (font as unknown as { directory?: { tables?: unknown } }).directory?.tables;
  if (Array.isArray(tables)) return new Set(tables.map((t: { tag?: string }) => String(t?.tag)));
  return new Set(tables && typeof tables === 'object' ? Object.keys(tables) : []);
}

/**
 * Parses a font once. Refused: anything fontkit cannot open, and an sfnt/WOFF without cmap or
 * name table (a font we could neither name nor check coverage of). WOFF2 keeps the rule uploads
 * had before fontkit: its header must state the file's true length; tables are read when present.
 */
export function readFontInfo(bytes: Buffer): ({ ok: true } & FontInfo) | { ok: false; reason: string } {
  if (bytes.length < 12) return { ok: false, reason: 'font file is truncated' };
  const format = fontFormat(bytes);
  if (!format) return { ok: false, reason: 'not a TrueType, OpenType, WOFF or WOFF2 font' };
  if (format === 'woff2' && bytes.readUInt32BE(8) !== bytes.length) return { ok: false, reason: 'WOFF2 length does not match the file' };
  const problem = headerProblem(bytes, format);
  if (problem) return { ok: false, reason: problem };
  let font: Fontkit.Font;
  try {
    const opened = fontkit().create(bytes);
    // A collection stands for its first face (the one Skia registers first).
    font = 'fonts' in opened ? opened.fonts[0] : opened;
    if (!font) return { ok: false, reason: 'font collection is empty' };
  } catch (e) {
    return { ok: false, reason: `font could not be parsed: ${e instanceof Error ? e.message : String(e)}` };
  }
  if (format !== 'woff2') {
    const tags = tableTags(font);
    if (!tags.has('cmap')) return { ok: false, reason: 'font has no cmap table' };
    if (!tags.has('name')) return { ok: false, reason: 'font has no name table' };
  }
  const family = attempt(() => font.getName('preferredFamily', 'en') ?? font.familyName);
  const weight = attempt(() => (font as unknown as { 'OS/2'?: { usWeightClass?: number } })['OS/2']?.usWeightClass);
  const cps = attempt(() => font.characterSet);
  return {
    ok: true,
    format,
    family: typeof family === 'string' && family.trim() ? family.trim() : null,
    weight: typeof weight === 'number' ? weight : null,
    coverage: cps && cps.length > 0 ? Coverage.fromCodePoints(cps) : null,
  };
}

/** Glyph coverage only (rendering), or null when the bytes are no readable font. */
export function fontCoverage(bytes: Buffer): Coverage | null {
  const info = readFontInfo(bytes);
  return info.ok ? info.coverage : null;
}
