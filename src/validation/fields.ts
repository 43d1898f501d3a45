/**
 * Field specs of request DTOs. The decorators of `decorators.ts` record a pydantic-like spec per
 * field here (declaration order is field order, the order errors are reported in) and register
 * the class-validator constraint that checks it (`validate.ts`).
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Class<T = unknown> = new (...args: any[]) => T;
/** A class, or a thunk returning it (for classes declared further down the file). */
export type ClassRef = Class | (() => Class);
type Primitive = StringConstructor | NumberConstructor | BooleanConstructor | DateConstructor;

export interface NumberBounds {
  ge?: number;
  gt?: number;
  le?: number;
  lt?: number;
  multipleOf?: number;
}
export interface StrOptions {
  minLength?: number;
  maxLength?: number;
  /** A regular expression searched for anywhere in the value, as pydantic's `pattern`. */
  pattern?: string;
}
export interface ArrayOptions {
  minItems?: number;
  maxItems?: number;
}
export type EnumValue = string | number;
export type LiteralValue = string | number | boolean | null;

interface Nullable {
  /** `null` is a valid value (pydantic `X | None`). */
  nullable?: boolean;
}

export type FieldSpec = Nullable &
  (
    | ({ kind: 'int' } & NumberBounds)
    | ({ kind: 'float'; allowInfNan?: boolean } & NumberBounds)
    | ({ kind: 'str' } & StrOptions)
    | { kind: 'bool' }
    | { kind: 'uuid'; version?: 1 | 3 | 4 | 5 | 6 | 7 | 8 }
    | { kind: 'enum'; values: readonly EnumValue[] }
    | { kind: 'literal'; values: readonly LiteralValue[] }
    | { kind: 'datetime' }
    | { kind: 'dict'; required?: Readonly<Record<string, FieldSpec>> }
    | { kind: 'any' }
    | { kind: 'model'; cls: () => Class }
    | ({ kind: 'array'; items: FieldSpec | (() => Class | Primitive) } & ArrayOptions)
    | { kind: 'union'; discriminator: string; choices: readonly (readonly [string, () => Class])[] }
  );

export type FieldSpecOf<K extends FieldSpec['kind']> = Extract<FieldSpec, { kind: K }>;

export interface FieldOptions extends Nullable {
  /**
   * May be absent. A property initializer (`limit = 20`) makes a field optional too, and is its
   * default, as `limit: int = 20` is in pydantic.
   */
  optional?: boolean;
  /** The public name, in input and in `loc`, when it differs from the property name. */
  alias?: string;
}

export interface FieldDef {
  key: string;
  spec: FieldSpec;
  optional?: boolean;
  alias?: string;
  /** For the document, where Swagger cannot see the field's own property (header DTOs). */
  description?: string;
  example?: unknown;
}

export interface ModelOptions {
  /** pydantic `extra`: request DTOs forbid unknown keys unless told otherwise. */
  extra: 'forbid' | 'ignore';
}

const ownFields = new WeakMap<object, FieldDef[]>();
const modelOptions = new WeakMap<object, ModelOptions>();
/** Every class that declares fields or a config, so the document builder can describe them. */
const modelClasses = new Set<Class>();

// Classes have a `prototype`; the arrow functions used as thunks do not.
const isThunk = (f: ClassRef): f is () => Class => !Object.prototype.hasOwnProperty.call(f, 'prototype');
const toThunk = (ref: ClassRef): (() => Class) => (isThunk(ref) ? ref : () => ref);

// ---------------------------------------------------------------------------------------------
// Specs (also usable as array items: `PyList(t.int({ ge: 0 }))`)
// ---------------------------------------------------------------------------------------------

/**
 * The largest value of a PostgreSQL `integer`: every integer field declares at most this (or a
 * smaller bound), so a value the database cannot hold is a 422, never a 500.
 */
export const INT32_MAX = 2_147_483_647;

export const t = {
  int: (o: NumberBounds & Nullable = {}): FieldSpec => ({ kind: 'int', ...o }),
  float: (o: NumberBounds & Nullable & { allowInfNan?: boolean } = {}): FieldSpec => ({ kind: 'float', ...o }),
  str: (o: StrOptions & Nullable = {}): FieldSpec => ({ kind: 'str', ...o }),
  bool: (o: Nullable = {}): FieldSpec => ({ kind: 'bool', ...o }),
  uuid: (o: Nullable & { version?: FieldSpecOf<'uuid'>['version'] } = {}): FieldSpec => ({ kind: 'uuid', ...o }),
  enum: (values: readonly EnumValue[] | Record<string, EnumValue>, o: Nullable = {}): FieldSpec => ({
    kind: 'enum',
    values: enumValues(values),
    ...o,
  }),
  literal: (values: readonly LiteralValue[], o: Nullable = {}): FieldSpec => ({ kind: 'literal', values, ...o }),
  datetime: (o: Nullable = {}): FieldSpec => ({ kind: 'datetime', ...o }),
  /** A free-form object; `required` names keys it must have, each checked against its spec. */
  dict: (o: Nullable & { required?: Readonly<Record<string, FieldSpec>> } = {}): FieldSpec => ({ kind: 'dict', ...o }),
  any: (): FieldSpec => ({ kind: 'any' }),
  model: (cls: ClassRef, o: Nullable = {}): FieldSpec => ({ kind: 'model', cls: toThunk(cls), ...o }),
  array: (items: FieldSpec | (() => Class | Primitive), o: ArrayOptions & Nullable = {}): FieldSpec => ({ kind: 'array', items, ...o }),
  union: (discriminator: string, choices: Record<string, ClassRef>, o: Nullable = {}): FieldSpec => ({
    kind: 'union',
    discriminator,
    choices: Object.entries(choices).map(([tag, ref]) => [tag, toThunk(ref)] as const),
    ...o,
  }),
};

