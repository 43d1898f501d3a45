import sharp from 'sharp';
import { LIMITS } from './document.js';
import { svgUnsafeReason } from './svg.js';
import { RenderError } from './types.js';

/**
 * What an SVG makes librsvg decode besides its own surface: every `data:` URI in it (an
 * `<image href>`, `<feImage>`, `url(data:...)`), and inside embedded SVGs theirs, recursively.
 * librsvg decodes each embedded raster at its full intrinsic size whatever size it is drawn at,
 * so a tiny SVG can carry a decompression bomb; measuring from the headers (sharp metadata, which
 * decodes nothing) lets the render budget refuse it before the memory is spent.
 *
 * svgUnsafeReason has already refused every reference that is not `#...` or a literal `data:`,
 * so the literal text `data:` (any case) finds every URI librsvg could load. librsvg sniffs the
 * payload and ignores the declared media type, so payloads are classified by their bytes.
 */

export interface Embedded {
  /** Pixels of embedded rasters, decoded at their intrinsic size. */
  rasterPixels: number;
  /** Pixels of embedded SVG surfaces at 72 dpi: they grow with the density the outer SVG is drawn at. */
  svgPixels: number;
  /** Decoded payload bytes of every data: URI, all levels. */
  bytes: number;
}

export const NO_EMBEDDED: Embedded = Object.freeze({ rasterPixels: 0, svgPixels: 0, bytes: 0 });
const NONE = NO_EMBEDDED;

/** Entities XML resolves inside attribute values and text; anything else is left as it is. */
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeXmlEntities(s: string): string {
  if (!s.includes('&')) return s;
  let out = '';
  let i = 0;
  while (i < s.length) {
    const amp = s.indexOf('&', i);
    const semi = amp === -1 ? -1 : s.indexOf(';', amp + 1);
    // Entity names and character references are short; a far-away ';' is not one.
    if (amp === -1 || semi === -1 || semi - amp > 10) {
      out += s.slice(i);
      break;
    }
    out += s.slice(i, amp);
    const name = s.slice(amp + 1, semi);
    let ch: string | undefined = NAMED[name];
    if (ch === undefined && name.startsWith('#')) {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      if (Number.isInteger(code) && code >= 0 && code <= 0x10ffff) ch = String.fromCodePoint(code);
    }
    if (ch === undefined) {
      out += '&';
      i = amp + 1;
    } else {
      out += ch;
      i = semi + 1;
    }
  }
  return out;
}

const HEX = /^[0-9a-fA-F]{2}$/;
const WS = /\s/;

/** Percent-decoding into bytes; a malformed escape stays literal, as URL parsers leave it. */
function percentDecode(s: string): Buffer {
  if (!s.includes('%')) return Buffer.from(s, 'utf8');
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = s.indexOf('%'); i !== -1; i = s.indexOf('%', i + 1)) {
    const hex = s.slice(i + 1, i + 3);
    if (!HEX.test(hex)) continue;
    parts.push(Buffer.from(s.slice(start, i), 'utf8'), Buffer.from([parseInt(hex, 16)]));
    start = i + 3;
    i += 2;
  }
  parts.push(Buffer.from(s.slice(start), 'utf8'));
  return Buffer.concat(parts);
}

/** The payload of the `data:` URI whose text runs from `at` (just past `data:`) to `end`. */
function payload(svg: string, at: number, end: number): Buffer {
  const uri = decodeXmlEntities(svg.slice(at, end));
  const comma = uri.indexOf(',');
  if (comma === -1) return Buffer.alloc(0);
  const header = uri.slice(0, comma).toLowerCase();
  const data = uri.slice(comma + 1);
  // Node's base64 decoder skips whitespace and stray characters; librsvg's is no more lenient.
  return header.endsWith(';base64') ? Buffer.from(percentDecode(data).toString('latin1'), 'base64') : percentDecode(data);
}

/**
 * Every data: URI payload in the document, in order; at most `max + 1` (the caller refuses more).
 * The search resumes after each URI, so `data:` inside one is not another and the scan stays
 * linear in the document's length.
 */
export function dataUriPayloads(svg: string, max = Infinity): Buffer[] {
  const out: Buffer[] = [];
  for (let i = nextDataUri(svg, 0); i !== -1 && out.length <= max; i = nextDataUri(svg, i)) {
    let before = i - 1;
    while (before >= 0 && WS.test(svg[before])) before--;
    const opener = svg[before];
    // Inside url( ) the value may end at ')' or a quote; inside an attribute only at its quote
    // (a raw ')' is legal in a URI); elsewhere at any quote or markup.
    const terminators = opener === '(' ? ')"\'<' : opener === '"' || opener === "'" ? opener : '"\'<>';
    let end = i + 5;
    while (end < svg.length && !terminators.includes(svg[end])) end++;
    out.push(payload(svg, i + 5, end));
    i = end;
  }
  return out;
}

