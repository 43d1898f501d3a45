import { describe, expect, it } from '@jest/globals';
import { floatAsInt, laxBool, laxFloat, laxInt, rustTrim, strAsBool, strAsFloat, strAsInt } from './coerce.js';

const okv = <T>(value: T) => ({ ok: true, value });
const bad = (type: string) => ({ ok: false, type });

describe('strAsInt (pydantic str_as_int)', () => {
  it.each([
    ['5', 5],
    ['-5', -5],
    ['0', 0],
    ['-0', 0],
    [' 5 ', 5],
    ['\t5\n', 5],
    ['\u00a05\u3000', 5],
    ['+5', 5],
    ['05', 5],
    ['-05', -5],
    ['007', 7],
    ['000', 0],
    ['5.0', 5],
    ['5.000', 5],
    ['00.0', 0],
    ['-5.0', -5],
    ['1_000', 1000],
    ['1_000_000', 1000000],
    ['0_1', 1],
    ['12345678901234567890', 12345678901234567890],
  ])('%j -> %p', (s, n) => {
    expect(strAsInt(s)).toEqual(okv(n));
  });

  it.each(['', ' ', 'abc', '5.5', '5.', '.5', '1e3', '0x10', '--5', '+-5', '-+5', '_1', '1_', '1__0', '5a', '١٢', '\ufeff5', 'inf', 'NaN', '1,000'])(
    '%j -> int_parsing',
    (s) => {
      expect(strAsInt(s)).toEqual(bad('int_parsing'));
    },
  );

  it('reports more than 4300 digits as int_parsing_size', () => {
    expect(strAsInt('1'.repeat(4300))).toEqual({ ok: true, value: Number('1'.repeat(4300)) });
    expect(strAsInt('1'.repeat(4301))).toEqual(bad('int_parsing_size'));
    expect(strAsInt(`-${'1'.repeat(4300)}`)).toEqual(bad('int_parsing_size'));
  });
});

describe('rustTrim', () => {
  it('trims Unicode White_Space but not U+FEFF', () => {
    expect(rustTrim('\u0085 a \u2029')).toBe('a');
    expect(rustTrim('\ufeffa')).toBe('\ufeffa');
  });
});

describe('strAsFloat (Rust f64 parsing)', () => {
  it.each([
    ['1.5', 1.5],
    [' 1.5 ', 1.5],
    ['+1.5', 1.5],
    ['-1', -1],
    ['1.', 1],
    ['.5', 0.5],
    ['1e3', 1000],
    ['1E-2', 0.01],
    ['inf', Infinity],
    ['-Infinity', -Infinity],
    ['INF', Infinity],
    ['1_000.5', 1000.5],
  ])('%j -> %p', (s, n) => {
    expect(strAsFloat(s)).toEqual(okv(n));
  });

  it('parses nan', () => {
    const r = strAsFloat('NaN');
    expect(r.ok && Number.isNaN(r.value)).toBe(true);
  });

  it.each(['', 'abc', '.', '1e', '0x1p3', '1,5', ' 1_000', '_1', 'infinit'])('%j -> float_parsing', (s) => {
    expect(strAsFloat(s)).toEqual(bad('float_parsing'));
  });
});

describe('strAsBool', () => {
  it.each(['1', 't', 'T', 'y', 'on', 'ON', 'yes', 'Yes', 'true', 'TRUE'])('%j -> true', (s) => {
    expect(strAsBool(s)).toEqual(okv(true));
  });
  it.each(['0', 'f', 'n', 'no', 'off', 'false', 'False'])('%j -> false', (s) => {
    expect(strAsBool(s)).toEqual(okv(false));
  });
  it.each(['', 'maybe', ' true', 'true ', '2', '1.0', 'tru', 'ſ'])('%j -> bool_parsing', (s) => {
    expect(strAsBool(s)).toEqual(bad('bool_parsing'));
  });
});

describe('laxInt (python-mode int)', () => {
  it('takes ints, bools, whole floats and int strings', () => {
    expect(laxInt(5, false)).toEqual(okv(5));
    expect(laxInt(5, true)).toEqual(okv(5));
    expect(laxInt(true, false)).toEqual(okv(1));
    expect(laxInt(false, false)).toEqual(okv(0));
    expect(laxInt('5', false)).toEqual(okv(5));
    expect(laxInt(1e20, false)).toEqual(okv(1e20));
  });
  it('refuses the rest with pydantic error types', () => {
    expect(laxInt(5.5, true)).toEqual(bad('int_from_float'));
    expect(laxInt(1e20, true)).toEqual(bad('int_parsing_size'));
    expect(laxInt(NaN, true)).toEqual(bad('finite_number'));
    expect(laxInt(Infinity, true)).toEqual(bad('finite_number'));
    expect(laxInt('abc', false)).toEqual(bad('int_parsing'));
    expect(laxInt(null, false)).toEqual(bad('int_type'));
    expect(laxInt(undefined, false)).toEqual(bad('int_type'));
    expect(laxInt([], false)).toEqual(bad('int_type'));
    expect(laxInt({}, false)).toEqual(bad('int_type'));
  });
  it('bounds floats to i64 like Rust', () => {
    expect(floatAsInt(2 ** 63)).toEqual(bad('int_parsing_size'));
    expect(floatAsInt(-(2 ** 63))).toEqual(bad('int_parsing_size'));
    expect(floatAsInt(2 ** 62)).toEqual(okv(2 ** 62));
  });
});

describe('laxFloat', () => {
  it('takes numbers, bools and float strings', () => {
    expect(laxFloat(1)).toEqual(okv(1));
    expect(laxFloat(true)).toEqual(okv(1));
    expect(laxFloat('2.5')).toEqual(okv(2.5));
    expect(laxFloat('x')).toEqual(bad('float_parsing'));
    expect(laxFloat(null)).toEqual(bad('float_type'));
    expect(laxFloat([1])).toEqual(bad('float_type'));
  });
});

describe('laxBool', () => {
  it('follows pydantic for numbers', () => {
    expect(laxBool(1, false)).toEqual(okv(true));
    expect(laxBool(0, false)).toEqual(okv(false));
    expect(laxBool(1, true)).toEqual(okv(true));
    expect(laxBool(2, false)).toEqual(bad('bool_parsing'));
    expect(laxBool(2, true)).toEqual(bad('bool_parsing'));
    expect(laxBool(0.5, true)).toEqual(bad('bool_type'));
    expect(laxBool(NaN, true)).toEqual(bad('bool_type'));
    expect(laxBool(2 ** 64, false)).toEqual(bad('bool_type'));
  });
  it('takes booleans and words, refuses other types', () => {
    expect(laxBool(true, false)).toEqual(okv(true));
    expect(laxBool('off', false)).toEqual(okv(false));
    expect(laxBool(null, false)).toEqual(bad('bool_type'));
    expect(laxBool({}, false)).toEqual(bad('bool_type'));
  });
});
