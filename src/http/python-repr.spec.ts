import { describe, expect, it } from '@jest/globals';
import { pyFloatRepr, pyStrRepr, rustF64Display } from './python-repr.js';

describe('pyFloatRepr (Python repr(float))', () => {
  it.each([
    [1, '1.0'],
    [0, '0.0'],
    [-0, '-0.0'],
    [0.5, '0.5'],
    [-2.5, '-2.5'],
    [0.1, '0.1'],
    [1e15, '1000000000000000.0'],
    [1e16, '1e+16'],
    [1.5e16, '1.5e+16'],
    [123456789012345680000, '1.2345678901234568e+20'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [1.5e-7, '1.5e-07'],
    [1e100, '1e+100'],
    [5e-324, '5e-324'],
    [1.7976931348623157e308, '1.7976931348623157e+308'],
    [NaN, 'nan'],
    [Infinity, 'inf'],
    [-Infinity, '-inf'],
  ])('%p -> %s', (x, text) => {
    expect(pyFloatRepr(x)).toBe(text);
  });
});

describe('rustF64Display (pydantic message numbers)', () => {
  it.each([
    [0, '0'],
    [-0, '-0'],
    [1, '1'],
    [0.5, '0.5'],
    [1e21, '1000000000000000000000'],
    [1e-7, '0.0000001'],
    [123.456, '123.456'],
    [NaN, 'NaN'],
    [Infinity, 'inf'],
    [-Infinity, '-inf'],
  ])('%p -> %s', (x, text) => {
    expect(rustF64Display(x)).toBe(text);
  });
});

describe('pyStrRepr (Python repr(str))', () => {
  it.each([
    ['type', "'type'"],
    ["it's", '"it\'s"'],
    ['say "hi"', `'say "hi"'`],
    [`it's "x"`, `'it\\'s "x"'`],
    ['a\\b', "'a\\\\b'"],
    ['\n\r\t', "'\\n\\r\\t'"],
    ['\x00\x7f', "'\\x00\\x7f'"],
    ['\u00a0', "'\\xa0'"],
    ['\u200b', "'\\u200b'"],
    ['\u2028', "'\\u2028'"],
    ['\ud800', "'\\ud800'"],
    ['é日😀 ', "'é日😀 '"],
    ['\u{e0001}', "'\\U000e0001'"],
  ])('%j -> %s', (s, text) => {
    expect(pyStrRepr(s)).toBe(text);
  });
});
