/**
 * pydantic 2's python-mode semantics (FastAPI calls `validate_python`) behind the project's
 * class-validator decorators (`decorators.ts`). A DTO is validated by class-validator's
 * `validateSync`: each field carries one constraint, registered with `registerDecorator`, whose
 * `validate` checks the field's raw value as pydantic would, writes the coerced value back to
 * the instance and records pydantic's exact error items for the exception factory
 * (`fastApiItems`), which turns class-validator's `ValidationError`s into FastAPI's items in
 * pydantic's order (fields in declaration order, list items in index order, `extra_forbidden`
 * after the fields of the same object).
 */
import { RE2JS } from 're2js';
import { validateSync, type ValidationArguments, type ValidationError } from 'class-validator';
import { isPyFloat, pyKeys, pyNumberText, PyNumber, pyFloat, pyRepr, pyStr } from '../http/python-json.js';
import { pyStrRepr } from '../http/python-repr.js';
import { parseUuid } from './uuid.js';
import { laxBool, laxFloat, laxInt } from './coerce.js';
import { validateDateTime } from './datetime.js';
import { errorItem, expectedRepr, type FastApiErrorItem, type Loc, type Location } from '../http/validation-errors.js';
import { type Class, type FieldDef, type FieldSpec, type FieldSpecOf, getFields, getModelOptions, resolveItemSpec } from './fields.js';
import { toFastApiDetail } from './class-validator-mapper.js';

export type Validated<T> = { ok: true; value: T } | { ok: false; errors: FastApiErrorItem[] };

/** Where a value sits in the parsed body, so its Python number form can be found. */
interface Parent {
  container: object;
  key: string | number;
}

const INVALID = Symbol('invalid');

const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);

function numberText(parent: Parent | undefined): string | undefined {
  return parent && pyNumberText(parent.container, parent.key);
}

/** The value to put in an error's `input`: a number keeps the form Python parsed it in. */
function echo(input: unknown, parent: Parent | undefined): unknown {
  if (typeof input !== 'number') return input;
  const text = numberText(parent);
  return text === undefined ? input : new PyNumber(input, text);
}

/** Whether a number came in as a Python float (`5.0`), which pydantic treats unlike an int (`5`). */
const floatInput = (input: unknown, parent: Parent | undefined): boolean => typeof input === 'number' && isPyFloat(input, numberText(parent));

/** A constraint value as pydantic reports it: ints as ints, float fields' bounds as floats. */
const bound = (spec: FieldSpec, n: number): number | PyNumber => (spec.kind === 'float' ? pyFloat(n) : n);

const patterns = new WeakMap<FieldSpec, RE2JS>();
/**
 * A field's `pattern` as pydantic runs it: Rust's regex crate, a search that is linear in the
 * input. re2js is the same RE2 family (no backreferences or lookaround, no backtracking), so
 * no declared pattern can be made to backtrack on a request's value.
 */
function patternOf(spec: FieldSpecOf<'str'>): RE2JS {
  let re = patterns.get(spec);
  if (!re) {
    re = RE2JS.compile(spec.pattern ?? '');
    patterns.set(spec, re);
  }
  return re;
}

function codePointLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

class Walker {
  errors: FastApiErrorItem[] = [];

  private fail(type: string, loc: Loc, input: unknown, parent: Parent | undefined, ctx?: Record<string, unknown>): typeof INVALID {
    this.errors.push(errorItem(type, loc, echo(input, parent), ctx));
    return INVALID;
  }

  value(spec: FieldSpec, input: unknown, loc: Loc, parent?: Parent): unknown {
    if (input === null && spec.nullable) return null;
    switch (spec.kind) {
      case 'int':
      case 'float':
        return this.number(spec, input, loc, parent);
      case 'str':
        return this.str(spec, input, loc, parent);
      case 'bool': {
        const r = laxBool(input, floatInput(input, parent));
        return r.ok ? r.value : this.fail(r.type, loc, input, parent);
      }
      case 'uuid':
        return this.uuid(spec, input, loc, parent);
      case 'enum':
        return this.enumeration(spec, input, loc, parent);
      case 'literal':
        return this.literal(spec, input, loc, parent);
      case 'datetime': {
        const r = validateDateTime(input, floatInput(input, parent));
        if (r.ok) return r.value;
        return this.fail(r.type, loc, input, parent, r.type === 'datetime_type' ? undefined : { error: r.error });
      }
      case 'dict':
        return this.dict(spec, input, loc, parent);
      case 'any':
        return input;
      case 'model':
        return this.model(spec.cls(), input, loc, parent);
      case 'array':
        return this.array(spec, input, loc, parent);
      case 'union':
        return this.union(spec, input, loc, parent);
    }
  }

