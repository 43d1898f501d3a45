import { COLLECTION_TEMPLATES_CEILING } from '../config/config.js';
import { OUTPUT_FORMATS } from '../images/image.entity.js';
import { IdempotencyKeyField, MAX_METADATA_BYTES, ModificationsField } from '../images/images.dto.js';
import { PyDict, PyEnum, PyList, PyStr } from '../validation/decorators.js';
import { ModelConfig, t } from '../validation/fields.js';

@ModelConfig({ extra: 'forbid' })
export class CreateCollectionDto {
  @PyList(t.uuid(), {
    minItems: 1,
    maxItems: COLLECTION_TEMPLATES_CEILING,
    example: ['3f0c8a52-9d1e-4b7a-8c55-2e1f0a9b7c13', '9b2d7e41-0c6a-4f1e-b3a8-5d7c2e9f1a04'],
    description: 'Templates to render (each at its current published version), no duplicates; at most COLLECTION_MAX_TEMPLATES (default 50)',
  })
  templates: string[];

  @ModificationsField([{ name: 'headline', text: 'Summer sale' }], 'Applied to every template; each template must accept every entry')
  modifications: Record<string, unknown>[] = [];

  @PyEnum([...OUTPUT_FORMATS], { default: 'png' })
  format: (typeof OUTPUT_FORMATS)[number] = 'png';

  @PyStr({ minLength: 1, maxLength: 2048, optional: true, description: 'Receives a signed collection.completed event when the last image finishes' })
  webhook_url?: string;

  @PyDict({ optional: true, description: `Your own key/value pairs (at most ${MAX_METADATA_BYTES} bytes as JSON)` })
  metadata?: Record<string, unknown>;
}

@ModelConfig({ extra: 'ignore' })
export class CreateCollectionHeaders {
  @IdempotencyKeyField()
  idempotency_key?: string;
}
