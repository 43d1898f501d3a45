/**
 * JSON the way FastAPI reads and writes it: Python's `json.loads` (CPython's C scanner) for
 * request bodies, Python's `json.dumps(ensure_ascii=False, separators=(",", ":"))` for error
 * bodies.
 *
 * Python keeps two things that JavaScript values lose: whether a number was written as a float
 * (`1.0` is echoed as `1.0`, and pydantic treats a float differently from an int) and the key
 * order of objects with integer-like keys (JS puts `"2"` before `"b"`). The parser records both
 * in side tables keyed by the container object, so request bodies stay plain JS values and
 * `pyDumps` can still echo them as Python would.
 */
import { pyFloatRepr, pyStrRepr } from './python-repr.js';

/** A number that must be written as `text` (Python's form), e.g. a float constraint `0.0`. */
export class PyNumber {
  constructor(
    readonly value: number,
    readonly text: string,
  ) {}

  /** Keeps `JSON.stringify` usable on error items outside the filter. */
  toJSON(): number {
    return this.value;
  }
}

export const pyFloat = (x: number): PyNumber => new PyNumber(x, pyFloatRepr(x));

const numberTexts = new WeakMap<object, Map<string | number, string>>();
const keyOrders = new WeakMap<object, string[]>();

/** Python's text for the number stored at `container[key]`, where it differs or is a float. */
export function pyNumberText(container: object, key: string | number): string | undefined {
  return numberTexts.get(container)?.get(key);
}

/** Whether a parsed number is a Python float (as opposed to an int). */
export function isPyFloat(value: number, text: string | undefined): boolean {
  return text === undefined ? !Number.isInteger(value) : /[.en]/.test(text);
}

/** Keys in Python's (insertion) order. */
export function pyKeys(obj: object): string[] {
  return keyOrders.get(obj) ?? Object.keys(obj);
}

function recordNumberText(container: object, key: string | number, text: string | undefined): void {
  let texts = numberTexts.get(container);
  if (text === undefined) {
    texts?.delete(key);
    return;
  }
  if (!texts) numberTexts.set(container, (texts = new Map()));
  texts.set(key, text);
}

/**
 * The side tables of a parsed value, as plain data that keeps referring to its containers: a
 * structured clone of `{ value, tables }` (one postMessage) keeps those references pointing at
 * the clone's own containers, so the receiving thread can adopt them (adoptSideTables).
 */
export interface SideTables {
  numberTexts: [object, [string | number, string][]][];
  keyOrders: [object, string[]][];
}

/** Collects the side tables of every container in `value`. Linear in its size. */
export function sideTablesOf(value: unknown): SideTables {
  const tables: SideTables = { numberTexts: [], keyOrders: [] };
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null) continue;
    const texts = numberTexts.get(v);
    if (texts) tables.numberTexts.push([v, [...texts]]);
    const order = keyOrders.get(v);
    if (order) tables.keyOrders.push([v, order]);
    if (Array.isArray(v)) for (const item of v) stack.push(item);
    else for (const k of Object.keys(v)) stack.push((v as Record<string, unknown>)[k]);
  }
  return tables;
}

/** Registers side tables that came with a cloned value (see SideTables). */
export function adoptSideTables(tables: SideTables): void {
  for (const [container, entries] of tables.numberTexts) numberTexts.set(container, new Map(entries));
  for (const [container, order] of tables.keyOrders) keyOrders.set(container, order);
}

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

export const MAX_JSON_DEPTH = 64;

export type JsonParseResult =
  /** A body that parsed. */
  | { ok: true; value: unknown }
  /** What Python raises as JSONDecodeError: FastAPI's 422 json_invalid, `pos` in code points. */
  | { ok: false; kind: 'decode'; pos: number; error: string }
  /** Any other failure (an int literal over Python's 4300-digit limit): FastAPI's 400. */
  | { ok: false; kind: 'value'; error: string }
  /** Well-formed, but more values than `maxValues` (ours, not Python's: a 413). */
  | { ok: false; kind: 'too_complex'; values: number; maxValues: number };

