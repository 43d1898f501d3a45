import { applyDecorators } from '@nestjs/common';
import { ApiProperty, type ApiPropertyOptions } from '@nestjs/swagger';

/** pydantic's default title: snake_case field name -> "Title Case". */
export function titleOf(name: string): string {
  return name
    .split('_')
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join(' ');
}

type Schema = Record<string, unknown>;

/**
 * An @ApiProperty whose schema is given explicitly (OpenAPI 3.1 style, `anyOf` with `null` for
 * nullable) with the pydantic title derived from the property name. Reflection is bypassed on
 * purpose: emitted design types say nothing about nullability.
 */
export function ApiField(schema: Schema & { required?: boolean; example?: unknown; description?: string }): PropertyDecorator {
  return (target: object, key: string | symbol) => {
    const name = String(key);
    const { required = true, ...rest } = schema;
    const opts = { title: titleOf(name), ...rest, required } as unknown as ApiPropertyOptions;
    applyDecorators(ApiProperty(opts))(target, key);
  };
}

export const nullable = (s: Schema): Schema => ({ anyOf: [s, { type: 'null' }] });

/**
 * The list envelope `{object, data, has_more, next_cursor}` of one item schema, as a named class so
 * Swagger gives it its own component (e.g. `ImageList`).
 */
export function ListOf(item: () => { name: string }, name: string): new () => { object: 'list'; data: unknown[]; has_more: boolean; next_cursor: string | null } {
  class List {
    @ApiField({ type: 'string', default: 'list' })
    object: 'list';

    @ApiField({ type: 'array', items: { $ref: `#/components/schemas/${item().name}` } })
    data: unknown[];

    @ApiField({ type: 'boolean' })
    has_more: boolean;

    @ApiField({ ...nullable({ type: 'string' }), description: 'Pass as `cursor` to get the next page' })
    next_cursor: string | null;
  }
  Object.defineProperty(List, 'name', { value: name });
  return List;
}
