/**
 * pydantic's lax ("python mode") scalar conversions, ported from pydantic-core 2.46
 * (src/input/input_python.rs, src/input/shared.rs) and jiter's integer grammar. Each returns the
 * converted value or the pydantic error type to report.
 */

import { trimWhile } from '../common/strings.js';

export type Coerced<T> = { ok: true; value: T } | { ok: false; type: string };

const ok = <T>(value: T): Coerced<T> => ({ ok: true, value });
const bad = <T>(type: string): Coerced<T> => ({ ok: false, type });

// Rust's str::trim: Unicode White_Space (includes U+0085, excludes U+FEFF, unlike JS trim()).
// A scan from both ends rather than /^[ws]+|[ws]+$/g, which is quadratic on a long run of spaces
// followed by another character.
const isRustWs = (c: number): boolean =>
  (c >= 0x09 && c <= 0x0d) || c === 0x20 || c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
  c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000;
export const rustTrim = (s: string): string => trimWhile(s, isRustWs);

const TWO_63 = 2 ** 63;

/** pydantic's float_as_int. */
export function floatAsInt(x: number): Coerced<number> {
  if (!Number.isFinite(x)) return bad('finite_number');
  if (x % 1 !== 0) return bad('int_from_float');
  if (!(x > -TWO_63 && x < TWO_63)) return bad('int_parsing_size');
  return ok(x);
}

const JSON_INT = /^-?(?:0|[1-9]\d*)$/;

/** jiter's NumberInt::try_from on a whole string: JSON int grammar, 4300 digits at most. */
function jsonInt(s: string): Coerced<number> {
  const run = /^-?[1-9]\d*/.exec(s);
  if (run && run[0].length > 4300) return bad('int_parsing_size');
  return JSON_INT.test(s) ? ok(Number(s) || 0) : bad('int_parsing');
}

function stripUnderscores(s: string): string | undefined {
  if (s.startsWith('_') || s.endsWith('_') || !s.includes('_') || s.includes('__')) return undefined;
  return s.replace(/_/g, '');
}

function stripLeadingZeros(s: string): string | undefined {
  const first = s[0];
  if (first === undefined) return undefined;
  if (first !== '0') return (first >= '1' && first <= '9') || first === '-' ? s : undefined;
  for (let i = 1; i < s.length; i++) {
    const c = s[i];
    if (c === '0' || c === '_') continue;
    if ((c >= '1' && c <= '9') || c === '-') return s.slice(i);
    if (c === '.') return s.slice(i - 1);
    return undefined;
  }
  return s.slice(-1);
}

/** pydantic's clean_int_str: what is left to re-parse after Python-style tidying, if anything. */
function cleanIntStr(original: string): string | undefined {
  let s = rustTrim(original);
  if (s.startsWith('+')) {
    if (s[1] === '-') return undefined;
    s = s.slice(1);
  }
  let sign = '';
  if (s.startsWith('-')) {
    if (s[1] === '-' || s[1] === '+') return undefined;
    sign = '-';
    s = s.slice(1);
  }
  const stripped = stripLeadingZeros(s);
  if (stripped === undefined) return undefined;
  s = stripped;
  const dot = s.indexOf('.');
  if (dot >= 0) {
    const decimals = s.slice(dot + 1);
    if (decimals !== '' && /^0+$/.test(decimals)) s = s.slice(0, dot);
  }
  const noUnderscores = stripUnderscores(s);
  if (noUnderscores !== undefined) return sign + noUnderscores;
  if (original.length === s.length) return undefined;
  return sign + s;
}

/** pydantic's str_as_int: `" 5"`, `"+5"`, `"05"`, `"5.0"`, `"1_000"` are ints; `"5.5"` is not. */
export function strAsInt(s: string): Coerced<number> {
  const direct = jsonInt(s);
  if (direct.ok || direct.type === 'int_parsing_size') return direct;
  const cleaned = cleanIntStr(s);
  if (cleaned === undefined) return bad('int_parsing');
  const again = jsonInt(cleaned);
  return again.ok ? again : bad('int_parsing');
}

const RUST_F64 = /^[+-]?(?:inf|infinity|nan|(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)$/i;

/** Rust's `str::parse::<f64>()`. */
function rustParseF64(s: string): number | undefined {
  if (!RUST_F64.test(s)) return undefined;
  const lower = s.toLowerCase();
  if (lower.includes('nan')) return NaN;
  if (lower.includes('inf')) return lower.startsWith('-') ? -Infinity : Infinity;
  return Number(s);
}

/** pydantic's str_as_float. */
export function strAsFloat(s: string): Coerced<number> {
  const direct = rustParseF64(rustTrim(s));
  if (direct !== undefined) return ok(direct);
  // pydantic retries on the untrimmed text with underscores removed.
  const stripped = stripUnderscores(s);
  const retried = stripped === undefined ? undefined : rustParseF64(stripped);
  return retried !== undefined ? ok(retried) : bad('float_parsing');
}

const FALSE_WORDS = new Set(['0', 'f', 'n', 'no', 'off', 'false']);
const TRUE_WORDS = new Set(['1', 't', 'y', 'on', 'yes', 'true']);

/** pydantic's str_as_bool: ASCII case-insensitive, no trimming. */
export function strAsBool(s: string): Coerced<boolean> {
  // Only ASCII letters fold: 'ſ'.toLowerCase() must not turn into an accepted word.
  const folded = s.replace(/[A-Z]/g, (c) => c.toLowerCase());
  if (FALSE_WORDS.has(folded)) return ok(false);
  if (TRUE_WORDS.has(folded)) return ok(true);
  return bad('bool_parsing');
}

/**
 * An int in lax mode. `isFloat` says whether a number came in as a Python float (`5.0`) rather
 * than an int (`5`); JSON numbers lose that, so the body parser records it.
 */
export function laxInt(input: unknown, isFloat: boolean): Coerced<number> {
  if (typeof input === 'boolean') return ok(input ? 1 : 0);
  if (typeof input === 'number') return isFloat ? floatAsInt(input) : ok(input);
  if (typeof input === 'string') return strAsInt(input);
  return bad('int_type');
}

export function laxFloat(input: unknown): Coerced<number> {
  if (typeof input === 'number') return ok(input);
  if (typeof input === 'boolean') return ok(input ? 1 : 0);
  if (typeof input === 'string') return strAsFloat(input);
  return bad('float_type');
}

export function laxBool(input: unknown, isFloat: boolean): Coerced<boolean> {
  if (typeof input === 'boolean') return ok(input);
  if (typeof input === 'string') return strAsBool(input);
  if (typeof input === 'number') {
    // An int beyond i64, or a float that is not a whole number, is not "a bool-like number".
    if (isFloat || Math.abs(input) >= TWO_63) {
      const asInt = floatAsInt(input);
      if (!asInt.ok) return bad('bool_type');
    }
    if (input === 0) return ok(false);
    if (input === 1) return ok(true);
    return bad('bool_parsing');
  }
  return bad('bool_type');
}