class DecodeError {
  constructor(
    readonly msg: string,
    readonly unitPos: number,
  ) {}
}

class ValueFailure {
  constructor(readonly msg: string) {}
}

const C = {
  quote: 0x22,
  backslash: 0x5c,
  lbrace: 0x7b,
  rbrace: 0x7d,
  lbracket: 0x5b,
  rbracket: 0x5d,
  comma: 0x2c,
  colon: 0x3a,
  minus: 0x2d,
  plus: 0x2b,
  dot: 0x2e,
  zero: 0x30,
  nine: 0x39,
} as const;

const isDigit = (c: number): boolean => c >= C.zero && c <= C.nine;
const isWs = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** An object key JS would move to the front (a canonical array index). */
const isIndexKey = (k: string): boolean => /^(?:0|[1-9]\d{0,9})$/.test(k) && Number(k) < 4294967295;

type ObjectFrame = { kind: 'object'; obj: Record<string, unknown>; key: string; order: string[]; indexKeys: boolean };
type ArrayFrame = { kind: 'array'; arr: unknown[] };

class Parser {
  /** Python text of the number just scanned, if it must be recorded. */
  private numberText: string | undefined;
  /** Values read so far (scalars, arrays and objects; keys not counted). */
  values = 0;

  constructor(
    private readonly s: string,
    private readonly maxDepth: number,
  ) {}

  document(): unknown {
    const [value, end] = this.parseValue(this.skipWs(0));
    const after = this.skipWs(end);
    if (after !== this.s.length) throw new DecodeError('Extra data', after);
    return value;
  }

  private skipWs(i: number): number {
    while (i < this.s.length && isWs(this.s.charCodeAt(i))) i++;
    return i;
  }

  private code(i: number): number {
    return i < this.s.length ? this.s.charCodeAt(i) : -1;
  }

  /** One value at `start`, with an explicit stack so that nesting never grows the JS stack. */
  private parseValue(start: number): [unknown, number] {
    const stack: (ObjectFrame | ArrayFrame)[] = [];
    let i = start;
    let value: unknown;
    for (;;) {
      const c = this.code(i);
      this.values++;
      this.numberText = undefined;
      if (c === C.quote) {
        [value, i] = this.string(i + 1);
      } else if (c === C.lbrace || c === C.lbracket) {
        if (stack.length >= this.maxDepth) throw new DecodeError('Maximum nesting depth exceeded', i);
        i = this.skipWs(i + 1);
        if (c === C.lbrace) {
          const frame: ObjectFrame = { kind: 'object', obj: {}, key: '', order: [], indexKeys: false };
          if (this.code(i) === C.rbrace) {
            value = frame.obj;
            i++;
          } else {
            stack.push(frame);
            i = this.key(frame, i);
            continue;
          }
        } else {
          const frame: ArrayFrame = { kind: 'array', arr: [] };
          if (this.code(i) === C.rbracket) {
            value = frame.arr;
            i++;
          } else {
            stack.push(frame);
            continue;
          }
        }
      } else {
        [value, i] = this.scalar(i);
      }

      // Hand the value to its container, closing every container that ends right after it.
      for (;;) {
        const top = stack.at(-1);
        if (!top) return [value, i];
        i = this.skipWs(i);
        if (top.kind === 'object') {
          this.setMember(top, value);
          if (this.code(i) === C.rbrace) {
            value = this.closeObject(top);
            stack.pop();
            i++;
            this.numberText = undefined;
            continue;
          }
          if (this.code(i) !== C.comma) throw new DecodeError("Expecting ',' delimiter", i);
          const comma = i;
          i = this.skipWs(i + 1);
          if (this.code(i) === C.rbrace) throw new DecodeError('Illegal trailing comma before end of object', comma);
          i = this.key(top, i);
        } else {
          recordNumberText(top.arr, top.arr.length, this.numberText);
          top.arr.push(value);
          if (this.code(i) === C.rbracket) {
            value = top.arr;
            stack.pop();
            i++;
            this.numberText = undefined;
            continue;
          }
          if (this.code(i) !== C.comma) throw new DecodeError("Expecting ',' delimiter", i);
          const comma = i;
          i = this.skipWs(i + 1);
          if (this.code(i) === C.rbracket) throw new DecodeError('Illegal trailing comma before end of array', comma);
        }
        break;
      }
    }
  }

