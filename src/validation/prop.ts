import { getSchemaPath, type ApiPropertyOptions } from '@nestjs/swagger';
import { type Class, type FieldOptions, type FieldSpec, resolveItemSpec } from './fields.js';
import { titleOf } from '../http/openapi/api-field.js';

type Schema = Record<string, unknown>;

/** The OpenAPI 3.1 schema (pydantic-style) of a validation spec, plus the classes it refers to. */
export function schemaOf(spec: FieldSpec, models: Class[] = []): { schema: Schema; models: Class[] } {
  let s: Schema;
  switch (spec.kind) {
    case 'int':
    case 'float':
      s = {
        type: spec.kind === 'int' ? 'integer' : 'number',
        ...(spec.ge !== undefined ? { minimum: spec.ge } : {}),
        ...(spec.gt !== undefined ? { exclusiveMinimum: spec.gt } : {}),
        ...(spec.le !== undefined ? { maximum: spec.le } : {}),
        ...(spec.lt !== undefined ? { exclusiveMaximum: spec.lt } : {}),
      };
      break;
    case 'str':
      s = {
        type: 'string',
        ...(spec.minLength !== undefined ? { minLength: spec.minLength } : {}),
        ...(spec.maxLength !== undefined ? { maxLength: spec.maxLength } : {}),
        ...(spec.pattern !== undefined ? { pattern: spec.pattern } : {}),
      };
      break;
    case 'bool':
      s = { type: 'boolean' };
      break;
    case 'uuid':
      s = { type: 'string', format: 'uuid' };
      break;
    case 'enum':
    case 'literal':
      s = { enum: [...spec.values], ...(spec.values.every((v) => typeof v === 'string') ? { type: 'string' } : {}) };
      break;
    case 'datetime':
      s = { type: 'string', format: 'date-time' };
      break;
    case 'dict': {
      const required = Object.entries(spec.required ?? {});
      s = { type: 'object', additionalProperties: true };
      if (required.length) {
        const properties: Schema = {};
        for (const [key, keySpec] of required) properties[key] = { title: titleOf(key), ...schemaOf(keySpec, models).schema };
        s = { type: 'object', properties, required: required.map(([key]) => key), additionalProperties: true };
      }
      break;
    }
    case 'any':
      s = {};
      break;
    case 'model': {
      const cls = spec.cls();
      models.push(cls);
      s = { $ref: getSchemaPath(cls) };
      break;
    }
    case 'array': {
      const item = schemaOf(resolveItemSpec(spec.items), models);
      s = {
        type: 'array',
        items: item.schema,
        ...(spec.minItems !== undefined ? { minItems: spec.minItems } : {}),
        ...(spec.maxItems !== undefined ? { maxItems: spec.maxItems } : {}),
      };
      break;
    }
    case 'union': {
      const mapping: Record<string, string> = {};
      const oneOf = spec.choices.map(([tag, thunk]) => {
        const cls = thunk();
        models.push(cls);
        mapping[tag] = getSchemaPath(cls);
        return { $ref: getSchemaPath(cls) };
      });
      s = { oneOf, discriminator: { propertyName: spec.discriminator, mapping } };
      break;
    }
  }
  if (spec.nullable) s = { anyOf: [s, { type: 'null' }] };
  return { schema: s, models };
}

const referenced = new Set<Class>();

/** Every DTO class a Prop refers to by $ref; the document builder registers them as schemas. */
export function referencedModels(): Class[] {
  return [...referenced];
}

export interface PropOptions extends FieldOptions {
  description?: string;
  example?: unknown;
  default?: unknown;
}

/** The explicit Swagger property of a DTO field, derived from its validation spec. */
export function apiPropertyOf(key: string, spec: FieldSpec, options: PropOptions = {}): ApiPropertyOptions {
  const { description, example, default: def, ...fieldOptions } = options;
  const { schema, models } = schemaOf(fieldOptions.nullable ? { ...spec, nullable: true } : spec);
  const name = fieldOptions.alias ?? key;
  for (const m of models) referenced.add(m);
  return {
    title: titleOf(name),
    ...schema,
    ...(description !== undefined ? { description } : {}),
    ...(example !== undefined ? { example } : {}),
    ...(def !== undefined ? { default: def } : {}),
    required: !(fieldOptions.optional || def !== undefined),
    ...(fieldOptions.alias ? { name: fieldOptions.alias } : {}),
  } as unknown as ApiPropertyOptions;
}
