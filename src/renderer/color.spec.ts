import { describe, expect, it } from '@jest/globals';
import { parseColor } from './color.js';

describe('parseColor', () => {
  it.each([
    ['#f00', { r: 255, g: 0, b: 0, a: 1 }],
    ['#1E3A8A', { r: 30, g: 58, b: 138, a: 1 }],
    ['#00000080', { r: 0, g: 0, b: 0, a: 0.502 }],
    ['rgb(1, 2, 3)', { r: 1, g: 2, b: 3, a: 1 }],
    ['rgba(10,20,30,0.25)', { r: 10, g: 20, b: 30, a: 0.25 }],
    [' RGBA( 0 , 0 , 0 , 0 ) ', { r: 0, g: 0, b: 0, a: 0 }],
  ])('parses %s', (input, expected) => {
    expect(parseColor(input)).toEqual(expected);
  });

  it.each([
    'red',
    '#12',
    '#12345',
    '#GGGGGG',
    'rgb(256,0,0)',
    'rgb(1,2)',
    'rgba(1,2,3)',
    'rgb(1,2,3,0.5)',
    'rgba(1,2,3,1.5)',
    'rgb(-1,0,0)',
    '',
    42,
    null,
    undefined,
  ])('rejects %p', (input) => {
    expect(parseColor(input)).toBeNull();
  });
});