  private number(spec: FieldSpecOf<'int'> | FieldSpecOf<'float'>, input: unknown, loc: Loc, parent: Parent | undefined): unknown {
    const r = spec.kind === 'int' ? laxInt(input, floatInput(input, parent)) : laxFloat(input);
    if (!r.ok) return this.fail(r.type, loc, input, parent);
    const n = r.value;
    if (spec.kind === 'float' && spec.allowInfNan === false && !Number.isFinite(n)) return this.fail('finite_number', loc, input, parent);
    // pydantic's order: multiple_of, le, lt, ge, gt. NaN fails every comparison.
    const { multipleOf, le, lt, ge, gt } = spec;
    if (multipleOf !== undefined) {
      const off = spec.kind === 'int' ? n % multipleOf !== 0 : Math.abs(n - Math.round(n / multipleOf) * multipleOf) > 1e-9;
      if (off) return this.fail('multiple_of', loc, input, parent, { multiple_of: bound(spec, multipleOf) });
    }
    if (le !== undefined && !(n <= le)) return this.fail('less_than_equal', loc, input, parent, { le: bound(spec, le) });
    if (lt !== undefined && !(n < lt)) return this.fail('less_than', loc, input, parent, { lt: bound(spec, lt) });
    if (ge !== undefined && !(n >= ge)) return this.fail('greater_than_equal', loc, input, parent, { ge: bound(spec, ge) });
    if (gt !== undefined && !(n > gt)) return this.fail('greater_than', loc, input, parent, { gt: bound(spec, gt) });
    return n;
  }

  private str(spec: FieldSpecOf<'str'>, input: unknown, loc: Loc, parent: Parent | undefined): unknown {
    if (typeof input !== 'string') return this.fail('string_type', loc, input, parent);
    // Code points lie between half the UTF-16 length and the length: counting them (a pass over
    // up to 10,000 characters per text, 200 texts per template) is needed only near a bound.
    const surelyLongEnough = spec.minLength === undefined || Math.ceil(input.length / 2) >= spec.minLength;
    const surelyShortEnough = spec.maxLength === undefined || input.length <= spec.maxLength;
    if (!surelyLongEnough || !surelyShortEnough) {
      const len = codePointLength(input);
      if (spec.minLength !== undefined && len < spec.minLength) return this.fail('string_too_short', loc, input, parent, { min_length: spec.minLength });
      if (spec.maxLength !== undefined && len > spec.maxLength) return this.fail('string_too_long', loc, input, parent, { max_length: spec.maxLength });
    }
    if (spec.pattern !== undefined && !patternOf(spec).test(input)) {
      return this.fail('string_pattern_mismatch', loc, input, parent, { pattern: spec.pattern });
    }
    return input;
  }

  /** A free-form object whose required keys are checked as a pydantic model with `extra='allow'` would. */
  private dict(spec: FieldSpecOf<'dict'>, input: unknown, loc: Loc, parent: Parent | undefined): unknown {
    if (!isObject(input)) return this.fail('dict_type', loc, input, parent);
    let ok = true;
    for (const [key, keySpec] of Object.entries(spec.required ?? {})) {
      const checked = hasOwn(input, key) ? this.value(keySpec, input[key], [...loc, key], { container: input, key }) : this.fail('missing', [...loc, key], input, undefined);
      if (checked === INVALID) ok = false;
    }
    return ok ? input : INVALID;
  }

