import { describe, expect, it } from '@jest/globals';
import { parsePreferWait } from './prefer.js';

describe('parsePreferWait', () => {
  it.each([
    [undefined, null],
    ['', null],
    ['respond-async', null],
    ['wait=5', 5],
    ['WAIT = 7', 7],
    ['respond-async, wait=10', 10],
    ['wait="3"', 3],
    ['wait=0', 0],
    ['wait=30', 30],
    [['handling=lenient', 'wait=2'], 2],
  ])('reads %p as %p', (h, wait) => {
    expect(parsePreferWait(h as string | string[] | undefined)).toEqual({ ok: true, wait });
  });

  it.each([
    ['wait=31', 'too_large'],
    ['wait=1000', 'too_large'],
    ['wait=abc', 'not_integer'],
    ['wait=1.5', 'not_integer'],
    ['wait=-1', 'not_integer'],
    ['wait=', 'not_integer'],
  ])('refuses %p', (h, error) => {
    expect(parsePreferWait(h)).toEqual({ ok: false, error });
  });
});
