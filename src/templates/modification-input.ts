import { errorItem, type FastApiErrorItem } from '../http/validation-errors.js';

/** The schema types modifications as free-form objects; each must still name its layer. */
export function modificationNameErrors(mods: readonly Record<string, unknown>[], loc: (string | number)[]): FastApiErrorItem[] {
  const errors: FastApiErrorItem[] = [];
  mods.forEach((m, i) => {
    if (!('name' in m)) errors.push(errorItem('missing', [...loc, i, 'name'], m));
    else if (typeof m.name !== 'string') errors.push(errorItem('string_type', [...loc, i, 'name'], m.name));
  });
  return errors;
}
