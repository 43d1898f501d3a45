import { describe, expect, it } from '@jest/globals';
import { trimChar } from './strings.js';

describe('trimChar', () => {
  it.each([
    ['a/b//', { end: true }, 'a/b'],
    ['//a/b//', { start: true, end: true }, 'a/b'],
    ['//a/b//', { start: true }, 'a/b//'],
    ['////', { start: true, end: true }, ''],
    ['', { end: true }, ''],
    ['abc', { end: true }, 'abc'],
  ])('%s %j -> %s', (s, where, out) => {
    expect(trimChar(s, '/', where)).toBe(out);
  });

  it('is linear on a long run followed by another character', () => {
    const s = `${'/'.repeat(200_000)}x`;
    const t0 = process.hrtime.bigint();
    expect(trimChar(s, '/', { start: true, end: true })).toBe('x');
    // Generous: a quadratic scan of 200k characters takes seconds, a linear one well under this.
    expect(Number(process.hrtime.bigint() - t0) / 1e6).toBeLessThan(200);
  });
});
