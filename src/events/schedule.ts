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
export function scheduleProblems(cron: string, timezone: string): ModificationProblem[] {
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
  try {
    cronParser.parseExpression(cron, tzOk ? { tz: timezone } : {}).next();
  } catch (err) {
    problems.push({ name: 'schedule.cron', reason: `is not a valid cron expression: ${err instanceof Error ? err.message : String(err)}` });
  }
  return problems;
}
