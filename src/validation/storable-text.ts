/**
 * PostgreSQL refuses NUL in `text` and `\u0000` in `jsonb`, and `jsonb` refuses unpaired UTF-16
 * surrogates (`\ud800` alone, which JSON.stringify writes as an escape). Such a value would reach
 * the database and answer 500, so every string of a request (values and object keys, at any depth)
 * is checked first and refused with a 422 naming where it is.
 */
import { errorItem, type FastApiErrorItem, type Loc } from '../http/validation-errors.js';

export const UNSTORABLE_TEXT_MESSAGE = 'text may not contain NUL (U+0000) characters or unpaired UTF-16 surrogates';

/**
 * Whether PostgreSQL can store the string in text and jsonb. Both checks are V8's own linear
 * scans, fast from the first call: a loop over the characters in JavaScript ran interpreted on a
 * process's first large body, 50 ms for 2 MB of text on the API's event loop.
 */
export function isStorableText(s: string): boolean {
  return s.indexOf('\0') === -1 && s.isWellFormed();
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