/** Values of an array, or of a TypeScript enum (skipping a numeric enum's reverse mapping). */
function enumValues(values: readonly EnumValue[] | Record<string, EnumValue>): readonly EnumValue[] {
  if (Array.isArray(values)) return values;
  const record = values as Record<string, EnumValue>;
  return Object.keys(record)
    .filter((k) => typeof record[record[k]] !== 'number')
    .map((k) => record[k]);
}

/** The spec of an array item given as `() => Class | String | Number | Boolean | Date`. */
export function resolveItemSpec(items: FieldSpecOf<'array'>['items']): FieldSpec {
  if (typeof items !== 'function') return items;
  const target = items();
  if (target === String) return { kind: 'str' };
  if (target === Number) return { kind: 'float' };
  if (target === Boolean) return { kind: 'bool' };
  if (target === Date) return { kind: 'datetime' };
  return { kind: 'model', cls: () => target as Class };
}

// ---------------------------------------------------------------------------------------------
// Decorators
// ---------------------------------------------------------------------------------------------

/** Records a field in the class's declaration order; `decorators.ts` builds the decorators on it. */
export function declareField(
  target: object,
  key: string | symbol,
  spec: FieldSpec,
  options: FieldOptions & { description?: string; example?: unknown } = {},
): FieldDef {
  if (typeof key !== 'string') throw new TypeError('Field decorators need string property names');
  const { optional, alias, nullable, description, example } = options;
  const withNull: FieldSpec = nullable === undefined ? spec : { ...spec, nullable };
  const ctor = target.constructor;
  modelClasses.add(ctor as Class);
  const fields = ownFields.get(ctor) ?? [];
  const def: FieldDef = { key, spec: withNull, optional, alias, ...(description !== undefined ? { description } : {}), ...(example !== undefined ? { example } : {}) };
  fields.push(def);
  ownFields.set(ctor, fields);
  return def;
}

export function pickBounds(o: NumberBounds): NumberBounds {
  return { ge: o.ge, gt: o.gt, le: o.le, lt: o.lt, multipleOf: o.multipleOf };
}

/** pydantic `model_config` for a DTO class (inherited by subclasses). */
export function ModelConfig(options: Partial<ModelOptions>): ClassDecorator {
  return (target) => {
    modelClasses.add(target as unknown as Class);
    modelOptions.set(target, { extra: 'forbid', ...options });
  };
}

// ---------------------------------------------------------------------------------------------
// Reading the metadata
// ---------------------------------------------------------------------------------------------

const fieldCache = new WeakMap<object, readonly FieldDef[]>();

/** The class and its ancestors, base first. */
function lineage(cls: object): object[] {
  const chain: object[] = [];
  for (let c: unknown = cls; typeof c === 'function' && c !== Function.prototype; c = Object.getPrototypeOf(c)) {
    chain.unshift(c);
  }
  return chain;
}

/** Fields in pydantic order: inherited ones first, an override keeping its parent's place. */
export function getFields(cls: object): readonly FieldDef[] {
  const cached = fieldCache.get(cls);
  if (cached) return cached;
  const merged: FieldDef[] = [];
  for (const c of lineage(cls)) {
    for (const def of ownFields.get(c) ?? []) {
      const at = merged.findIndex((f) => f.key === def.key);
      if (at >= 0) merged[at] = def;
      else merged.push(def);
    }
  }
  fieldCache.set(cls, merged);
  return merged;
}

export function getModelOptions(cls: object): ModelOptions {
  for (const c of lineage(cls).reverse()) {
    const found = modelOptions.get(c);
    if (found) return found;
  }
  return { extra: 'forbid' };
}

/** The classes declared with these decorators (DTOs), in no particular order. */
export function fieldModels(): readonly Class[] {
  return [...modelClasses];
}

/** Whether a class declares fields with the decorators of `decorators.ts`. */
export function isFieldModel(cls: unknown): cls is Class {
  return typeof cls === 'function' && getFields(cls).length > 0;
}
