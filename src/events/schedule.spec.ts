import { describe, expect, it } from '@jest/globals';
import { scheduleProblems, shortestIntervalMs } from './schedule.js';

describe('shortestIntervalMs', () => {
  it.each([
    ['every second', '* * * * * *', 1000],
    ['every 30 s', '*/30 * * * * *', 30_000],
    ['every minute', '* * * * *', 60_000],
    ['two seconds apart, once a day', '0,2 0 9 * * *', 2000],
    ['five minutes in a row, once a year', '0-4 0 1 1 *', 60_000],
    ['daily at 09:00', '0 9 * * *', 24 * 3600 * 1000],
    ['00:00, 00:59, 23:00 and 23:59: a minute across midnight', '0 59,0 23,0 * * *', 60 * 1000],
    ['the same on Mondays and Tuesdays', '0 59,0 23,0 * * 1,2', 60 * 1000],
    ['the same on Mondays and Wednesdays: 59 minutes', '0 59,0 23,0 * * 1,3', 59 * 60 * 1000],
    ['the same on the 1st and 2nd', '0 59,0 23,0 1,2 * *', 60 * 1000],
    ['the same on the 31st and (next month) the 1st', '0 59,0 23,0 1,31 * *', 60 * 1000],
    ['the same on the 10th and the 20th', '0 59,0 23,0 10,20 * *', 59 * 60 * 1000],
    ['Sundays (0 and 7) and Saturdays', '0 59,0 23,0 * * 6,7', 60 * 1000],
    ['weekly', '0 9 * * 1', Infinity],
    ['yearly', '0 0 1 1 *', Infinity],
  ])('%s', (_label, cron, ms) => {
    expect(shortestIntervalMs(cron)).toBe(ms);
  });
});

describe('scheduleProblems with EVENT_SCHEDULE_MIN_INTERVAL_SECONDS', () => {
  it('refuses a schedule whose closest ticks are nearer than the minimum, naming schedule.cron', () => {
    for (const cron of ['* * * * * *', '*/30 * * * * *', '0,2 0 9 * * *']) {
      const problems = scheduleProblems(cron, 'UTC', 60);
      expect(problems.map((p) => p.name)).toEqual(['schedule.cron']);
      expect(problems[0].reason).toContain('at most once every 60 s (EVENT_SCHEDULE_MIN_INTERVAL_SECONDS)');
    }
  });

  it('accepts one at or above it', () => {
    for (const cron of ['* * * * *', '0 * * * * *', '0-4 0 1 1 *', '0 9 * * 1']) expect(scheduleProblems(cron, 'UTC', 60)).toEqual([]);
    expect(scheduleProblems('*/30 * * * * *', 'UTC', 30)).toEqual([]);
  });
});
