import { describe, expect, it } from '@jest/globals';
import {
  decodeJsonBytes,
  detectJsonEncoding,
  isPyFloat,
  NonFiniteNumberError,
  parseJsonBody,
  pyDumps,
  pyFloat,
  pyKeys,
  pyNumberText,
  pyRepr,
  pyStr,
} from './python-json.js';

const fail = (text: string): [string, number] => {
  const r = parseJsonBody(text);
  if (r.ok || r.kind !== 'decode') throw new Error(`expected a decode error for ${JSON.stringify(text)}`);
  return [r.error, r.pos];
};
const ok = (text: string): unknown => {
  const r = parseJsonBody(text);
  if (!r.ok) throw new Error(`expected ${JSON.stringify(text)} to parse, got ${JSON.stringify(r)}`);
  return r.value;
};

describe('parseJsonBody: the examples of fastapi-errors.md', () => {
  it.each([
    ['{"payload":', 'Expecting value', 11],
    ['{bad}', 'Expecting property name enclosed in double quotes', 1],
    ['{"name":"a"} x', 'Extra data', 13],
  ])('%s', (text, msg, pos) => {
    expect(fail(text)).toEqual([msg, pos]);
  });
});

describe('parseJsonBody: CPython test_fail cases', () => {
  it.each([
    // test_truncated_input
    ['', 'Expecting value', 0],
    ['[', 'Expecting value', 1],
    ['[42', "Expecting ',' delimiter", 3],
    ['[42,', 'Expecting value', 4],
    ['["', 'Unterminated string starting at', 1],
    ['["spam', 'Unterminated string starting at', 1],
    ['["spam"', "Expecting ',' delimiter", 7],
    ['["spam",', 'Expecting value', 8],
    ['{', 'Expecting property name enclosed in double quotes', 1],
    ['{"', 'Unterminated string starting at', 1],
    ['{"spam', 'Unterminated string starting at', 1],
    ['{"spam"', "Expecting ':' delimiter", 7],
    ['{"spam":', 'Expecting value', 8],
    ['{"spam":42', "Expecting ',' delimiter", 10],
    ['{"spam":42,', 'Expecting property name enclosed in double quotes', 11],
    ['"', 'Unterminated string starting at', 0],
    ['"spam', 'Unterminated string starting at', 0],
    // test_unexpected_data
    ['[,', 'Expecting value', 1],
    ['{"spam":[}', 'Expecting value', 9],
    ['[42:', "Expecting ',' delimiter", 3],
    ['[42 "spam"', "Expecting ',' delimiter", 4],
    ['[42,]', 'Illegal trailing comma before end of array', 3],
    ['{"spam":[42}', "Expecting ',' delimiter", 11],
    ['["]', 'Unterminated string starting at', 1],
    ['["spam":', "Expecting ',' delimiter", 7],
    ['["spam",]', 'Illegal trailing comma before end of array', 7],
    ['{:', 'Expecting property name enclosed in double quotes', 1],
    ['{,', 'Expecting property name enclosed in double quotes', 1],
    ['{42', 'Expecting property name enclosed in double quotes', 1],
    ['[{]', 'Expecting property name enclosed in double quotes', 2],
    ['{"spam",', "Expecting ':' delimiter", 7],
    ['{"spam"}', "Expecting ':' delimiter", 7],
    ['[{"spam"]', "Expecting ':' delimiter", 8],
    ['{"spam":}', 'Expecting value', 8],
    ['[{"spam":]', 'Expecting value', 9],
    ['{"spam":42 "ham"', "Expecting ',' delimiter", 11],
    ['[{"spam":42]', "Expecting ',' delimiter", 11],
    ['{"spam":42,}', 'Illegal trailing comma before end of object', 10],
    ['{"spam":42 , }', 'Illegal trailing comma before end of object', 11],
    ['[123  , ]', 'Illegal trailing comma before end of array', 6],
    // test_extra_data
    ['[]]', 'Extra data', 2],
    ['{}}', 'Extra data', 2],
    ['[],[]', 'Extra data', 2],
    ['{},{}', 'Extra data', 2],
    ['42,"spam"', 'Extra data', 2],
    ['"spam",42', 'Extra data', 6],
  ])('%j', (text, msg, pos) => {
    expect(fail(text)).toEqual([msg, pos]);
  });
});