/**
 * Where the next `data:` (ASCII case ignored) starts at or after `from`, or -1. Each `:` is
 * looked at once with four comparisons: no lower-cased copy of the document (a callback per
 * upper-case run cost seconds on 4 MB of alternating case, on the API's event loop at upload).
 */
function nextDataUri(s: string, from: number): number {
  const lowerAt = (k: number): number => {
    const c = s.charCodeAt(k);
    return c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
  };
  for (let c = s.indexOf(':', from + 4); c !== -1; c = s.indexOf(':', c + 1)) {
    const i = c - 4;
    if (lowerAt(i) === 0x64 && lowerAt(i + 1) === 0x61 && lowerAt(i + 2) === 0x74 && lowerAt(i + 3) === 0x61) return i;
  }
  return -1;
}

/** Markup first (after a BOM and whitespace): treated as SVG and checked as one. */
export function looksLikeSvg(bytes: Buffer): boolean {
  const head = bytes.subarray(0, 1024).toString('utf8').replace(/^\uFEFF/, '').trimStart();
  return head.startsWith('<');
}

/**
 * Measures what `svg` embeds, refusing (image_invalid) an embedded SVG that is not
 * self-contained, nesting deeper than LIMITS.maxSvgNesting, more than LIMITS.maxEmbeddedImages
 * URIs in one source, (image_too_large) an embedded raster over LIMITS.maxInputPixels, and
 * (render_bytes_budget_exceeded) payloads adding up to more than `maxBytes`, checked as they are
 * decoded so that nesting cannot multiply the memory held.
 */
export async function measureEmbedded(svg: string, layer: string, maxBytes = Infinity): Promise<Embedded> {
  const seen = { count: 0, bytes: 0, maxBytes };
  return measure(svg, layer, 1, seen);
}

interface Seen {
  count: number;
  bytes: number;
  maxBytes: number;
}

async function measure(svg: string, layer: string, depth: number, seen: Seen): Promise<Embedded> {
  const payloads = dataUriPayloads(svg, LIMITS.maxEmbeddedImages - seen.count);
  if (payloads.length === 0) return NONE;
  seen.count += payloads.length;
  if (seen.count > LIMITS.maxEmbeddedImages) {
    throw new RenderError('image_invalid', `SVG embeds more than ${LIMITS.maxEmbeddedImages} data: URIs`, layer);
  }
  for (const p of payloads) seen.bytes += p.length;
  if (seen.bytes > seen.maxBytes) {
    throw new RenderError('render_bytes_budget_exceeded', `the data: URIs the SVG embeds decode to more than ${seen.maxBytes} bytes`, layer);
  }
  const parts = await Promise.all(
    payloads.map(async (bytes): Promise<Embedded> => {
      if (bytes.length === 0) return NONE;
      if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
        throw new RenderError('image_invalid', 'SVG embeds compressed (gzip/SVGZ) data', layer);
      }
      if (looksLikeSvg(bytes)) {
        if (depth >= LIMITS.maxSvgNesting) {
          throw new RenderError('image_invalid', `SVG images are nested more than ${LIMITS.maxSvgNesting} deep`, layer);
        }
        const text = bytes.toString('utf8');
        const unsafe = svgUnsafeReason(text);
        if (unsafe) throw new RenderError('image_invalid', `embedded SVG rejected: ${unsafe}`, layer);
        const [own, inner] = await Promise.all([dimensions(bytes), measure(text, layer, depth + 1, seen)]);
        return { rasterPixels: inner.rasterPixels, svgPixels: own + inner.svgPixels, bytes: bytes.length + inner.bytes };
      }
      const pixels = await dimensions(bytes);
      if (pixels > LIMITS.maxInputPixels) {
        throw new RenderError('image_too_large', `an image embedded in the SVG exceeds ${LIMITS.maxInputPixels} pixels`, layer);
      }
      return { rasterPixels: pixels, svgPixels: 0, bytes: bytes.length };
    }),
  );
  return parts.reduce((a, b) => ({ rasterPixels: a.rasterPixels + b.rasterPixels, svgPixels: a.svgPixels + b.svgPixels, bytes: a.bytes + b.bytes }), NONE);
}

/**
 * Width x height from the header. A payload sharp cannot read counts no pixels: librsvg in
 * sharp's build decodes with the same loaders (a BMP, which neither reads, is drawn as nothing).
 */
async function dimensions(bytes: Buffer): Promise<number> {
  try {
    const meta = await sharp(bytes, { limitInputPixels: false, pages: 1 }).metadata();
    return (meta.width ?? 0) * (meta.pageHeight ?? meta.height ?? 0);
  } catch {
    return 0;
  }
}
