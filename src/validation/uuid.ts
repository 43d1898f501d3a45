/**
 * UUID parsing exactly as pydantic 2.13 does it, which delegates to the Rust crate uuid 1.23:
 * `Uuid::parse_str` (src/parser.rs) for what is accepted and `InvalidUuid::into_err`
 * (src/error.rs) for the error text. Lengths and positions are in UTF-8 bytes, as in Rust.
 */
import { errorItem, type FastApiErrorItem, type Loc } from '../http/validation-errors.js';

export type UuidParseResult = { ok: true; value: string } | { ok: false; error: string };

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();
const URN_PREFIX = 'urn:uuid:';
const HYPHEN = 0x2d;
const GROUP_LENGTHS = [8, 4, 4, 4, 12];
/** Where each group of a hyphenated UUID starts. */
const BLOCK_STARTS = [0, 9, 14, 19, 24];

const isHex = (b: number): boolean => (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x66) || (b >= 0x41 && b <= 0x46);

function startsWithUrn(b: Uint8Array): boolean {
  if (b.length < URN_PREFIX.length) return false;
  for (let i = 0; i < URN_PREFIX.length; i++) if (b[i] !== URN_PREFIX.charCodeAt(i)) return false;
  return true;
}

const isBraced = (b: Uint8Array): boolean => b.length >= 2 && b[0] === 0x7b && b[b.length - 1] === 0x7d;

function canonical(hexDigits: string): string {
  const h = hexDigits.toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function parseSimple(s: Uint8Array): string | undefined {
  for (const b of s) if (!isHex(b)) return undefined;
  return canonical(String.fromCharCode(...s));
}

function parseHyphenated(s: Uint8Array): string | undefined {
  if (s.length !== 36) return undefined;
  let digits = '';
  for (let i = 0; i < 36; i++) {
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (s[i] !== HYPHEN) return undefined;
    } else if (isHex(s[i])) digits += String.fromCharCode(s[i]);
    else return undefined;
  }
  return canonical(digits);
}

/**
 * The detailed error for bytes that failed to parse. `failed` is the slice the parser gave up
 * on: the whole input, except for a 38-byte braced or 45-byte URN input, where it is the
 * 36 bytes inside (so those positions do not count the prefix).
 */
function describeFailure(failed: Uint8Array): string {
  let inner = failed;
  let offset = 0;
  let simple = true;
  if (isBraced(failed)) {
    inner = failed.subarray(1, failed.length - 1);
    offset = 1;
    simple = false;
  } else if (startsWithUrn(failed)) {
    inner = failed.subarray(URN_PREFIX.length);
    offset = URN_PREFIX.length;
    simple = false;
  }

  let hyphens = 0;
  const groupBounds = [0, 0, 0, 0];
  for (let i = 0; i < inner.length; ) {
    const b = inner[i];
    if (b >= 0x80) {
      // The first non-ASCII character is reported whole, at its first byte.
      const width = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      const ch = utf8Decoder.decode(inner.subarray(i, i + width));
      return `invalid character: found \`${ch}\` at ${i + offset + 1}`;
    }
    if (b === HYPHEN) {
      if (hyphens < 4) groupBounds[hyphens] = i;
      hyphens++;
    } else if (!isHex(b)) {
      return `invalid character: found \`${String.fromCharCode(b)}\` at ${i + offset + 1}`;
    }
    i++;
  }

  if (hyphens === 0 && simple) return `invalid length: expected length 32 for simple format, found ${failed.length}`;
  if (hyphens !== 4) return `invalid group count: expected 5, found ${hyphens + 1}`;
  for (let g = 0; g < 4; g++) {
    if (groupBounds[g] !== BLOCK_STARTS[g + 1] - 1) {
      return `invalid group length in group ${g}: expected ${GROUP_LENGTHS[g]}, found ${groupBounds[g] - BLOCK_STARTS[g]}`;
    }
  }
  // uuid-rs measures the last group against the whole failed slice, prefix included.
  return `invalid group length in group 4: expected 12, found ${failed.length - BLOCK_STARTS[4]}`;
}

/**
 * Parses hyphenated (any case), 32-hex simple, `{braced}` and `urn:uuid:` forms into the
 * canonical lowercase hyphenated form; anything else gets uuid-rs's error text.
 */
export function parseUuid(input: string): UuidParseResult {
  const bytes = utf8.encode(input);
  let failed = bytes;
  let value: string | undefined;
  if (bytes.length === 32) value = parseSimple(bytes);
  else if (bytes.length === 36) value = parseHyphenated(bytes);
  else if (bytes.length === 38 && isBraced(bytes)) value = parseHyphenated((failed = bytes.subarray(1, 37)));
  else if (bytes.length === 45 && startsWithUrn(bytes)) value = parseHyphenated((failed = bytes.subarray(9)));
  return value !== undefined ? { ok: true, value } : { ok: false, error: describeFailure(failed) };
}

/** The FastAPI detail item for a string that is not a UUID, e.g. loc `['path', 'image_id']`. */
export function uuidParsingDetail(loc: Loc, input: unknown, error: string): FastApiErrorItem {
  return errorItem('uuid_parsing', loc, input, { error });
}
