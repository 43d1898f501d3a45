/**
 * The decorators of request DTOs, built with class-validator's `registerDecorator`. Each field
 * gets one constraint checking pydantic's semantics (lax integers, every uuid spelling, python
 * datetimes, ...; see `validate.ts`), class-validator's standard `ValidateIf` for optional
 * fields, and its Swagger property. `@ModelConfig({ extra })` (fields.ts) sets extra handling.
 *
 *   @PyInt({ ge: 1, le: 100, default: 20 }) limit = 20;
 *   @PyList(t.union('type', { text: TextLayer }), { maxItems: 50 }) layers: Layer[];
 */
import { ApiHeader, ApiProperty } from '@nestjs/swagger';
import { titleOf } from '../http/openapi/api-field.js';
import { registerDecorator, ValidateIf } from 'class-validator';
import {
  type ArrayOptions,
  type Class,
  type ClassRef,
  declareField,
  getFields,
  type EnumValue,
  type FieldSpec,
  type FieldSpecOf,
  type LiteralValue,
  type NumberBounds,
  pickBounds,
  type StrOptions,
  t,
} from './fields.js';
import { apiPropertyOf, type PropOptions, schemaOf } from './prop.js';
import { fieldPresent, paramAlias, validateField } from './validate.js';

export type PyOptions = PropOptions;
type With<T> = T & PyOptions;
type ItemSpec = FieldSpecOf<'array'>['items'];

/** A field validated against an explicit spec; the typed decorators below are shorthands. */
export function PyField(spec: FieldSpec, options: PyOptions = {}): PropertyDecorator {
  return (target, key) => {
    const field = declareField(target, key, spec, options);
    ValidateIf((object: object) => fieldPresent(field, object))(target, field.key);
    registerDecorator({
      name: `py_${spec.kind}`,
      target: target.constructor,
      propertyName: field.key,
      constraints: [field],
      validator: { validate: (_value, args) => (args ? validateField(field, args) : false) },
    });
    ApiProperty(apiPropertyOf(field.key, spec, options))(target, key);
  };
}

const fieldOptions = (o: PyOptions): PyOptions => ({
  optional: o.optional,
  alias: o.alias,
  nullable: o.nullable,
  description: o.description,
  example: o.example,
  default: o.default,
});

export const PyInt = (o: With<NumberBounds> = {}): PropertyDecorator => PyField(t.int(pickBounds(o)), fieldOptions(o));
export const PyFloat = (o: With<NumberBounds & { allowInfNan?: boolean }> = {}): PropertyDecorator =>
  PyField(t.float({ ...pickBounds(o), allowInfNan: o.allowInfNan }), fieldOptions(o));
export const PyStr = (o: With<StrOptions> = {}): PropertyDecorator =>
  PyField(t.str({ minLength: o.minLength, maxLength: o.maxLength, pattern: o.pattern }), fieldOptions(o));
export const PyBool = (o: PyOptions = {}): PropertyDecorator => PyField(t.bool(), fieldOptions(o));
/** A UUID in any form pydantic accepts, kept as its canonical lowercase hyphenated string. */
export const PyUuid = (o: With<{ version?: FieldSpecOf<'uuid'>['version'] }> = {}): PropertyDecorator =>
  PyField(t.uuid({ version: o.version }), fieldOptions(o));
export const PyEnum = (values: readonly EnumValue[] | Record<string, EnumValue>, o: PyOptions = {}): PropertyDecorator =>
  PyField(t.enum(values), fieldOptions(o));
export const PyLiteral = (values: readonly LiteralValue[], o: PyOptions = {}): PropertyDecorator => PyField(t.literal(values), fieldOptions(o));
/** An ISO 8601 datetime (or date, or Unix timestamp) as pydantic accepts it, kept as a `Date`. */
export const PyDateTime = (o: PyOptions = {}): PropertyDecorator => PyField(t.datetime(), fieldOptions(o));
/** A free-form JSON object. */
export const PyDict = (o: PyOptions = {}): PropertyDecorator => PyField(t.dict(), fieldOptions(o));
export const PyModel = (cls: ClassRef, o: PyOptions = {}): PropertyDecorator => PyField(t.model(cls), fieldOptions(o));
export const PyList = (items: ItemSpec, o: With<ArrayOptions> = {}): PropertyDecorator =>
  PyField(t.array(items, { minItems: o.minItems, maxItems: o.maxItems }), fieldOptions(o));
/** A discriminated union: `PyUnion('type', { text: TextLayer, image: ImageLayer })`. */
export const PyUnion = (discriminator: string, choices: Record<string, ClassRef>, o: PyOptions = {}): PropertyDecorator =>
  PyField(t.union(discriminator, choices), fieldOptions(o));

/**
 * The header parameters of a header DTO (`@RequestHeaders() h: MyHeaders`) in the document, one
 * per field with the schema its validation checks: Swagger does not see a custom parameter
 * decorator's type.
 */
export function ApiHeadersOf(cls: Class): MethodDecorator {
  return (target, key, descriptor) => {
    for (const field of getFields(cls)) {
      const name = paramAlias('header', field.key, field.alias);
      ApiHeader({
        name,
        required: !field.optional,
        schema: { title: titleOf(name.replace(/-/g, '_')), ...schemaOf(field.spec).schema },
        ...(field.description !== undefined ? { description: field.description } : {}),
        ...(field.example !== undefined ? { example: field.example } : {}),
      })(target, key, descriptor);
    }
  };
}
