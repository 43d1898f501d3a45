/**
 * Text forms that Python and Rust give to numbers and strings. FastAPI bodies are written by
 * Python's json module and pydantic's messages by Rust's `Display`, and both differ from
 * JavaScript's `String(n)` (`1.0` vs `1`, `1e+16` vs `10000000000000000`).
 */

/** Shortest round-trip digits of a finite, non-zero |x|, and where the decimal point goes. */
function shortestDigits(x: number): { digits: string; decpt: number } {
  // toExponential() without an argument yields the shortest digits that round-trip, the same
  // digits Python's repr() and Rust's Display pick.
  const [mantissa, exponent] = Math.abs(x).toExponential().split('e');
  return { digits: mantissa.replace('.', ''), decpt: Number(exponent) + 1 };
}

function positional(digits: string, decpt: number, wholeSuffix: string): string {
  if (decpt <= 0) return `0.${'0'.repeat(-decpt)}${digits}`;
  if (decpt >= digits.length) return digits + '0'.repeat(decpt - digits.length) + wholeSuffix;
  return `${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
}

const signOf = (x: number): string => (x < 0 || Object.is(x, -0) ? '-' : '');

/** Python's `repr(float)`: `1.0`, `0.0001`, `1e-05`, `1e+16`, `inf`, `nan`. */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return `${signOf(x)}0.0`;
  const { digits, decpt } = shortestDigits(x);
  // CPython's float_repr_style 'short' switches to exponent form outside -4 < decpt <= 16.
  if (decpt > -4 && decpt <= 16) return signOf(x) + positional(digits, decpt, '.0');
  const exp = decpt - 1;
  const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${signOf(x)}${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

/** Rust's `Display` for f64, used in pydantic messages: never an exponent, no `.0` (`0`, `0.5`). */
export function rustF64Display(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return `${signOf(x)}0`;
  const { digits, decpt } = shortestDigits(x);
  return signOf(x) + positional(digits, decpt, '');
}

// str.isprintable() is false exactly for these general categories (space excepted).
const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

/** Python's `repr(str)`: single quotes unless the text has `'` and no `"`, with Python's escapes. */
export function pyStrRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch !== ' ' && NON_PRINTABLE.test(ch)) {
      const cp = ch.codePointAt(0) ?? 0;
      out += cp < 0x100 ? `\\x${hex(cp, 2)}` : cp < 0x10000 ? `\\u${hex(cp, 4)}` : `\\U${hex(cp, 8)}`;
    } else out += ch;
  }
  return out + quote;
}
