import { brotliCompressSync, brotliDecompressSync, constants as zlib } from 'node:zlib';

/**
 * Rewrites a font's name table so that its only family name is `family`.
 *
 * Why: Skia registers an uploaded font under its own family name as well as under the alias
 * we pass, process-wide (every render thread shares one registry), and matches names without
 * regard to case. A font registered as-is would answer to its own family name in every
 * organisation's renders, could shadow an installed family of the same name, and two threads
 * registering identical bytes share one typeface, so one thread's eviction would take the
 * font away from the other. Renamed to a per-thread alias, the bytes are unique per
 * registration and the alias is the only name the font system knows for them.
 *
 * TrueType/OpenType (single face) and WOFF2 are rewritten; anything else is null (refused).
 */
export function renameFont(bytes: Buffer, family: string): Buffer | null {
  try {
    if (bytes.length < 12) return null;
    const tag = bytes.readUInt32BE(0);
    if (tag === 0x00010000 || tag === 0x74727565 || tag === 0x4f54544f) return renameSfnt(bytes, family);
    if (tag === 0x774f4632) return renameWoff2(bytes, family);
    return null;
  } catch {
    // Truncated or inconsistent structures: a font we cannot rename is not registered.
    return null;
  }
}

/** A name table with Windows/Unicode/en-US records for family, subfamily, full and PostScript names. */
export function nameTable(family: string): Buffer {
  const records: [number, string][] = [
    [1, family],
    [2, 'Regular'],
    [4, family],
    [6, family.replace(/[^\x21-\x7e]/g, '').slice(0, 63) || 'Font'],
  ];
  const strings = records.map(([, s]) => Buffer.from(s, 'utf16le').swap16());
  const head = Buffer.alloc(6 + 12 * records.length);
  head.writeUInt16BE(0, 0);
  head.writeUInt16BE(records.length, 2);
  head.writeUInt16BE(head.length, 4);
  let offset = 0;
  records.forEach(([id], i) => {
    const r = 6 + i * 12;
    head.writeUInt16BE(3, r); // platform: Windows
    head.writeUInt16BE(1, r + 2); // encoding: Unicode BMP
    head.writeUInt16BE(0x409, r + 4); // language: en-US
    head.writeUInt16BE(id, r + 6);
    head.writeUInt16BE(strings[i].length, r + 8);
    head.writeUInt16BE(offset, r + 10);
    offset += strings[i].length;
  });
  return Buffer.concat([head, ...strings]);
}

const pad4 = (n: number): number => (n + 3) & ~3;

function tableChecksum(data: Buffer): number {
  let sum = 0;
  const whole = data.length & ~3;
  for (let i = 0; i < whole; i += 4) sum = (sum + data.readUInt32BE(i)) >>> 0;
  if (whole < data.length) {
    const tail = Buffer.alloc(4);
    data.copy(tail, 0, whole);
    sum = (sum + tail.readUInt32BE(0)) >>> 0;
  }
  return sum;
}

function renameSfnt(bytes: Buffer, family: string): Buffer | null {
  const numTables = bytes.readUInt16BE(4);
  const dirEnd = 12 + numTables * 16;
  if (numTables === 0 || dirEnd > bytes.length) return null;
  const tables: { tag: string; data: Buffer }[] = [];
  for (let i = 0; i < numTables; i++) {
    const r = 12 + i * 16;
    const offset = bytes.readUInt32BE(r + 8);
    const length = bytes.readUInt32BE(r + 12);
    if (offset + length > bytes.length) return null;
    tables.push({ tag: bytes.toString('latin1', r, r + 4), data: bytes.subarray(offset, offset + length) });
  }
  const name = tables.find((t) => t.tag === 'name');
  if (!name) return null;
  name.data = nameTable(family);
  const header = Buffer.from(bytes.subarray(0, dirEnd));
  const parts: Buffer[] = [header];
  let offset = dirEnd;
  tables.forEach((t, i) => {
    const r = 12 + i * 16;
    header.writeUInt32BE(tableChecksum(t.data), r + 4);
    header.writeUInt32BE(offset, r + 8);
    header.writeUInt32BE(t.data.length, r + 12);
    parts.push(t.data, Buffer.alloc(pad4(t.data.length) - t.data.length));
    offset += pad4(t.data.length);
  });
  return Buffer.concat(parts);
}

