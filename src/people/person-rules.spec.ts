import { describe, expect, it } from '@jest/globals';
import { RequestValidationError } from '../http/validation-errors.js';
import { parseTagFilters, tagErrors } from './person-rules.js';

const errorsOf = (query: Record<string, unknown>): unknown[] => {
  try {
    parseTagFilters(query);
  } catch (e) {
    if (e instanceof RequestValidationError) return e.detail.map((d) => [d.type, d.loc]);
    throw e;
  }
  return [];
};

describe('tag filters of GET /v1/people', () => {
  it('reads tag.<key> and tag[<key>], ignores other parameters, takes the last of a repeated one', () => {
    expect(parseTagFilters({ 'tag.role': 'AE', 'tag[region]': 'EMEA', limit: '5', tags: 'x', 'tag.team': ['a', 'b'] })).toEqual({ role: 'AE', region: 'EMEA', team: 'b' });
  });

  it('keeps __proto__ as a plain key', () => {
    const f = parseTagFilters({ 'tag.__proto__': 'x' });
    expect(Object.getPrototypeOf(f)).toBe(Object.prototype);
    expect(Object.entries(f)).toEqual([['__proto__', 'x']]);
  });

  it('refuses bad keys, empty or long values and a bare tag parameter, at the parameter', () => {
    expect(errorsOf({ 'tag.a b': 'x', 'tag.': 'x', 'tag.ok': '', 'tag.long': 'y'.repeat(101), tag: 'AE' })).toEqual([
      ['string_pattern_mismatch', ['query', 'tag.a b']],
      ['string_pattern_mismatch', ['query', 'tag.']],
      ['string_too_short', ['query', 'tag.ok']],
      ['string_too_long', ['query', 'tag.long']],
      ['value_error', ['query', 'tag']],
    ]);
    expect(errorsOf(Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`tag.k${i}`, 'v'])))).toEqual([['value_error', ['query', 'tag']]]);
  });
});

describe('tags of a person', () => {
  it('accepts short string values under valid keys', () => {
    expect(tagErrors({ role: 'AE', 'sales-region_2': 'EMEA' }, ['body', 'tags'])).toEqual([]);
  });

  it('counts characters, not UTF-16 units', () => {
    expect(tagErrors({ emoji: '😀'.repeat(100) }, ['body', 'tags'])).toEqual([]);
    expect(tagErrors({ emoji: '😀'.repeat(101) }, ['body', 'tags'])[0]).toMatchObject({ type: 'string_too_long', ctx: { max_length: 100 } });
  });
});
