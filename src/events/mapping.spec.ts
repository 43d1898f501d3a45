import { describe, expect, it } from '@jest/globals';
import type { Layer } from '../renderer/index.js';
import { applyMapping, checkRule, filterMismatch, pathProblem } from './mapping.js';
import { scheduleProblems } from './schedule.js';

const layers = [
  { name: 'headline', type: 'text', x: 0, y: 0, width: 10, height: 10, text: 'x', dynamic: true },
  { name: 'photo', type: 'image', x: 0, y: 0, width: 10, height: 10, dynamic: true },
  { name: 'box', type: 'shape', shape: 'rect', x: 0, y: 0, width: 10, height: 10 },
] as unknown as Layer[];

const event = { id: 'evt_1', type: 'checkout.session.completed', data: { object: { mode: 'payment', amount_total: 4200, customer_details: { name: 'Ada' }, metadata: { avatar: 'https://example.com/a.png' } } } };

describe('rule mapping', () => {
  it('accepts string (text) and object forms on dynamic layers', () => {
    expect(checkRule({ layers }, { headline: '$.data.object.customer_details.name', photo: { image_url: '$.data.object.metadata.avatar' } }, [{ path: '$.data.object.mode', equals: 'payment' }])).toEqual([]);
  });

  it('names every field that cannot work', () => {
    const problems = checkRule(
      { layers },
      { nope: '$.a', box: { fill_color: '$.c' }, photo: '$.x', headline: { text: '$.a[', font_weight: '$.w', image_url: '$.u' } },
      [{ path: 'data.mode', equals: 1 }],
    );
    expect(problems.map((p) => p.name)).toEqual(['mapping.nope', 'mapping.box', 'mapping.photo', 'mapping.headline.text', 'mapping.headline.image_url', 'filter[0].path']);
  });

  it('refuses regular-expression functions (they would run on the event loop)', () => {
    expect(pathProblem('$.a[?match(@.b, "(a+)+$")]')).toMatch(/match\(\) or search\(\)/);
    expect(pathProblem('$.a[?search(@.b, "x")]')).toMatch(/not allowed/);
    expect(pathProblem('$.a[?length(@.b) > 2]')).toBeNull();
  });

  it('maps values, numbers shown as text, and names a missing path', () => {
    expect(applyMapping(event, { headline: '$.data.object.amount_total', photo: { image_url: '$.data.object.metadata.avatar' } })).toEqual({
      ok: true,
      modifications: [{ name: 'headline', text: '4200' }, { name: 'photo', image_url: 'https://example.com/a.png' }],
    });
    expect(applyMapping(event, { headline: '$.data.object.missing' })).toMatchObject({ ok: false, path: '$.data.object.missing', layer: 'headline', property: 'text' });
  });

  it('filters on JSON equality and says why it skipped', () => {
    expect(filterMismatch(event, [{ path: '$.data.object.mode', equals: 'payment' }])).toBeNull();
    expect(filterMismatch(event, [{ path: '$.data.object.mode', equals: 'subscription' }])).toBe('filter $.data.object.mode: "payment" is not "subscription"');
    expect(filterMismatch(event, [{ path: '$.nope', equals: 1 }])).toMatch(/no value/);
    expect(filterMismatch(event, [{ path: '$.data.object.customer_details', equals: { name: 'Ada' } }])).toBeNull();
  });
});

describe('schedules', () => {
  it('accepts 5- and 6-field crons in an IANA zone', () => {
    expect(scheduleProblems('0 9 * * 1', 'Europe/Paris')).toEqual([]);
    expect(scheduleProblems('* * * * * *', 'UTC')).toEqual([]);
  });

  it('names the bad field', () => {
    expect(scheduleProblems('61 * * * *', 'UTC').map((p) => p.name)).toEqual(['schedule.cron']);
    expect(scheduleProblems('* *', 'UTC').map((p) => p.name)).toEqual(['schedule.cron']);
    expect(scheduleProblems('0 9 * * 1', 'Mars/Olympus').map((p) => p.name)).toEqual(['schedule.timezone']);
  });
});
