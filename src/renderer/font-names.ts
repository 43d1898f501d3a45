/**
 * Family names as people type them. A template's font_family and an uploaded font's family
 * (read from its name table) are compared by key: NFKC, quotes and CSS escapes removed,
 * white space collapsed, case folded. That is at least as loose as the font system's own
 * matching (case-insensitive), so every spelling that would have reached a font there is
 * decided here, before anything reaches it.
 */

/** At most this many entries of a font_family list are looked at. */
const MAX_CANDIDATES = 8;

/** The comparison key of one family name; '' when nothing is left of it. */
export function familyKey(name: string): string {
  let out = '';
  let space = false;
  for (const ch of name.normalize('NFKC')) {
    // Quotes and backslashes are CSS syntax, never part of a name we compare.
    if (ch === '"' || ch === "'" || ch === '\\') continue;
    if (/^[\s\p{Cc}\p{Cf}]$/u.test(ch)) {
      space = out.length > 0;
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += ch;
  }
  return out.toLowerCase().slice(0, 200);
}

/** The keys of a font_family value read as a CSS family list ("A", 'B', C), in order, without repeats. */
export function familyCandidates(value: unknown): string[] {
  if (typeof value !== 'string') return [];
  const keys: string[] = [];
  for (const part of value.split(',')) {
    const key = familyKey(part);
    if (key && !keys.includes(key)) keys.push(key);
    if (keys.length >= MAX_CANDIDATES) break;
  }
  return keys;
}
