import { MAX_EXTERNAL_ID_LENGTH } from '../templates/modifications.js';
import { errorItem, type FastApiErrorItem, type Loc, RequestValidationError } from '../http/validation-errors.js';
import { validateParam } from '../validation/validate.js';
import { t } from '../validation/fields.js';

/**
 * Limits of a person's fields (documented in the README's People section). Keys are kept to a
 * charset that never needs escaping in `tag.<key>` query parameters or `tags.<key>` fields.
 */
export const PERSON_LIMITS = {
  nameLength: 200,
  externalIdLength: MAX_EXTERNAL_ID_LENGTH,
  maxTags: 20,
  tagKeyLength: 40,
  tagValueLength: 100,
} as const;

export const TAG_KEY_PATTERN = `^[A-Za-z0-9_-]{1,${PERSON_LIMITS.tagKeyLength}}$`;
const TAG_KEY = new RegExp(TAG_KEY_PATTERN);

/** pydantic's errors for `tags: dict[Annotated[str, pattern], Annotated[str, max_length]]` with a max_length on the dict. */
export function tagErrors(tags: Record<string, unknown>, loc: Loc): FastApiErrorItem[] {
  const errors: FastApiErrorItem[] = [];
  const keys = Object.keys(tags);
  if (keys.length > PERSON_LIMITS.maxTags) {
    errors.push(errorItem('too_long', loc, tags, { field_type: 'Dictionary', max_length: PERSON_LIMITS.maxTags, actual_length: keys.length }));
    return errors;
  }
  for (const key of keys) {
    if (!TAG_KEY.test(key)) errors.push(errorItem('string_pattern_mismatch', [...loc, key, '[key]'], key, { pattern: TAG_KEY_PATTERN }));
    const value = tags[key];
    if (typeof value !== 'string') errors.push(errorItem('string_type', [...loc, key], value));
    else if (value.length === 0) errors.push(errorItem('string_too_short', [...loc, key], value, { min_length: 1 }));
    else if ([...value].length > PERSON_LIMITS.tagValueLength) {
      errors.push(errorItem('string_too_long', [...loc, key], value, { max_length: PERSON_LIMITS.tagValueLength }));
    }
  }
  return errors;
}

export function assertTags(tags: Record<string, unknown> | undefined | null): void {
  if (!tags) return;
  const errors = tagErrors(tags, ['body', 'tags']);
  if (errors.length) throw new RequestValidationError(errors);
}

/** `tag.<key>=<value>` or the deepObject spelling `tag[<key>]=<value>`. */
const TAG_PARAM = /^tag(?:\.(.*)|\[(.*)\])$/s;

/**
 * The tag filters of a list query: every `tag.<key>=<value>` (all must match). A bad key, a
 * value over the limit or a bare `tag=` is a 422 at that parameter. A repeated parameter takes
 * its last value, as every other query parameter does.
 */
export function parseTagFilters(query: Readonly<Record<string, unknown>>): Record<string, string> {
  // Pairs, then fromEntries: a `tag.__proto__` filter must become a key, not a prototype assignment.
  const filters = new Map<string, string>();
  const errors: FastApiErrorItem[] = [];
  for (const [param, raw] of Object.entries(query)) {
    if (param === 'tag') {
      errors.push(errorItem('value_error', ['query', 'tag'], raw, { error: 'filter by tag as tag.<key>=<value>' }));
      continue;
    }
    const m = TAG_PARAM.exec(param);
    if (!m) continue;
    const key = m[1] ?? m[2];
    if (!TAG_KEY.test(key)) {
      errors.push(errorItem('string_pattern_mismatch', ['query', param], key, { pattern: TAG_KEY_PATTERN }));
      continue;
    }
    const r = validateParam<string>('query', param, t.str({ minLength: 1, maxLength: PERSON_LIMITS.tagValueLength }), raw);
    if (!r.ok) errors.push(...r.errors);
    else filters.set(key, r.value);
  }
  if (filters.size > PERSON_LIMITS.maxTags) {
    errors.push(errorItem('value_error', ['query', 'tag'], null, { error: `at most ${PERSON_LIMITS.maxTags} tag filters` }));
  }
  if (errors.length) throw new RequestValidationError(errors);
  return Object.fromEntries(filters);
}