describe('parseJsonBody: strings', () => {
  it.each([
    ['"\\"', 'Unterminated string starting at', 0],
    ['"\\x"', 'Invalid \\escape', 1],
    ['"\\u"', 'Invalid \\uXXXX escape', 2],
    ['"\\u0"', 'Invalid \\uXXXX escape', 2],
    ['"\\u012"', 'Invalid \\uXXXX escape', 2],
    // Four hex digits that end the input: CPython wants one more character first.
    ['"\\u0123', 'Invalid \\uXXXX escape', 2],
    ['"\\uz012"', 'Invalid \\uXXXX escape', 2],
    ['"\\u012z"', 'Invalid \\uXXXX escape', 2],
    ['"\\ud834\\u"', 'Invalid \\uXXXX escape', 8],
    ['"\\ud834\\u012z"', 'Invalid \\uXXXX escape', 8],
    ['"\\ud834\\x0123"', 'Invalid \\escape', 7],
    ['"a\tb"', 'Invalid control character at', 2],
    ['"a\nb"', 'Invalid control character at', 2],
    ['{"k":"\u001f"}', 'Invalid control character at', 6],
  ])('%j', (text, msg, pos) => {
    expect(fail(text)).toEqual([msg, pos]);
  });

  it('decodes escapes, surrogate pairs and lone surrogates like Python', () => {
    expect(ok('"a\\"b\\\\c\\/d\\b\\f\\n\\r\\t"')).toBe('a"b\\c/d\b\f\n\r\t');
    expect(ok('"\\u00e9\\u65E5"')).toBe('é日');
    expect(ok('"\\ud83d\\ude00"')).toBe('😀');
    expect(ok('"\\ud83d"')).toBe('\ud83d');
    expect(ok('"\\ud83dx"')).toBe('\ud83dx');
    expect(ok('"\\ud83d\\u0041"')).toBe('\ud83dA');
    expect(ok('"\u007f é"')).toBe('\u007f é');
  });
});

describe('parseJsonBody: literals and numbers', () => {
  it('parses values the way Python does', () => {
    expect(ok(' {"a": [1, 2.5, true, false, null, "x"]} ')).toEqual({ a: [1, 2.5, true, false, null, 'x'] });
    expect(ok('NaN')).toBeNaN();
    expect(ok('[Infinity,-Infinity]')).toEqual([Infinity, -Infinity]);
    expect(ok('-0')).toBe(0);
    expect(ok('1E+2')).toBe(100);
  });

  it.each([
    ['nul', 'Expecting value', 0],
    ['[tru]', 'Expecting value', 1],
    ['nan', 'Expecting value', 0],
    ['-', 'Expecting value', 0],
    ['-a', 'Expecting value', 0],
    ['01', 'Extra data', 1],
    ['1.', 'Extra data', 1],
    ['1.e5', 'Extra data', 1],
    ['2e', 'Extra data', 1],
    ['2e+', 'Extra data', 1],
    ['+1', 'Expecting value', 0],
    ['.5', 'Expecting value', 0],
    ['\u00a0{}', 'Expecting value', 0],
    ['[1,\u00a02]', 'Expecting value', 3],
  ])('%j', (text, msg, pos) => {
    expect(fail(text)).toEqual([msg, pos]);
  });

  it('refuses int literals over Python 4300-digit limit as a non-decode error', () => {
    expect(parseJsonBody(`[${'9'.repeat(4300)}]`).ok).toBe(true);
    const r = parseJsonBody(`[-${'9'.repeat(4301)}]`);
    expect(r.ok === false && r.kind).toBe('value');
  });
});

describe('parseJsonBody: positions are code points', () => {
  it('counts an astral character once', () => {
    expect(fail('["😀", x]')).toEqual(['Expecting value', 6]);
    expect(fail('{"é😀日": 1} x')).toEqual(['Extra data', 11]);
  });
});

describe('parseJsonBody: nesting', () => {
  it('accepts 64 levels and refuses the 65th at its bracket, iteratively', () => {
    expect(ok(`${'['.repeat(64)}${']'.repeat(64)}`)).toBeDefined();
    expect(fail(`${'['.repeat(65)}${']'.repeat(65)}`)).toEqual(['Maximum nesting depth exceeded', 64]);
    expect(fail(`${'{"a":'.repeat(65)}1${'}'.repeat(65)}`)).toEqual(['Maximum nesting depth exceeded', 320]);
    expect(fail('['.repeat(100_000))).toEqual(['Maximum nesting depth exceeded', 64]);
  });

  it('takes the limit as a parameter', () => {
    const r = parseJsonBody('[[1]]', 1);
    expect(r).toEqual({ ok: false, kind: 'decode', pos: 1, error: 'Maximum nesting depth exceeded' });
  });
});