  private uuid(spec: FieldSpecOf<'uuid'>, input: unknown, loc: Loc, parent: Parent | undefined): unknown {
    if (typeof input !== 'string') return this.fail('uuid_type', loc, input, parent);
    const r = parseUuid(input);
    if (!r.ok) return this.fail('uuid_parsing', loc, input, parent, { error: r.error });
    if (spec.version !== undefined && parseInt(r.value[14], 16) !== spec.version) {
      return this.fail('uuid_version', loc, input, parent, { expected_version: spec.version });
    }
    return r.value;
  }

  private enumeration(spec: FieldSpecOf<'enum'>, input: unknown, loc: Loc, parent: Parent | undefined): unknown {
    const { values } = spec;
    let found: unknown;
    if (values.every((v) => typeof v === 'string')) {
      // A str-valued enum looks strings up as they are.
      if (typeof input === 'string' && values.includes(input)) found = input;
    } else if (values.every((v) => typeof v === 'number')) {
      // An int-valued enum converts the input as an int first, so query "2" finds 2.
      const r = laxInt(input, floatInput(input, parent));
      if (r.ok && values.includes(r.value)) found = r.value;
    } else if (values.includes(input as string | number)) {
      found = input;
    }
    if (found !== undefined) return found;
    return this.fail('enum', loc, input, parent, { expected: expectedRepr(values.map((v) => pyRepr(v))) });
  }

  private literal(spec: FieldSpecOf<'literal'>, input: unknown, loc: Loc, parent: Parent | undefined): unknown {
    // Literal lookups are strict: 1 does not match '1', and neither True nor 1.0 matches 1.
    const hit = spec.values.some((v) => v === input && !(typeof v === 'number' && floatInput(input, parent)));
    if (hit) return input;
    return this.fail('literal_error', loc, input, parent, { expected: expectedRepr(spec.values.map((v) => pyRepr(v))) });
  }

  private array(spec: FieldSpecOf<'array'>, input: unknown, loc: Loc, parent: Parent | undefined): unknown {
    if (!Array.isArray(input)) return this.fail('list_type', loc, input, parent);
    // pydantic stops at the first item past max_length and reports only that, so a list over
    // it answers the same without validating an item: a body of thousands of layers costs
    // no more than the check of its length.
    if (spec.maxItems !== undefined && input.length > spec.maxItems) {
      return this.fail('too_long', loc, input, parent, { field_type: 'List', max_length: spec.maxItems, actual_length: input.length });
    }
    const itemSpec = resolveItemSpec(spec.items);
    const outer = this.errors;
    const itemErrors: FastApiErrorItem[] = [];
    this.errors = itemErrors;
    const out: unknown[] = [];
    try {
      for (let i = 0; i < input.length; i++) {
        out.push(this.value(itemSpec, input[i], [...loc, i], { container: input, key: i }));
      }
    } finally {
      this.errors = outer;
    }
    if (itemErrors.length > 0) {
      outer.push(...itemErrors);
      return INVALID;
    }
    if (spec.minItems !== undefined && input.length < spec.minItems) {
      return this.fail('too_short', loc, input, parent, { field_type: 'List', min_length: spec.minItems, actual_length: input.length });
    }
    return out;
  }

  private union(spec: FieldSpecOf<'union'>, input: unknown, loc: Loc, parent: Parent | undefined): unknown {
    if (!isObject(input)) return this.fail('model_attributes_type', loc, input, parent);
    const discriminator = pyStrRepr(spec.discriminator);
    if (!hasOwn(input, spec.discriminator)) return this.fail('union_tag_not_found', loc, input, parent, { discriminator });
    const tag = input[spec.discriminator];
    const choice = typeof tag === 'string' ? spec.choices.find(([t]) => t === tag) : undefined;
    if (!choice) {
      return this.fail('union_tag_invalid', loc, input, parent, {
        discriminator,
        tag: pyStr(tag, pyNumberText(input, spec.discriminator)),
        expected_tags: spec.choices.map(([t]) => pyStrRepr(t)).join(', '),
      });
    }
    return this.model(choice[1](), input, [...loc, choice[0]], parent);
  }

