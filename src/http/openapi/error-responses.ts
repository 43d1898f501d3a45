import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ErrorDetailSchema } from './error-schemas.js';

/**
 * The `{"detail": ...}` answers of an operation, one description per status:
 * `@ApiErrors({ 404: 'No such template in your organisation', 409: 'The template is archived' })`.
 * Errors are JSON whatever the operation's success is: an image endpoint declares its image types
 * with `ApiBinaryResponse`, never with an operation-wide `@ApiProduces` (which would type its
 * errors as images too).
 */
export function ApiErrors(byStatus: Readonly<Record<number, string>>): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...Object.entries(byStatus).map(([status, description]) => ApiResponse({ status: Number(status), description, type: ErrorDetailSchema })),
  );
}

/** A success whose body is the bytes of one of `contentTypes` (each declared, so clients know every type they may get). */
export function ApiBinaryResponse(status: number, description: string, contentTypes: readonly string[]): MethodDecorator & ClassDecorator {
  return ApiResponse({
    status,
    description,
    content: Object.fromEntries(contentTypes.map((type) => [type, { schema: { type: 'string', format: 'binary' } }])),
  });
}
