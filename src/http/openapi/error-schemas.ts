import { ApiField } from './api-field.js';

/** `{"detail": ...}` for every non-422 error: a string, or an object with a machine-readable code. */
export class ErrorDetailSchema {
  @ApiField({
    anyOf: [{ type: 'string' }, { type: 'object', additionalProperties: true }],
    example: 'Not authenticated',
  })
  detail: string | Record<string, unknown>;
}
