import { describe, expect, it } from '@jest/globals';
import { costOf, RATE_COSTS } from './rate-cost.js';

describe('costOf', () => {
  it('charges by method without a rule, and by kind with one', () => {
    expect([costOf(undefined, 'GET'), costOf(undefined, 'HEAD'), costOf(undefined, 'POST')]).toEqual([RATE_COSTS.read, RATE_COSTS.read, RATE_COSTS.write]);
    expect(costOf({ kind: 'render' }, 'POST', { templates: [1, 2, 3] })).toBe(RATE_COSTS.render);
  });

  it('charges once per item of the named body array, and once when it is missing, empty or not an array', () => {
    const rule = { kind: 'render' as const, perItemOf: 'templates' };
    expect(costOf(rule, 'POST', { templates: ['a', 'b', 'c'] })).toBe(3 * RATE_COSTS.render);
    for (const body of [{}, { templates: [] }, { templates: 'abc' }, null, 'x', undefined]) expect(costOf(rule, 'POST', body)).toBe(RATE_COSTS.render);
  });
});
