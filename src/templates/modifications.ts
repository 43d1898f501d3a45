import { parseColor } from '../renderer/index.js';
import { LIMITS, type LayerType, type Modification, type TemplateDocument } from '../renderer/index.js';
import { PERSON_FIELD_HINT, personFieldValue, type PersonRecord, type PersonRef } from './person-refs.js';

export interface ModificationProblem {
  name: string;
  reason: string;
}

export interface ModificationContext {
  /** Kind of each usable asset of the caller's org (deleted and foreign assets are absent). */
  assetKind(id: string): 'image' | 'font' | undefined;
  /** A live person of the caller's org (deleted and foreign people are absent). */
  person?(ref: PersonRef): PersonRecord | undefined;
}

type Check = (value: unknown, ctx: ModificationContext) => string | null;

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const num = (min: number, max: number): Check => (v) =>
  isNum(v) && v >= min && v <= max ? null : `must be a number from ${min} to ${max}`;
const int = (min: number, max: number): Check => (v) =>
  isNum(v) && Number.isInteger(v) && v >= min && v <= max ? null : `must be an integer from ${min} to ${max}`;
const bool: Check = (v) => (typeof v === 'boolean' ? null : 'must be true or false');
const oneOf = (...values: string[]): Check => (v) =>
  typeof v === 'string' && values.includes(v) ? null : `must be one of ${values.join(', ')}`;
const str = (max: number): Check => (v) =>
  typeof v !== 'string' ? 'must be a string' : v.length > max ? `must be at most ${max} characters` : null;
export const colorProblem: Check = (v) =>
  parseColor(v) ? null : 'must be a colour: #RGB, #RRGGBB, #RRGGBBAA, rgb(r, g, b) or rgba(r, g, b, a)';
export const urlProblem: Check = (v) => {
  if (typeof v !== 'string' || v.length === 0) return 'must be an http or https URL';
  if (v.length > 2048) return 'must be at most 2048 characters';
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    return 'must be an absolute http or https URL';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return `scheme "${u.protocol.replace(/:$/, '')}" is not allowed; use http or https`;
  if (u.username || u.password) return 'must not contain credentials';
  return null;
};
const asset = (kind: 'image' | 'font'): Check => (v, ctx) => {
  if (typeof v !== 'string' || !UUID.test(v)) return 'must be an asset id (UUID)';
  const found = ctx.assetKind(v.toLowerCase());
  if (!found) return `asset ${v} not found`;
  return found === kind ? null : `asset ${v} is ${found === 'image' ? 'an image' : 'a font'}, not ${kind === 'image' ? 'an image' : 'a font'}`;
};

/** What a modification may override, per layer type; geometry stays the template's. */
const COMMON: Record<string, Check> = { hidden: bool, opacity: num(0, 1), rotation: num(-360, 360) };
const PROPERTIES: Record<LayerType, Record<string, Check>> = {
  text: {
    ...COMMON,
    text: str(LIMITS.maxTextLength),
    color: colorProblem,
    background_color: colorProblem,
    font_family: str(100),
    font_asset_id: asset('font'),
    font_weight: int(100, 900),
    font_style: oneOf('normal', 'italic'),
    font_size: num(1, 2000),
    min_font_size: num(1, 2000),
    align: oneOf('left', 'center', 'right', 'justify'),
    vertical_align: oneOf('top', 'middle', 'bottom'),
    letter_spacing: num(-100, 1000),
    line_height: num(0.1, 10),
    max_lines: int(1, 1000),
  },
  image: {
    ...COMMON,
    image_url: urlProblem,
    asset_id: asset('image'),
    fit: oneOf('cover', 'contain', 'fill'),
    focus: oneOf('center', 'top', 'bottom', 'left', 'right', 'top_left', 'top_right', 'bottom_left', 'bottom_right'),
    border_radius: num(0, 10_000),
    tint_color: colorProblem,
    grayscale: bool,
  },
  shape: {
    ...COMMON,
    fill_color: colorProblem,
    stroke_color: colorProblem,
    stroke_width: num(0, 1000),
    border_radius: num(0, 10_000),
  },
};

const IMAGE_SOURCES = ['image_url', 'asset_id', 'person_id', 'person_external_id'];
/** The keys that name a person; resolution replaces them with concrete properties. */
const PERSON_KEYS = ['person_id', 'person_external_id', 'person_field'];
export const MAX_EXTERNAL_ID_LENGTH = 255;

const present = (v: unknown): boolean => v !== undefined && v !== null;

interface Resolution {
  reasons: string[];
  resolved: Record<string, unknown>;
}
const refuse = (reason: string): Resolution => ({ reasons: [reason], resolved: {} });

/**
 * A modification that names a person, turned into the concrete one the render stores: an image
 * layer gets `asset_id` = the person's photo, a text layer `text` = the named field. The stored
 * render then never depends on the person again (a later edit or deletion changes nothing).
 */
