import { errorItem, type FastApiErrorItem } from '../http/validation-errors.js';
import { LIMITS, type Modification, type TemplateDocument } from '../renderer/index.js';
import type { ModificationProblem } from '../templates/modifications.js';
import { TAG_KEY_PATTERN } from './person-rules.js';

/**
 * Bindings of a batch render per person: layer name -> what of each person the layer shows.
 * Each becomes a person reference in that person's modifications (`person_id`, and
 * `person_field` on text layers), resolved and checked like any render's.
 */
export type Bindings = Readonly<Record<string, string>>;

export const BINDING_HINT = '"photo", "name", "external_id" or "tags.<key>"';
const TAG_BINDING = new RegExp(`^tags\\.${TAG_KEY_PATTERN.slice(1)}`);

const bindsImage = (b: string): boolean => b === 'photo';
const isBinding = (b: unknown): b is string => typeof b === 'string' && (b === 'photo' || b === 'name' || b === 'external_id' || TAG_BINDING.test(b));

/** The 422 items of `bindings` the schema cannot express: at least one, each a known binding. */
export function bindingErrors(bindings: Record<string, unknown>): FastApiErrorItem[] {
  const keys = Object.keys(bindings);
  if (keys.length === 0) return [errorItem('value_error', ['body', 'bindings'], bindings, { error: 'bind at least one layer' })];
  if (keys.length > LIMITS.maxModifications) {
    return [errorItem('too_long', ['body', 'bindings'], bindings, { field_type: 'Dictionary', max_length: LIMITS.maxModifications, actual_length: keys.length })];
  }
  const errors: FastApiErrorItem[] = [];
  for (const key of keys) {
    const value = bindings[key];
    if (typeof value !== 'string') errors.push(errorItem('string_type', ['body', 'bindings', key], value));
    else if (!isBinding(value)) errors.push(errorItem('value_error', ['body', 'bindings', key], value, { error: `a binding is one of ${BINDING_HINT}` }));
  }
  return errors;
}

/** The properties a binding sets, which the request's own modification of that layer must leave alone. */
const SOURCE_KEYS = { image: ['image_url', 'asset_id', 'person_id', 'person_external_id', 'person_field'], text: ['text', 'person_id', 'person_external_id', 'person_field'] };

/**
 * The bindings against the version they render (400 invalid_binding, naming the layer): each
 * bound layer exists, is dynamic and is of the binding's type ("photo" an image layer, the
 * others text layers), and the request's modifications (as written) do not set what the binding sets.
 */
export function bindingProblems(doc: TemplateDocument, bindings: Bindings, modifications: readonly Modification[]): ModificationProblem[] {
  const layers = new Map(doc.layers.map((l) => [l.name, l]));
  const problems: ModificationProblem[] = [];
  for (const [name, binding] of Object.entries(bindings)) {
    const layer = layers.get(name);
    const wants = bindsImage(binding) ? 'image' : 'text';
    if (!layer) problems.push({ name, reason: 'unknown layer: the template has no layer with this name' });
    else if (layer.dynamic !== true) problems.push({ name, reason: 'layer is not dynamic: mark it dynamic in the template to bind it' });
    else if (layer.type !== wants) problems.push({ name, reason: `"${binding}" binds ${wants} layers, not ${layer.type} layers` });
    else {
      // The request's own entry as written (the last one for the layer wins, as in any render).
      const own = modifications.findLast((m) => m.name === name);
      const clash = own && SOURCE_KEYS[wants].find((k) => Object.hasOwn(own, k));
      if (clash) problems.push({ name, reason: `the binding "${binding}" sets this layer's ${wants === 'image' ? 'image' : 'text'}; its modification must not set ${clash}` });
    }
  }
  return problems;
}

/**
 * One person's modifications: the request's (effective, one per layer) with each bound layer's
 * person reference merged in (a bound layer without a modification of its own gets one).
 */
export function personModifications(base: readonly Modification[], bindings: Bindings, personId: string): Modification[] {
  const ref = (name: string): Modification => {
    const binding = bindings[name];
    return (bindsImage(binding) ? { name, person_id: personId } : { name, person_id: personId, person_field: binding }) as Modification;
  };
  const out = base.map((m) => (Object.hasOwn(bindings, m.name) ? { ...m, ...ref(m.name) } : m));
  for (const name of Object.keys(bindings)) if (!base.some((m) => m.name === name)) out.push(ref(name));
  return out;
}