/** WOFF2's variable-length unsigned integer (at most 5 bytes, no leading zeros). */
function readBase128(b: Buffer, at: number): [value: number, next: number] {
  let value = 0;
  for (let i = 0; i < 5; i++) {
    const byte = b[at + i];
    if (byte === undefined || (i === 0 && byte === 0x80)) throw new Error('bad UIntBase128');
    value = value * 128 + (byte & 0x7f);
    if (value > 0xffffffff) throw new Error('UIntBase128 overflow');
    if ((byte & 0x80) === 0) return [value, at + i + 1];
  }
  throw new Error('UIntBase128 too long');
}

function writeBase128(value: number): Buffer {
  const out: number[] = [value & 0x7f];
  for (let v = Math.floor(value / 128); v > 0; v = Math.floor(v / 128)) out.unshift((v & 0x7f) | 0x80);
  return Buffer.from(out);
}

/** Index of 'name' in WOFF2's table of known tags. */
const WOFF2_NAME_TAG_INDEX = 5;
/** The decompressed table data of one upload can never legitimately be larger (uploads are 10 MB). */
const WOFF2_MAX_TABLE_BYTES = 256 * 1024 * 1024;

/**
 * WOFF2: the name table is never transformed, so it sits verbatim in the one brotli stream of
 * table data (tables back to back in directory order). Metadata and private blocks are dropped.
 */
function renameWoff2(bytes: Buffer, family: string): Buffer | null {
  if (bytes.length < 48) return null;
  if (bytes.readUInt32BE(4) === 0x74746366) return null; // collections: refused
  const numTables = bytes.readUInt16BE(12);
  const compressedSize = bytes.readUInt32BE(20);
  const entries: { raw: Buffer; isName: boolean; origLength: number; dataLength: number }[] = [];
  let at = 48;
  for (let i = 0; i < numTables; i++) {
    const start = at;
    const flags = bytes[at++];
    if (flags === undefined) return null;
    const tagIndex = flags & 0x3f;
    let tag = '';
    if (tagIndex === 0x3f) {
      if (at + 4 > bytes.length) return null;
      tag = bytes.toString('latin1', at, at + 4);
      at += 4;
    }
    const isName = tagIndex === WOFF2_NAME_TAG_INDEX || tag === 'name';
    const version = flags >> 6;
    const [origLength, afterOrig] = readBase128(bytes, at);
    at = afterOrig;
    // glyf (10) and loca (11) are transformed at version 0; every other table at versions 1-3.
    const glyfOrLoca = tagIndex === 10 || tagIndex === 11 || tag === 'glyf' || tag === 'loca';
    const transformed = glyfOrLoca ? version !== 3 : version !== 0;
    let dataLength = origLength;
    if (transformed) [dataLength, at] = readBase128(bytes, at);
    if (isName && transformed) return null;
    entries.push({ raw: bytes.subarray(start, at), isName, origLength, dataLength });
  }
  const nameIndex = entries.findIndex((e) => e.isName);
  if (nameIndex < 0 || at + compressedSize > bytes.length) return null;
  const total = entries.reduce((s, e) => s + e.dataLength, 0);
  if (total > WOFF2_MAX_TABLE_BYTES) return null;
  const data = brotliDecompressSync(bytes.subarray(at, at + compressedSize), { maxOutputLength: Math.max(1, total) });
  if (data.length !== total) return null;

  const name = nameTable(family);
  const nameOffset = entries.slice(0, nameIndex).reduce((s, e) => s + e.dataLength, 0);
  const old = entries[nameIndex];
  const tableData = Buffer.concat([data.subarray(0, nameOffset), name, data.subarray(nameOffset + old.dataLength)]);
  // Fast settings: the stream only travels from this thread to Skia, which decompresses it at once.
  const compressed = brotliCompressSync(tableData, {
    params: { [zlib.BROTLI_PARAM_QUALITY]: 2, [zlib.BROTLI_PARAM_SIZE_HINT]: tableData.length },
  });
  const flagsAndTag = old.raw.subarray(0, old.raw[0] === undefined || (old.raw[0] & 0x3f) !== 0x3f ? 1 : 5);
  const directory = Buffer.concat(entries.map((e) => (e.isName ? Buffer.concat([flagsAndTag, writeBase128(name.length)]) : e.raw)));
  const header = Buffer.from(bytes.subarray(0, 48));
  const length = pad4(48 + directory.length + compressed.length);
  header.writeUInt32BE(length, 8);
  header.writeUInt32BE(bytes.readUInt32BE(16) - pad4(old.origLength) + pad4(name.length), 16); // totalSfntSize
  header.writeUInt32BE(compressed.length, 20);
  header.fill(0, 28, 48); // no metadata, no private block
  return Buffer.concat([header, directory, compressed], length);
}
