import { ApiField } from './api-field.js';

/** `{"detail": ...}` for every non-422 error: a string, or an object with a machine-readable code. */
export class ErrorDetailSchema {
  @ApiField({
    anyOf: [{ type: 'string' }, { type: 'object', additionalProperties: true }],
    example: 'Not authenticated',
  })
  detail: string | Record<string, unknown>;
}

/**
 * The 400 of a request the service understood but cannot carry out: a machine-readable code and
 * the field-level problems (`invalid_modification`, `template_not_found`, a render error code, ...).
 * A string detail is the body middleware's 400 (a JSON body Python could not read).
 */
export class CodedErrorSchema {
  @ApiField({
    anyOf: [
      {
        type: 'object',
        required: ['code', 'errors'],
        properties: {
          code: { type: 'string', description: 'Machine-readable reason, e.g. invalid_modification' },
          errors: {
            type: 'array',
            items: {
              type: 'object',
              required: ['name', 'reason'],
              properties: {
                name: { type: 'string', description: 'The layer, field or template the problem is about' },
                reason: { type: 'string' },
              },
            },
          },
        },
      },
      { type: 'string' },
    ],
    example: { code: 'invalid_modification', errors: [{ name: 'headline', reason: 'text is longer than 10000 characters' }] },
  })
  detail: { code: string; errors: { name: string; reason: string }[] } | string;
}
