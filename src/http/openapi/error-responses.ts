import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { CodedErrorSchema, ErrorDetailSchema } from './error-schemas.js';

/**
 * The `{"detail": ...}` answers of an operation, one description per status:
 * `@ApiErrors({ 404: 'No such template in your organisation', 409: 'The template is archived' })`.
 * Errors are JSON whatever the operation's success is: an image endpoint declares its image types
 * with `ApiBinaryResponse`, never with an operation-wide `@ApiProduces` (which would type its
 * errors as images too).
 */
export function ApiErrors(byStatus: Readonly<Record<number, string | CodedError>>): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...Object.entries(byStatus).map(([status, d]) =>
      typeof d === 'string'
        ? ApiResponse({ status: Number(status), description: d, type: ErrorDetailSchema })
        : ApiResponse({ status: Number(status), description: d.description, type: CodedErrorSchema }),
    ),
  );
}

interface CodedError {
  coded: true;
  description: string;
}

/** An error answered as `{"detail": {"code", "errors": [{"name", "reason"}]}}` (CodedErrorSchema). */
export function coded(description: string): CodedError {
  return { coded: true, description };
}

/** A response header, for `headers:` of an ApiResponse. */
export function header(description: string): Record<string, unknown> {
  return { description, schema: { type: 'string' } };
}

/** A success whose body is the bytes of one of `contentTypes` (each declared, so clients know every type they may get). */
export function ApiBinaryResponse(
  status: number,
  description: string,
  contentTypes: readonly string[],
  headers?: Record<string, Record<string, unknown>>,
): MethodDecorator & ClassDecorator {
  return ApiResponse({
    status,
    description,
    ...(headers ? { headers: headers as never } : {}),
    content: Object.fromEntries(contentTypes.map((type) => [type, { schema: { type: 'string', format: 'binary' } }])),
  });
}