describe('side tables: numbers and key order as Python had them', () => {
  it('echoes float literals with Python repr and big ints with their digits', () => {
    const v = ok('{"a":1.0,"b":1,"c":1e16,"d":0.1,"e":12345678901234567890,"f":-0.0,"g":1e21,"h":5E-7,"i":[2.50,3]}') as Record<string, unknown>;
    expect(pyDumps(v)).toBe('{"a":1.0,"b":1,"c":1e+16,"d":0.1,"e":12345678901234567890,"f":-0.0,"g":1e+21,"h":5e-07,"i":[2.5,3]}');
    expect(pyNumberText(v, 'a')).toBe('1.0');
    expect(pyNumberText(v, 'b')).toBeUndefined();
    expect(isPyFloat(1, pyNumberText(v, 'a'))).toBe(true);
    expect(isPyFloat(1, pyNumberText(v, 'b'))).toBe(false);
    expect(isPyFloat(1e21, pyNumberText(v, 'g'))).toBe(true);
    expect(isPyFloat(0.5, undefined)).toBe(true);
  });

  it('keeps Python key order where JS would move integer-like keys first', () => {
    const v = ok('{"b":1,"2":2,"a":{"10":1,"1":2}}') as Record<string, Record<string, unknown>>;
    expect(Object.keys(v)).toEqual(['2', 'b', 'a']);
    expect(pyKeys(v)).toEqual(['b', '2', 'a']);
    expect(pyDumps(v)).toBe('{"b":1,"2":2,"a":{"10":1,"1":2}}');
  });

  it('keeps the first position and last value of a duplicated key', () => {
    expect(pyDumps(ok('{"a":1.0,"b":2,"a":3}'))).toBe('{"a":3,"b":2}');
    expect(pyDumps(ok('{"a":1,"b":2,"a":3.0}'))).toBe('{"a":3.0,"b":2}');
  });

  it('stores "__proto__" as an ordinary key', () => {
    const v = ok('{"__proto__":{"polluted":1}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.keys(v)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('pyDumps', () => {
  it('writes compact JSON with non-ASCII kept and Python float forms', () => {
    expect(pyDumps({ detail: [{ type: 't', loc: ['body', 0], msg: 'é "q"\n', input: {}, ctx: { ge: pyFloat(0) } }] })).toBe(
      '{"detail":[{"type":"t","loc":["body",0],"msg":"é \\"q\\"\\n","input":{},"ctx":{"ge":0.0}}]}',
    );
  });

  it('refuses NaN and Infinity as Starlette does', () => {
    expect(() => pyDumps({ a: NaN })).toThrow(NonFiniteNumberError);
    expect(() => pyDumps(ok('[Infinity]'))).toThrow(NonFiniteNumberError);
    expect(() => pyDumps(ok('[1e400]'))).toThrow(NonFiniteNumberError);
  });
});

describe('pyRepr / pyStr', () => {
  it('prints JSON values as Python would', () => {
    const v = ok('{"k":[1,2.0,"a",null,true,{"x":false}]}');
    expect(pyRepr(v)).toBe("{'k': [1, 2.0, 'a', None, True, {'x': False}]}");
    expect(pyStr('text')).toBe('text');
    expect(pyStr(null)).toBe('None');
    expect(pyStr(5)).toBe('5');
    expect(pyStr(5, '5.0')).toBe('5.0');
    expect(pyStr(1.5)).toBe('1.5');
  });
});

describe('decodeJsonBytes (json.loads on bytes)', () => {
  const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);
  it('detects the encoding as json.detect_encoding does', () => {
    expect(detectJsonEncoding(bytes(0xef, 0xbb, 0xbf, 0x7b))).toBe('utf-8-sig');
    expect(detectJsonEncoding(bytes(0xff, 0xfe, 0x7b, 0x00))).toBe('utf-16');
    expect(detectJsonEncoding(bytes(0xff, 0xfe, 0x00, 0x00))).toBe('utf-32');
    expect(detectJsonEncoding(bytes(0x00, 0x7b, 0x00, 0x7d))).toBe('utf-16-be');
    expect(detectJsonEncoding(bytes(0x7b, 0x00, 0x7d, 0x00))).toBe('utf-16-le');
    expect(detectJsonEncoding(bytes(0x7b, 0x00, 0x00, 0x00))).toBe('utf-32-le');
    expect(detectJsonEncoding(bytes(0x00, 0x00, 0x00, 0x7b))).toBe('utf-32-be');
    expect(detectJsonEncoding(bytes(0x00, 0x31))).toBe('utf-16-be');
    expect(detectJsonEncoding(bytes(0x7b, 0x7d))).toBe('utf-8');
  });

  it('decodes UTF-8 (BOM stripped), UTF-16 and UTF-32', () => {
    expect(decodeJsonBytes(Buffer.from('\ufeff{"a":"é"}', 'utf8'))).toBe('{"a":"é"}');
    expect(decodeJsonBytes(Buffer.from('{"a":"é"}', 'utf16le'))).toBe('{"a":"é"}');
    expect(decodeJsonBytes(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{}', 'utf16le')]))).toBe('{}');
    expect(decodeJsonBytes(bytes(0xfe, 0xff, 0x00, 0x7b, 0x00, 0x7d))).toBe('{}');
    expect(decodeJsonBytes(bytes(0x00, 0x00, 0x00, 0x5b, 0x00, 0x01, 0xf6, 0x00, 0x00, 0x00, 0x00, 0x5d))).toBe('[😀]');
  });

  it("keeps UTF-8-encoded surrogates ('surrogatepass') and refuses invalid UTF-8", () => {
    expect(decodeJsonBytes(bytes(0x22, 0xed, 0xa0, 0x80, 0x22))).toBe('"\ud800"');
    expect(decodeJsonBytes(bytes(0xff))).toBeUndefined();
    expect(decodeJsonBytes(bytes(0x7b, 0xc3))).toBeUndefined();
    expect(decodeJsonBytes(bytes(0xc0, 0xaf))).toBeUndefined();
    expect(decodeJsonBytes(bytes(0xff, 0xfe, 0x7b))).toBeUndefined();
    expect(decodeJsonBytes(bytes(0x7b, 0x00, 0x7d))).toBe('{\u0000}');
  });
});
