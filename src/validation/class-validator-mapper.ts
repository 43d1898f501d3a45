/**
 * Best-effort FastAPI errors for DTOs written with plain class-validator decorators. Such DTOs
 * get no pydantic coercion and their messages can only be approximated; DTOs declared with the
 * decorators of `decorators.ts` (PyInt, PyStr, ...) get exact output and should be preferred;
 * a standard decorator added to such a DTO is mapped here too.
 *
 * A constraint can carry its exact FastAPI error in class-validator's `context` option:
 * `@IsIn(['a'], { context: { fastapi: { type: 'enum', ctx: { expected: "'a'" } } } })`.
 */
import { getMetadataStorage, type ValidationError } from 'class-validator';
import { parseUuid } from './uuid.js';
import { pyRepr } from '../http/python-json.js';
import { errorItem, expectedRepr, type FastApiErrorItem, type Loc, type Location } from '../http/validation-errors.js';

type Mapped = { type: string; ctx?: Record<string, unknown> } | 'missing';

/** Type checks come first, as pydantic checks the type before any constraint. */
const PRIORITY = ['whitelistValidation', 'isDefined', 'nestedValidation', 'isObject', 'isArray', 'isString', 'isInt', 'isNumber', 'isBoolean', 'isUuid', 'isEnum', 'isIn'];

function constraintArgs(target: object | undefined, property: string, name: string): unknown[] {
  if (!target) return [];
  const metas = getMetadataStorage().getTargetValidationMetadatas(target.constructor, '', true, false);
  return metas.find((m) => m.propertyName === property && m.name === name)?.constraints ?? [];
}

function mapConstraint(name: string, message: string, value: unknown, args: unknown[]): Mapped {
  if (value === undefined && name !== 'whitelistValidation') return 'missing';
  const n = args[0];
  switch (name) {
    case 'isDefined':
      return 'missing';
    case 'whitelistValidation':
      return { type: 'extra_forbidden' };
    case 'nestedValidation':
      return { type: 'model_attributes_type' };
    case 'isObject':
      return { type: 'dict_type' };
    case 'isArray':
      return { type: 'list_type' };
    case 'isString':
      return { type: 'string_type' };
    case 'isInt':
      if (typeof value === 'number' && Number.isFinite(value)) return { type: 'int_from_float' };
      return { type: typeof value === 'string' ? 'int_parsing' : 'int_type' };
    case 'isNumber':
      return { type: typeof value === 'string' ? 'float_parsing' : 'float_type' };
    case 'isBoolean':
      return { type: typeof value === 'string' ? 'bool_parsing' : 'bool_type' };
    case 'isUuid': {
      if (typeof value !== 'string') return { type: 'uuid_type' };
      const r = parseUuid(value);
      return r.ok ? { type: 'value_error', ctx: { error: message } } : { type: 'uuid_parsing', ctx: { error: r.error } };
    }
    case 'min':
      return { type: 'greater_than_equal', ctx: { ge: n } };
    case 'max':
      return { type: 'less_than_equal', ctx: { le: n } };
    case 'minLength':
      return { type: 'string_too_short', ctx: { min_length: n } };
    case 'maxLength':
      return { type: 'string_too_long', ctx: { max_length: n } };
    case 'isNotEmpty':
      return { type: 'string_too_short', ctx: { min_length: 1 } };
    case 'arrayMinSize':
      return { type: 'too_short', ctx: { field_type: 'List', min_length: n, actual_length: Array.isArray(value) ? value.length : 0 } };
    case 'arrayMaxSize':
      return { type: 'too_long', ctx: { field_type: 'List', max_length: n, actual_length: Array.isArray(value) ? value.length : 0 } };
    case 'matches':
      return { type: 'string_pattern_mismatch', ctx: { pattern: n instanceof RegExp ? n.source : String(n) } };
    case 'isIn':
      return { type: 'enum', ctx: { expected: expectedRepr((Array.isArray(n) ? n : []).map((v) => pyRepr(v))) } };
    case 'isEnum': {
      const values = n && typeof n === 'object' ? Object.values(n as object) : [];
      return { type: 'enum', ctx: { expected: expectedRepr(values.map((v) => pyRepr(v))) } };
    }
    default:
      return { type: 'value_error', ctx: { error: message } };
  }
}

function firstConstraint(error: ValidationError): string | undefined {
  const names = Object.keys(error.constraints ?? {});
  return PRIORITY.find((p) => names.includes(p)) ?? names[0];
}

/**
 * class-validator errors (validated with `whitelist` and `forbidNonWhitelisted`) as FastAPI
 * items: one per failing property (pydantic stops at a field's first error), nested and array
 * positions in `loc`, and unknown properties (`extra_forbidden`) after the others of their object.
 * `rootInput` is the raw input that was validated, for `missing` errors.
 */
export function toFastApiDetail(errors: readonly ValidationError[], location: Location, rootInput: unknown): FastApiErrorItem[] {
  const out: FastApiErrorItem[] = [];
  const walk = (list: readonly ValidationError[], prefix: Loc, raw: unknown): void => {
    const extras: FastApiErrorItem[] = [];
    for (const e of list) {
      const key = Array.isArray(raw) && /^\d+$/.test(e.property) ? Number(e.property) : e.property;
      const loc = [...prefix, key];
      const name = firstConstraint(e);
      if (name) {
        const override = (e.contexts?.[name] as { fastapi?: { type: string; ctx?: Record<string, unknown> } } | undefined)?.fastapi;
        const mapped = override ?? mapConstraint(name, e.constraints?.[name] ?? '', e.value, constraintArgs(e.target, e.property, name));
        if (mapped === 'missing') out.push(errorItem('missing', loc, location === 'body' ? raw : null));
        else (mapped.type === 'extra_forbidden' ? extras : out).push(errorItem(mapped.type, loc, e.value, mapped.ctx));
      }
      if (e.children?.length) {
        const child = raw && typeof raw === 'object' ? (raw as Record<string, unknown>)[e.property] : undefined;
        walk(e.children, loc, child);
      }
    }
    out.push(...extras);
  };
  walk(errors, location === 'body' ? ['body'] : [location], rootInput);
  return out;
}
