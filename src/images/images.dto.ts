import { PyDateTime, PyDict, PyEnum, PyInt, PyList, PyStr, PyUuid } from '../validation/decorators.js';
import { INT32_MAX, ModelConfig } from '../validation/fields.js';
import { LIMITS } from '../renderer/index.js';
import { MODIFICATION_ITEM, MODIFICATIONS_DESCRIPTION } from '../templates/modification-input.js';
import { IMAGE_STATUSES, OUTPUT_FORMATS } from './image.entity.js';

export const MAX_METADATA_BYTES = 8 * 1024;

@ModelConfig({ extra: 'ignore' })
export class ListImagesQuery {
  @PyEnum([...IMAGE_STATUSES], { optional: true })
  status?: (typeof IMAGE_STATUSES)[number];

  @PyUuid({ optional: true })
  template_id?: string;

  @PyUuid({ optional: true })
  collection_id?: string;

  @PyDateTime({ optional: true, description: 'Only images created strictly after this instant' })
  created_after?: Date;

  @PyDateTime({ optional: true, description: 'Only images created strictly before this instant' })
  created_before?: Date;

  @PyInt({ ge: 1, le: 100, default: 20 })
  limit = 20;

  @PyStr({ maxLength: 200, optional: true, description: 'next_cursor of the previous page' })
  cursor?: string;
}

/** The `modifications` body field of a render request (images, collections). */
export const ModificationsField = (example: unknown, lead?: string): PropertyDecorator =>
  PyList(MODIFICATION_ITEM, {
    maxItems: LIMITS.maxModifications,
    default: [],
    example,
    description: lead ? `${lead}. ${MODIFICATIONS_DESCRIPTION}` : MODIFICATIONS_DESCRIPTION,
  });

/** The 409 of a POST that takes an Idempotency-Key (for its ApiErrors). */
export const IDEMPOTENCY_409 =
  'Idempotency-Key in use: idempotency_conflict (the key was used with another body) or idempotency_in_progress (its first request is still running)';

/** The `Idempotency-Key` header of a POST that creates renders. */
export const IdempotencyKeyField = (): PropertyDecorator =>
  PyStr({
    minLength: 1,
    maxLength: 255,
    pattern: '^[\\x21-\\x7e]+$',
    optional: true,
    alias: 'idempotency-key',
    description: 'Retrying with the same key and body replays the first response; another body is a 409',
  });

const EXAMPLE_MODIFICATIONS = [
  { name: 'headline', text: 'Launching Imtegrate 1.0' },
  { name: 'subtitle', text: 'Template-based image rendering at tens of milliseconds' },
  { name: 'photo', person_external_id: 'crm-4711' },
];

@ModelConfig({ extra: 'forbid' })
export class CreateImageDto {
  @PyUuid({ example: '3f0c8a52-9d1e-4b7a-8c55-2e1f0a9b7c13' })
  template_id: string;

  @PyInt({ ge: 1, le: INT32_MAX, optional: true, description: 'Published version to render; default: the current one' })
  template_version?: number;

  @ModificationsField(EXAMPLE_MODIFICATIONS)
  modifications: Record<string, unknown>[] = [];

  @PyEnum([...OUTPUT_FORMATS], { default: 'png' })
  format: (typeof OUTPUT_FORMATS)[number] = 'png';

  @PyInt({ ge: 1, le: 100, optional: true, description: 'jpeg/webp/avif quality' })
  quality?: number;

  @PyInt({ ge: 1, le: 3, default: 1, description: 'Pixel density: 2 renders a 1200x630 template at 2400x1260' })
  scale = 1;

  @PyStr({ minLength: 1, maxLength: 2048, optional: true, description: 'Receives a signed image.completed / image.failed event' })
  webhook_url?: string;

  @PyDict({ optional: true, description: `Your own key/value pairs (at most ${MAX_METADATA_BYTES} bytes as JSON)` })
  metadata?: Record<string, unknown>;
}

@ModelConfig({ extra: 'ignore' })
export class CreateImageHeaders {
  @PyStr({ maxLength: 200, optional: true, description: 'RFC 7240; `wait=N` (N at most 30) answers 201 with the finished image if it completes within N seconds', example: 'wait=10' })
  prefer?: string;

  @IdempotencyKeyField()
  idempotency_key?: string;
}
