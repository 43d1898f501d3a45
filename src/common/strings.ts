/**
 * Trims the characters `drop` accepts from the ends of a string in linear time. `/\/+$/` looks
 * the same but backtracks quadratically on a long run followed by another character, and these
 * run on values from outside (URLs, settings, request fields).
 */
export function trimWhile(s: string, drop: (code: number) => boolean, where: { start?: boolean; end?: boolean } = { start: true, end: true }): string {
  let from = 0;
  let to = s.length;
  if (where.start) while (from < to && drop(s.charCodeAt(from))) from++;
  if (where.end) while (to > from && drop(s.charCodeAt(to - 1))) to--;
  return s.slice(from, to);
}

/** Trims runs of one character (default: from the end only). */
export function trimChar(s: string, ch: string, where: { start?: boolean; end?: boolean } = { end: true }): string {
  const code = ch.charCodeAt(0);
  return trimWhile(s, (c) => c === code, where);
}
