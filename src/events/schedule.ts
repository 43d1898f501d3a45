// cron-parser is what Bull's repeatable jobs parse cron with: a cron valid here is one Bull runs.
import cronParser from 'cron-parser';
import type { ModificationProblem } from '../templates/modifications.js';

export const MAX_CRON_LENGTH = 200;

export function timezoneValid(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * A schedule checked the way Bull will run it: 5 fields (minute first) or 6 (seconds first), and
 * an IANA time zone. Problems name `schedule.cron` / `schedule.timezone`.
 */
export function scheduleProblems(cron: string, timezone: string, minIntervalSeconds = 1): ModificationProblem[] {
  const problems: ModificationProblem[] = [];
  const tzOk = timezoneValid(timezone);
  if (!tzOk) problems.push({ name: 'schedule.timezone', reason: `"${timezone}" is not an IANA time zone (such as Europe/Paris or UTC)` });
  if (cron.length > MAX_CRON_LENGTH) {
    problems.push({ name: 'schedule.cron', reason: `must be at most ${MAX_CRON_LENGTH} characters` });
    return problems;
  }
  const fields = cron.trim().split(/\s+/).length;
  if (fields < 5 || fields > 6) {
    problems.push({ name: 'schedule.cron', reason: 'must have 5 fields (minute hour day month weekday) or 6 (seconds first)' });
    return problems;
  }
  let shortest: number;
  try {
    cronParser.parseExpression(cron, tzOk ? { tz: timezone } : {}).next();
    shortest = shortestIntervalMs(cron);
  } catch (err) {
    problems.push({ name: 'schedule.cron', reason: `is not a valid cron expression: ${err instanceof Error ? err.message : String(err)}` });
    return problems;
  }
  if (shortest < minIntervalSeconds * 1000) {
    problems.push({
      name: 'schedule.cron',
      reason: `fires ${shortest / 1000} s apart at its closest; schedules may fire at most once every ${minIntervalSeconds} s (EVENT_SCHEDULE_MIN_INTERVAL_SECONDS)`,
    });
  }
  return problems;
}

const DAY_S = 24 * 3600;

/**
 * The shortest time between two ticks of a cron, from its fields rather than by walking its
 * ticks (cron-parser takes about a millisecond per tick of a minute-level cron, too slow to
 * walk a day of them on the API's event loop): every day the cron fires has the same ticks
 * (hour x minute x second), so the shortest gap is the shortest between two ticks of one day,
 * or from a day's last tick to the next day's first when it can fire on consecutive days.
 * Infinity when no two ticks fall on the same or consecutive days. Daylight-saving shifts
 * (an hour, on two days a year) are not counted.
 */
export function shortestIntervalMs(cron: string): number {
  const f = cronParser.parseExpression(cron).fields;
  // cron-parser keeps each field's values in ascending order, so these come in order: at most
  // 86,400 of them (every second), a fraction of a millisecond.
  let first = -1;
  let last = -1;
  let shortest = Infinity;
  for (const h of f.hour) {
    for (const m of f.minute) {
      for (const sec of f.second) {
        const t = h * 3600 + m * 60 + sec;
        if (first < 0) first = t;
        else shortest = Math.min(shortest, t - last);
        last = t;
      }
    }
  }
  if (firesOnConsecutiveDays(f.dayOfMonth, f.dayOfWeek)) shortest = Math.min(shortest, DAY_S - last + first);
  return shortest * 1000;
}

/**
 * Whether a cron can fire on two consecutive days. With both day fields restricted cron fires
 * on either (an OR), whose days may meet: counted as consecutive, the cautious answer.
 */
function firesOnConsecutiveDays(daysOfMonth: readonly (number | 'L')[], daysOfWeek: readonly number[]): boolean {
  const dom = daysOfMonth.filter((d): d is number => typeof d === 'number');
  const dow = new Set(daysOfWeek.map((d) => d % 7));
  const allDom = dom.length === 31 && !daysOfMonth.includes('L');
  const allDow = dow.size === 7;
  if (allDom && allDow) return true;
  if (allDom) return [...dow].some((d) => dow.has((d + 1) % 7));
  if (allDow) return dom.some((d) => dom.includes(d + 1)) || daysOfMonth.includes('L') || (dom.includes(1) && dom.some((d) => d >= 28));
  return true;
}