  model(cls: Class, input: unknown, loc: Loc, parent?: Parent): unknown {
    const r = validateModel(cls, input, loc, parent);
    if (r.ok) return r.value;
    this.errors.push(...r.errors);
    return INVALID;
  }
}

function result<T>(w: Walker, v: unknown): Validated<T> {
  return v === INVALID ? { ok: false, errors: w.errors } : { ok: true, value: v as T };
}

/** One value against one spec, e.g. `validateValue(t.int({ ge: 1 }), '0', ['query', 'limit'])`. */
export function validateValue<T = unknown>(spec: FieldSpec, input: unknown, loc: Loc, parent?: Parent): Validated<T> {
  const w = new Walker();
  return result(w, w.value(spec, input, loc, parent));
}

// ---------------------------------------------------------------------------------------------
// DTO classes, through class-validator
// ---------------------------------------------------------------------------------------------

/** What the constraints of one instance under validation need to know, keyed by the instance. */
interface RunContext {
  /** The input object (the parsed body, or the extracted parameters by public name). */
  raw: Record<string, unknown>;
  loc: Loc;
  /** The public name of each field. */
  nameOf: (field: FieldDef) => string;
  /** `input` of a `missing` error: the enclosing object in a body, None for parameters. */
  missingInput: unknown;
  /** Properties that have an initializer, i.e. a default. */
  defaults: ReadonlySet<string>;
  /** The exact FastAPI items of each failed property. */
  errors: Map<string, FastApiErrorItem[]>;
}

const runs = new WeakMap<object, RunContext>();

/** `ValidateIf` condition of every field: absent optional fields (or with a default) are skipped. */
export function fieldPresent(field: FieldDef, object: object): boolean {
  const run = runs.get(object);
  if (!run) return (object as Record<string, unknown>)[field.key] !== undefined || !field.optional;
  if (hasOwn(run.raw, run.nameOf(field))) return true;
  return !(field.optional ?? run.defaults.has(field.key));
}

/**
 * `validate` of the class-validator constraint of every field: checks the raw value against the
 * field's spec and writes the coerced value back, or records pydantic's errors and fails.
 */
export function validateField(field: FieldDef, args: ValidationArguments): boolean {
  const object = args.object as Record<string, unknown>;
  const run = runs.get(object);
  if (!run) {
    // Validated outside the pipe (a plain `validateSync` call): same checks, no error detail.
    const r = validateValue(field.spec, args.value, [field.key]);
    if (r.ok) object[field.key] = r.value;
    return r.ok;
  }
  const name = run.nameOf(field);
  const loc = [...run.loc, name];
  if (!hasOwn(run.raw, name)) {
    run.errors.set(field.key, [errorItem('missing', loc, run.missingInput)]);
    return false;
  }
  const r = validateValue(field.spec, run.raw[name], loc, { container: run.raw, key: name });
  if (r.ok) {
    object[field.key] = r.value;
    return true;
  }
  run.errors.set(field.key, r.errors);
  return false;
}

/**
 * The exception factory: class-validator's errors for one instance as FastAPI items, fields in
 * declaration order (base class first, as pydantic). A constraint of a standard class-validator
 * decorator (no recorded item) is mapped by `class-validator-mapper.ts`.
 */
export function fastApiItems(cls: Class, errors: readonly ValidationError[], location: Location, loc: Loc, raw: unknown): FastApiErrorItem[] {
  const order = new Map(getFields(cls).map((f, i) => [f.key, i]));
  const rank = (e: ValidationError): number => order.get(e.property) ?? order.size;
  return [...errors]
    .sort((a, b) => rank(a) - rank(b))
    .flatMap((e) => {
      const recorded = e.target ? runs.get(e.target)?.errors.get(e.property) : undefined;
      if (recorded) return recorded;
      return toFastApiDetail([e], location, raw).map((item) => ({ ...item, loc: [...loc, ...item.loc.slice(1)] }));
    });
}