  /** Reads `"key" :` and returns where the value starts. */
  private key(frame: ObjectFrame, i: number): number {
    if (this.code(i) !== C.quote) throw new DecodeError('Expecting property name enclosed in double quotes', i);
    [frame.key, i] = this.string(i + 1);
    i = this.skipWs(i);
    if (this.code(i) !== C.colon) throw new DecodeError("Expecting ':' delimiter", i);
    return this.skipWs(i + 1);
  }

  private setMember(frame: ObjectFrame, value: unknown): void {
    const { obj, key } = frame;
    if (!Object.prototype.hasOwnProperty.call(obj, key)) {
      frame.order.push(key);
      if (isIndexKey(key)) frame.indexKeys = true;
    }
    if (key === '__proto__') {
      Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
    } else {
      obj[key] = value;
    }
    recordNumberText(obj, key, this.numberText);
  }

  private closeObject(frame: ObjectFrame): Record<string, unknown> {
    if (frame.indexKeys) {
      const jsOrder = Object.keys(frame.obj);
      if (jsOrder.some((k, n) => k !== frame.order[n])) keyOrders.set(frame.obj, frame.order);
    }
    return frame.obj;
  }

  /** CPython's scanstring_unicode: `end` is just after the opening quote. */
  private string(end: number): [string, number] {
    const s = this.s;
    const len = s.length;
    const begin = end - 1;
    let out = '';
    for (;;) {
      let next = end;
      let c = -1;
      for (; next < len; next++) {
        c = s.charCodeAt(next);
        if (c === C.quote || c === C.backslash) break;
        if (c <= 0x1f) throw new DecodeError('Invalid control character at', next);
      }
      if (next >= len) throw new DecodeError('Unterminated string starting at', begin);
      out += s.slice(end, next);
      next++;
      if (c === C.quote) return [out, next];
      if (next === len) throw new DecodeError('Unterminated string starting at', begin);
      const esc = s[next];
      if (esc !== 'u') {
        end = next + 1;
        const mapped = ESCAPES[esc];
        if (mapped === undefined) throw new DecodeError('Invalid \\escape', end - 2);
        out += mapped;
        continue;
      }
      next++;
      end = next + 4;
      if (end >= len) throw new DecodeError('Invalid \\uXXXX escape', next - 1);
      let unit = this.hex4(next, end);
      next = end;
      if (unit >= 0xd800 && unit <= 0xdbff && end + 6 < len && s[next] === '\\' && s[next + 1] === 'u') {
        const low = this.hex4(end + 2, end + 6);
        end += 6;
        if (low >= 0xdc00 && low <= 0xdfff) unit = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
        else end -= 6;
      }
      out += unit > 0xffff ? String.fromCodePoint(unit) : String.fromCharCode(unit);
    }
  }

  /** Four hex digits ending before `end`; CPython reports any bad one at `end - 5` (the `u`). */
  private hex4(from: number, end: number): number {
    let v = 0;
    for (let i = from; i < end; i++) {
      const d = hexValue(this.s.charCodeAt(i));
      if (d < 0) throw new DecodeError('Invalid \\uXXXX escape', end - 5);
      v = (v << 4) | d;
    }
    return v;
  }

  private scalar(i: number): [unknown, number] {
    const s = this.s;
    switch (s[i]) {
      case 'n':
        if (s.startsWith('null', i)) return [null, i + 4];
        break;
      case 't':
        if (s.startsWith('true', i)) return [true, i + 4];
        break;
      case 'f':
        if (s.startsWith('false', i)) return [false, i + 5];
        break;
      case 'N':
        if (s.startsWith('NaN', i)) {
          this.numberText = 'nan';
          return [NaN, i + 3];
        }
        break;
      case 'I':
        if (s.startsWith('Infinity', i)) {
          this.numberText = 'inf';
          return [Infinity, i + 8];
        }
        break;
      case '-':
        if (s.startsWith('-Infinity', i)) {
          this.numberText = '-inf';
          return [-Infinity, i + 9];
        }
        break;
    }
    return this.number(i);
  }

