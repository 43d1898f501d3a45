import { extname } from 'node:path';

export type SniffedFormat = 'png' | 'jpeg' | 'gif' | 'webp' | 'avif' | 'svg' | 'ttf' | 'otf' | 'woff2';

export interface SniffResult {
  format: SniffedFormat;
  kind: 'image' | 'font';
  contentType: string;
}

const INFO: Record<SniffedFormat, Omit<SniffResult, 'format'>> = {
  png: { kind: 'image', contentType: 'image/png' },
  jpeg: { kind: 'image', contentType: 'image/jpeg' },
  gif: { kind: 'image', contentType: 'image/gif' },
  webp: { kind: 'image', contentType: 'image/webp' },
  avif: { kind: 'image', contentType: 'image/avif' },
  svg: { kind: 'image', contentType: 'image/svg+xml' },
  ttf: { kind: 'font', contentType: 'font/ttf' },
  otf: { kind: 'font', contentType: 'font/otf' },
  woff2: { kind: 'font', contentType: 'font/woff2' },
};

/** Which sniffed formats each file extension may carry. */
const EXTENSIONS: Record<string, SniffedFormat[]> = {
  '.png': ['png'],
  '.jpg': ['jpeg'],
  '.jpeg': ['jpeg'],
  '.jpe': ['jpeg'],
  '.gif': ['gif'],
  '.webp': ['webp'],
  '.avif': ['avif'],
  '.svg': ['svg'],
  '.ttf': ['ttf', 'otf'],
  '.otf': ['otf', 'ttf'],
  '.woff2': ['woff2'],
};

const startsWith = (b: Buffer, bytes: number[], at = 0): boolean => bytes.every((v, i) => b[at + i] === v);
const ascii = (b: Buffer, from: number, to: number): string => b.subarray(from, to).toString('latin1');

/** Decides the format from the bytes alone. */
export function sniffFormat(b: Buffer): SniffedFormat | null {
  if (b.length < 4) return null;
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(b, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a') return 'gif';
  if (ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP') return 'webp';
  if (ascii(b, 4, 8) === 'ftyp') {
    // The ftyp box lists a few brands; its declared size is the uploader's, so it is capped.
    const brands = ascii(b, 8, Math.min(b.length, 4096, 8 + Math.max(8, b.readUInt32BE(0) - 8)));
    if (brands.includes('avif') || brands.includes('avis')) return 'avif';
    return null;
  }
  if (ascii(b, 0, 4) === 'wOF2') return 'woff2';
  if (ascii(b, 0, 4) === 'OTTO') return 'otf';
  if (startsWith(b, [0x00, 0x01, 0x00, 0x00]) || ascii(b, 0, 4) === 'true') return 'ttf';
  if (looksLikeSvg(b)) return 'svg';
  return null;
}

/** JavaScript's `\s` for the code units an XML prolog may contain. */
function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0xa0 || c === 0xfeff || c === 0x2028 || c === 0x2029 || c === 0x3000 || (c >= 0x2000 && c <= 0x200a) || c === 0x1680 || c === 0x202f || c === 0x205f;
}

/**
 * Whether the first 4 KiB are an SVG document: optional BOM, whitespace, one XML declaration and
 * any comments, then `<svg` followed by whitespace or `>`. A forward scan: each step consumes text
 * (indexOf searches start after what was consumed), so it is linear in the 4 KiB it looks at.
 */
function looksLikeSvg(b: Buffer): boolean {
  const s = b.subarray(0, 4096).toString('utf8');
  let i = s.charCodeAt(0) === 0xfeff ? 1 : 0;
  const skip = (): void => {
    while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  };
  skip();
  if (s.slice(i, i + 5).toLowerCase() === '<?xml') {
    const end = s.indexOf('>', i);
    // `[^>]*\?>`: the declaration ends at its first `>`, which must follow a `?`.
    if (end === -1 || s[end - 1] !== '?' || end - 1 < i + 5) return false;
    i = end + 1;
    skip();
  }
  while (s.startsWith('<!--', i)) {
    const end = s.indexOf('-->', i + 4);
    if (end === -1) return false;
    i = end + 3;
    skip();
  }
  if (s.slice(i, i + 4).toLowerCase() !== '<svg') return false;
  const after = s.charCodeAt(i + 4);
  return after === 0x3e || isSpace(after);
}

export function sniff(b: Buffer): SniffResult | null {
  const format = sniffFormat(b);
  return format ? { format, ...INFO[format] } : null;
}

/** True when the upload's name claims a type its bytes are not; an unknown extension claims nothing. */
export function nameContradicts(filename: string, format: SniffedFormat): boolean {
  const allowed = EXTENSIONS[extname(filename).toLowerCase()];
  return allowed !== undefined && !allowed.includes(format);
}