function resolvePerson(type: LayerType, mod: Modification, ctx: ModificationContext): Resolution {
  const { person_id: id, person_external_id: ext, person_field: field } = mod as Record<string, unknown>;
  if (!present(id) && !present(ext)) {
    return present(field) ? refuse('person_field needs person_id or person_external_id') : { reasons: [], resolved: {} };
  }
  if (type === 'shape') return refuse(`${present(id) ? 'person_id' : 'person_external_id'} does not apply to shape layers`);
  if (present(id) && present(ext)) return refuse('give only one of person_id, person_external_id');
  let person: PersonRecord | undefined;
  let label: string;
  if (present(id)) {
    if (typeof id !== 'string' || !UUID.test(id)) return refuse('person_id must be a person id (UUID)');
    person = ctx.person?.({ id: id.toLowerCase() });
    label = `person ${id}`;
    if (!person) return refuse(`person_id: ${label} not found`);
  } else {
    if (typeof ext !== 'string' || ext.length === 0 || [...ext].length > MAX_EXTERNAL_ID_LENGTH) {
      return refuse(`person_external_id must be a string of 1 to ${MAX_EXTERNAL_ID_LENGTH} characters`);
    }
    person = ctx.person?.({ externalId: ext });
    label = `person with external_id ${JSON.stringify(ext)}`;
    if (!person) return refuse(`person_external_id: no ${label}`);
  }
  if (type === 'image') {
    if (present(field) && field !== 'photo') return refuse('person_field must be "photo" (or absent) on image layers');
    if (!person.photoUsable) return refuse(`the photo asset of ${label} is no longer available`);
    return { reasons: [], resolved: { asset_id: person.photoAssetId } };
  }
  if (!present(field)) return refuse(`person_field is required on text layers: ${PERSON_FIELD_HINT}`);
  if (typeof field !== 'string') return refuse(`person_field must be one of ${PERSON_FIELD_HINT}`);
  if (present(mod.text)) return refuse('give either text or person_field');
  if (field !== 'name' && field !== 'external_id' && !field.startsWith('tags.')) {
    return refuse(`person_field must be one of ${PERSON_FIELD_HINT}`);
  }
  const value = personFieldValue(person, field);
  if (value === undefined) return refuse(`${label} has no ${field}`);
  return { reasons: [], resolved: { text: value } };
}

/** The properties a modification may set on a layer of this type. */
export function modifiableProperties(type: LayerType): readonly string[] {
  return Object.keys(PROPERTIES[type]);
}

/**
 * Checks a render's modifications against a published version before anything is queued, so a
 * render only fails for reasons that could not be known up front. The last entry for a name wins
 * (as the renderer applies them); every problem is reported, not just the first.
 */
export function validateModifications(
  doc: TemplateDocument,
  modifications: readonly Modification[],
  ctx: ModificationContext,
): { problems: ModificationProblem[]; effective: Modification[] } {
  const problems: ModificationProblem[] = [];
  const layers = new Map(doc.layers.map((l) => [l.name, l]));
  const last = new Map<string, Modification>();
  for (const m of modifications) last.set(m.name, m);
  // What the render stores: `last` with person references replaced by what they resolve to.
  const effective = new Map(last);

  for (const [name, mod] of last) {
    const layer = layers.get(name);
    if (!layer) {
      problems.push({ name, reason: 'unknown layer: the template has no layer with this name' });
      continue;
    }
    if (layer.dynamic !== true) {
      problems.push({ name, reason: 'layer is not dynamic: mark it dynamic in the template to allow modifications' });
      continue;
    }
    const allowed = PROPERTIES[layer.type];
    const sources = Object.keys(mod).filter((k) => IMAGE_SOURCES.includes(k) && mod[k] !== null);
    if (sources.length > 1) problems.push({ name, reason: `give only one of ${sources.join(', ')}` });
    else {
      const { reasons, resolved } = resolvePerson(layer.type, mod, ctx);
      for (const reason of reasons) problems.push({ name, reason });
      if (PERSON_KEYS.some((k) => Object.hasOwn(mod, k))) {
        const concrete = Object.fromEntries(Object.entries(mod).filter(([k]) => !PERSON_KEYS.includes(k)));
        effective.set(name, { ...concrete, ...resolved } as Modification);
      }
    }
    for (const [prop, value] of Object.entries(mod)) {
      if (prop === 'name' || PERSON_KEYS.includes(prop)) continue;
      // Own properties only: `constructor` or `__proto__` in a body must not find Object.prototype's.
      const check = Object.hasOwn(allowed, prop) ? allowed[prop] : undefined;
      if (!check) {
        problems.push({ name, reason: `property "${prop}" does not apply to ${layer.type} layers` });
        continue;
      }
      const reason = check(value, ctx);
      if (reason) problems.push({ name, reason: `${prop} ${reason}` });
    }
  }
  return { problems, effective: [...effective.values()] };
}