  /** CPython's _match_number_unicode; no number here is Python's StopIteration. */
  private number(start: number): [number, number] {
    const endIdx = this.s.length - 1;
    const at = (i: number): number => this.code(i);
    let idx = start;
    if (at(idx) === C.minus) {
      idx++;
      if (idx > endIdx) throw new DecodeError('Expecting value', start);
    }
    const first = at(idx);
    if (first >= 0x31 && first <= C.nine) {
      idx++;
      while (idx <= endIdx && isDigit(at(idx))) idx++;
    } else if (first === C.zero) {
      idx++;
    } else {
      throw new DecodeError('Expecting value', start);
    }
    let isFloat = false;
    if (idx < endIdx && at(idx) === C.dot && isDigit(at(idx + 1))) {
      isFloat = true;
      idx += 2;
      while (idx <= endIdx && isDigit(at(idx))) idx++;
    }
    if (idx < endIdx && (at(idx) === 0x65 || at(idx) === 0x45)) {
      const eStart = idx;
      idx++;
      if (idx < endIdx && (at(idx) === C.minus || at(idx) === C.plus)) idx++;
      while (idx <= endIdx && isDigit(at(idx))) idx++;
      if (isDigit(at(idx - 1))) isFloat = true;
      else idx = eStart;
    }
    const literal = this.s.slice(start, idx);
    // Python's int('-0') is plain 0.
    const value = isFloat ? Number(literal) : Number(literal) || 0;
    if (isFloat) {
      const text = pyFloatRepr(value);
      this.numberText = Number.isInteger(value) || !Number.isFinite(value) || text !== JSON.stringify(value) ? text : undefined;
    } else {
      const digits = literal.length - (literal.startsWith('-') ? 1 : 0);
      // Python refuses to convert longer int strings (ValueError, not JSONDecodeError).
      if (digits > 4300) throw new ValueFailure(`Exceeds the limit (4300 digits) for integer string conversion: value has ${digits} digits`);
      const text = literal === '-0' ? '0' : literal;
      this.numberText = text !== JSON.stringify(value) ? text : undefined;
    }
    return [value, idx];
  }
}

/** Python's JSONDecodeError position: code points, where JS counts UTF-16 units. */
function codePointIndex(s: string, unitPos: number): number {
  let pairs = 0;
  for (let i = 0; i + 1 < unitPos; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        pairs++;
        i++;
      }
    }
  }
  return unitPos - pairs;
}

/**
 * Python's `json.loads(text)` (strict, NaN/Infinity accepted), with nesting limited to
 * `maxDepth` containers; a deeper body fails with `Maximum nesting depth exceeded` at the
 * bracket that went too deep (where Python itself would hit its recursion limit).
 */