function run<T>(cls: Class<T>, context: Omit<RunContext, 'defaults' | 'errors'>, location: Location): { instance: T; items: FastApiErrorItem[] } {
  const instance = new cls() as Record<string, unknown>;
  const defaults = new Set(Object.keys(instance));
  runs.set(instance, { ...context, defaults, errors: new Map() });
  for (const field of getFields(cls)) {
    const name = context.nameOf(field);
    if (hasOwn(context.raw, name)) instance[field.key] = context.raw[name];
  }
  try {
    const errors = validateSync(instance, { forbidUnknownValues: false, validationError: { target: true, value: true } });
    return { instance: instance as T, items: fastApiItems(cls, errors, location, context.loc, context.raw) };
  } finally {
    runs.delete(instance);
  }
}

/** A nested model (or a body) at `loc`: its fields, then `extra_forbidden` for unknown keys. */
export function validateModel<T>(cls: Class<T>, input: unknown, loc: Loc, parent?: Parent): Validated<T> {
  if (!isObject(input)) return { ok: false, errors: [errorItem('model_attributes_type', loc, echo(input, parent))] };
  const { instance, items } = run(cls, { raw: input, loc, nameOf: (f) => f.alias ?? f.key, missingInput: input }, 'body');
  if (getModelOptions(cls).extra === 'forbid') {
    const known = new Set(getFields(cls).map((f) => f.alias ?? f.key));
    for (const key of pyKeys(input)) {
      if (!known.has(key)) items.push(errorItem('extra_forbidden', [...loc, key], echo(input[key], { container: input, key })));
    }
  }
  return items.length > 0 ? { ok: false, errors: items } : { ok: true, value: instance };
}

/** A request body against a DTO class: no body (or JSON null) is FastAPI's `missing` at ["body"]. */
export function validateBody<T>(cls: Class<T>, body: unknown): Validated<T> {
  if (body === undefined || body === null) return { ok: false, errors: [errorItem('missing', ['body'], null)] };
  return validateModel(cls, body, ['body']);
}

/** Path, query or header values as they arrive (strings, or arrays of repeated values). */
export type ParamSource = Readonly<Record<string, string | readonly string[] | undefined>>;
export type ParamLocation = Exclude<Location, 'body'>;

/** FastAPI's name for a parameter: header names turn `_` into `-`. */
export function paramAlias(location: ParamLocation, key: string, alias: string | undefined): string {
  return alias ?? (location === 'header' ? key.replace(/_/g, '-') : key);
}

/**
 * A parameter's value as Starlette hands it to FastAPI: the last of repeated query values, the
 * first of repeated headers, all of them for a list field (an empty list being absent).
 */
function paramValue(location: Location, raw: unknown, spec: FieldSpec): unknown {
  if (raw === undefined || location === 'body') return raw;
  if (spec.kind === 'array') {
    const all = Array.isArray(raw) ? raw : [raw];
    return all.length > 0 ? all : undefined;
  }
  if (!Array.isArray(raw)) return raw;
  return location === 'header' ? raw[0] : raw[raw.length - 1];
}

/** A DTO of path, query or header parameters, each validated on its own as FastAPI does. */
export function validateParams<T>(location: ParamLocation, cls: Class<T>, source: ParamSource): Validated<T> {
  const nameOf = (f: FieldDef): string => paramAlias(location, f.key, f.alias);
  const raw: Record<string, unknown> = {};
  for (const field of getFields(cls)) {
    const name = nameOf(field);
    const value = paramValue(location, (source ?? {})[location === 'header' ? name.toLowerCase() : name], field.spec);
    if (value !== undefined) raw[name] = value;
  }
  const { instance, items } = run(cls, { raw, loc: [location], nameOf, missingInput: null }, location);
  return items.length > 0 ? { ok: false, errors: items } : { ok: true, value: instance };
}

/**
 * One parameter given on its own (`@Param('image_id', UuidParam)`), its value as extracted; in
 * the body, one embedded field (`@Body('name', ParamField(...))`).
 */
export function validateParam<T = unknown>(location: Location, name: string, spec: FieldSpec, raw: unknown, optional = false): Validated<T> {
  const value = paramValue(location, raw, spec);
  if (value === undefined) return optional ? { ok: true, value: undefined as T } : { ok: false, errors: [errorItem('missing', [location, name], null)] };
  return validateValue(spec, value, [location, name]);
}
