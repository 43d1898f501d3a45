/**
 * PostgreSQL refuses NUL in `text` and `\u0000` in `jsonb`, and `jsonb` refuses unpaired UTF-16
 * surrogates (`\ud800` alone, which JSON.stringify writes as an escape). Such a value would reach
 * the database and answer 500, so every string of a request (values and object keys, at any depth)
 * is checked first and refused with a 422 naming where it is.
 */
import { errorItem, type FastApiErrorItem, type Loc } from '../http/validation-errors.js';

export const UNSTORABLE_TEXT_MESSAGE = 'text may not contain NUL (U+0000) characters or unpaired UTF-16 surrogates';

/** Whether PostgreSQL can store the string in text and jsonb. Linear; no regular expression. */
export function isStorableText(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0) return false;
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (d < 0xdc00 || d > 0xdfff) return false;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return false;
    }
  }
  return true;
}

/**
 * One error per offending string, in document order. An offending object key is reported at the
 * key's own location with the key as input. `maxErrors` bounds the work an adversarial body can cause.
 */
export function unstorableTextErrors(value: unknown, loc: Loc, maxErrors = 100): FastApiErrorItem[] {
  const errors: FastApiErrorItem[] = [];
  const seen = new Set<object>();
  const visit = (v: unknown, at: Loc): void => {
    if (errors.length >= maxErrors) return;
    if (typeof v === 'string') {
      if (!isStorableText(v)) errors.push(errorItem('value_error', at, v, { error: UNSTORABLE_TEXT_MESSAGE }));
      return;
    }
    if (typeof v !== 'object' || v === null || seen.has(v)) return;
    seen.add(v);
    if (Array.isArray(v)) {
      v.forEach((item, i) => visit(item, [...at, i]));
      return;
    }
    for (const key of Object.keys(v)) {
      if (!isStorableText(key)) {
        if (errors.length < maxErrors) errors.push(errorItem('value_error', [...at, key], key, { error: UNSTORABLE_TEXT_MESSAGE }));
        continue;
      }
      visit((v as Record<string, unknown>)[key], [...at, key]);
    }
  };
  visit(value, loc);
  return errors;
}