export function parseJsonBody(text: string, maxDepth = MAX_JSON_DEPTH, maxValues = Infinity): JsonParseResult {
  try {
    const parser = new Parser(text, maxDepth);
    const value = parser.document();
    // Checked once the whole text is read, so a malformed body still gets Python's exact
    // JSONDecodeError wherever its flaw is.
    if (parser.values > maxValues) return { ok: false, kind: 'too_complex', values: parser.values, maxValues };
    return { ok: true, value };
  } catch (err) {
    if (err instanceof DecodeError) return { ok: false, kind: 'decode', pos: codePointIndex(text, err.unitPos), error: err.msg };
    if (err instanceof ValueFailure) return { ok: false, kind: 'value', error: err.msg };
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// Bytes to text, as json.loads(bytes) does it
// ---------------------------------------------------------------------------------------------

type Encoding = 'utf-8' | 'utf-8-sig' | 'utf-16' | 'utf-16-le' | 'utf-16-be' | 'utf-32' | 'utf-32-le' | 'utf-32-be';

/** json.detect_encoding. */
export function detectJsonEncoding(b: Uint8Array): Encoding {
  const starts = (...sig: number[]): boolean => sig.every((v, i) => b[i] === v);
  if (starts(0x00, 0x00, 0xfe, 0xff) || starts(0xff, 0xfe, 0x00, 0x00)) return 'utf-32';
  if (starts(0xfe, 0xff) || starts(0xff, 0xfe)) return 'utf-16';
  if (starts(0xef, 0xbb, 0xbf)) return 'utf-8-sig';
  if (b.length >= 4) {
    if (!b[0]) return b[1] ? 'utf-16-be' : 'utf-32-be';
    if (!b[1]) return b[2] || b[3] ? 'utf-16-le' : 'utf-32-le';
  } else if (b.length === 2) {
    if (!b[0]) return 'utf-16-be';
    if (!b[1]) return 'utf-16-le';
  }
  return 'utf-8';
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** UTF-8 with Python's 'surrogatepass': encoded surrogates (ED A0..BF xx) are kept. */
function decodeUtf8SurrogatePass(b: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(b);
  } catch {
    // Only the rare surrogate-bearing or broken body takes the slow path below.
  }
  const units: number[] = [];
  let out = '';
  for (let i = 0; i < b.length; ) {
    const b0 = b[i];
    let cp: number;
    let need: number;
    if (b0 < 0x80) {
      cp = b0;
      need = 0;
    } else if (b0 >= 0xc2 && b0 <= 0xdf) {
      cp = b0 & 0x1f;
      need = 1;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
      cp = b0 & 0x0f;
      need = 2;
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
      cp = b0 & 0x07;
      need = 3;
    } else return undefined;
    for (let k = 1; k <= need; k++) {
      const bk = b[i + k];
      if (bk === undefined || (bk & 0xc0) !== 0x80) return undefined;
      cp = (cp << 6) | (bk & 0x3f);
    }
    const min = [0, 0x80, 0x800, 0x10000][need];
    if (cp < min || cp > 0x10ffff) return undefined;
    units.push(cp);
    i += need + 1;
    if (units.length >= 4096) {
      out += String.fromCodePoint(...units);
      units.length = 0;
    }
  }
  return out + String.fromCodePoint(...units);
}

function decodeUnits(b: Uint8Array, width: 2 | 4, littleEndian: boolean): string | undefined {
  if (b.length % width !== 0) return undefined;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let out = '';
  const chunk: number[] = [];
  for (let i = 0; i < b.length; i += width) {
    const unit = width === 2 ? view.getUint16(i, littleEndian) : view.getUint32(i, littleEndian);
    if (unit > 0x10ffff) return undefined;
    if (width === 4 && unit > 0xffff) {
      chunk.push(0xd800 + ((unit - 0x10000) >> 10), 0xdc00 + ((unit - 0x10000) & 0x3ff));
    } else chunk.push(unit);
    if (chunk.length >= 4096) {
      out += String.fromCharCode(...chunk);
      chunk.length = 0;
    }
  }
  return out + String.fromCharCode(...chunk);
}

/**
 * The text `json.loads(bytes)` would parse, or undefined where Python's codec raises (which
 * FastAPI answers with 400 "There was an error parsing the body", not a 422).
 */
export function decodeJsonBytes(b: Uint8Array): string | undefined {
  switch (detectJsonEncoding(b)) {
    case 'utf-8':
      return decodeUtf8SurrogatePass(b);
    case 'utf-8-sig':
      return decodeUtf8SurrogatePass(b.subarray(3));
    case 'utf-16':
      return decodeUnits(b.subarray(2), 2, b[0] === 0xff);
    case 'utf-16-le':
      return decodeUnits(b, 2, true);
    case 'utf-16-be':
      return decodeUnits(b, 2, false);
    case 'utf-32':
      return decodeUnits(b.subarray(4), 4, b[0] === 0xff);
    case 'utf-32-le':
      return decodeUnits(b, 4, true);
    case 'utf-32-be':
      return decodeUnits(b, 4, false);
  }
}

// ---------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------

/** Python's json.dumps refuses NaN/Infinity under Starlette (allow_nan=False): FastAPI's 500. */
export class NonFiniteNumberError extends Error {
  constructor() {
    super('Out of range float values are not JSON compliant');
  }
}

function dumpNumber(n: number, text: string | undefined): string {
  if (!Number.isFinite(n)) throw new NonFiniteNumberError();
  return text ?? JSON.stringify(n);
}

/**
 * A copy of `value` in which NaN and the infinities (a body's `1e999`) are Python's repr strings
 * `"nan"`, `"inf"` and `"-inf"`. Starlette cannot write them in JSON and answers 500; we answer
 * the 4xx instead, so an error body never becomes an internal error. Other numbers keep the
 * Python form they were parsed in.
 */
export function withNonFiniteAsText(value: unknown): unknown {
  const copy = (v: unknown, container: object | undefined, key: string | number): unknown => {
    const n = v instanceof PyNumber ? v.value : v;
    if (typeof n === 'number') {
      if (Number.isNaN(n)) return 'nan';
      if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
      if (v instanceof PyNumber) return v;
      const text = container && pyNumberText(container, key);
      return text === undefined ? n : new PyNumber(n, text);
    }
    if (Array.isArray(v)) return v.map((item, i) => copy(item, v, i));
    if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      const out: Record<string, unknown> = {};
      // defineProperty: a `__proto__` key stays an own property of the copy.
      for (const k of pyKeys(v)) Object.defineProperty(out, k, { value: copy((v as Record<string, unknown>)[k], v, k), enumerable: true, writable: true, configurable: true });
      return out;
    }
    return v;
  };
  return copy(value, undefined, 0);
}

function dumpValue(v: unknown, container: object | undefined, key: string | number): string {
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      return dumpNumber(v, container && pyNumberText(container, key));
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      return v.toString();
    case 'undefined':
    case 'function':
    case 'symbol':
      return 'null';
  }
  if (v === null) return 'null';
  if (v instanceof PyNumber) return dumpNumber(v.value, v.text);
  if (Array.isArray(v)) return `[${v.map((item, i) => dumpValue(item, v, i)).join(',')}]`;
  const withJson = v as { toJSON?: () => unknown };
  if (typeof withJson.toJSON === 'function') return dumpValue(withJson.toJSON(), undefined, '');
  const obj = v as Record<string, unknown>;
  return `{${pyKeys(obj)
    .map((k) => `${JSON.stringify(k)}:${dumpValue(obj[k], obj, k)}`)
    .join(',')}}`;
}

/**
 * Starlette's JSONResponse body: compact, non-ASCII kept, numbers and key order as Python had
 * them. Throws NonFiniteNumberError for NaN/Infinity, as Starlette does.
 */
export function pyDumps(value: unknown): string {
  return dumpValue(value, undefined, '');
}

/** Python's repr() of a parsed JSON value (`None`, `True`, `[1, 'a']`, `{'k': 1.0}`). */
export function pyRepr(v: unknown, numberText?: string): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return numberText ?? (Number.isInteger(v) ? String(v) : pyFloatRepr(v));
  if (typeof v === 'string') return pyStrRepr(v);
  if (v instanceof PyNumber) return v.text;
  if (Array.isArray(v)) return `[${v.map((item, i) => pyRepr(item, pyNumberText(v, i))).join(', ')}]`;
  const obj = v as Record<string, unknown>;
  return `{${pyKeys(obj)
    .map((k) => `${pyStrRepr(k)}: ${pyRepr(obj[k], pyNumberText(obj, k))}`)
    .join(', ')}}`;
}

/** Python's str() of a parsed JSON value: a string as itself, anything else as repr(). */
export function pyStr(v: unknown, numberText?: string): string {
  return typeof v === 'string' ? v : pyRepr(v, numberText);
}
