/**
 * Trims runs of one character from the ends of a string in linear time. `/\/+$/` looks the same
 * but backtracks quadratically on a long run followed by another character, and these run on
 * values from outside (URLs, settings).
 */
export function trimChar(s: string, ch: string, where: { start?: boolean; end?: boolean } = { end: true }): string {
  let from = 0;
  let to = s.length;
  if (where.start) while (from < to && s[from] === ch) from++;
  if (where.end) while (to > from && s[to - 1] === ch) to--;
  return s.slice(from, to);
}
