/**
 * Reads just enough of an sfnt (TTF/OTF) to prove it is a font and to learn its family name:
 * the table directory must be sane and contain cmap and name. WOFF2 is accepted by its header.
 */
export function readFontInfo(buf: Buffer): { ok: true; family: string | null } | { ok: false; reason: string } {
  if (buf.length < 12) return { ok: false, reason: 'font file is truncated' };
  const tag = buf.subarray(0, 4).toString('latin1');
  if (tag === 'wOF2') {
    const length = buf.readUInt32BE(8);
    return length === buf.length ? { ok: true, family: null } : { ok: false, reason: 'WOFF2 length does not match the file' };
  }
  const numTables = buf.readUInt16BE(4);
  if (numTables === 0 || numTables > 200 || 12 + numTables * 16 > buf.length) return { ok: false, reason: 'font table directory is invalid' };
  const tables = new Map<string, { offset: number; length: number }>();
  for (let i = 0; i < numTables; i++) {
    const rec = 12 + i * 16;
    const offset = buf.readUInt32BE(rec + 8);
    const length = buf.readUInt32BE(rec + 12);
    if (offset + length > buf.length) return { ok: false, reason: 'font table points outside the file' };
    tables.set(buf.subarray(rec, rec + 4).toString('latin1'), { offset, length });
  }
  if (!tables.has('cmap')) return { ok: false, reason: 'font has no cmap table' };
  const name = tables.get('name');
  if (!name) return { ok: false, reason: 'font has no name table' };
  return { ok: true, family: familyName(buf, name.offset, name.length) };
}

function familyName(buf: Buffer, base: number, length: number): string | null {
  if (length < 6) return null;
  const count = buf.readUInt16BE(base + 2);
  const strings = base + buf.readUInt16BE(base + 4);
  let fallback: string | null = null;
  for (let i = 0; i < count; i++) {
    const rec = base + 6 + i * 12;
    if (rec + 12 > base + length) break;
    const platform = buf.readUInt16BE(rec);
    const nameId = buf.readUInt16BE(rec + 6);
    const len = buf.readUInt16BE(rec + 8);
    const off = strings + buf.readUInt16BE(rec + 10);
    if ((nameId !== 16 && nameId !== 1) || off + len > buf.length) continue;
    const raw = buf.subarray(off, off + len);
    const text = platform === 3 || platform === 0 ? utf16be(raw) : raw.toString('latin1');
    if (nameId === 16) return text.trim() || fallback;
    fallback ??= text.trim() || null;
  }
  return fallback;
}

function utf16be(b: Buffer): string {
  let out = '';
  for (let i = 0; i + 1 < b.length; i += 2) out += String.fromCharCode(b.readUInt16BE(i));
  return out;
}
