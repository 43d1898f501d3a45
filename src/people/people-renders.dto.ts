import { PEOPLE_BATCH_CEILING } from '../config/config.js';
import { OUTPUT_FORMATS } from '../images/image.entity.js';
import { IdempotencyKeyField, MAX_METADATA_BYTES, ModificationsField } from '../images/images.dto.js';
import { MAX_EXTERNAL_ID_LENGTH } from '../templates/modifications.js';
import { PyDict, PyEnum, PyInt, PyList, PyModel, PyStr, PyUuid } from '../validation/decorators.js';
import { INT32_MAX, ModelConfig, t } from '../validation/fields.js';
import { PERSON_LIMITS } from './person-rules.js';

/** Which people a batch renders; criteria combine (a person matches every one given); at least one is required. */
@ModelConfig({ extra: 'forbid' })
export class PeopleFilterDto {
  @PyDict({
    optional: true,
    description: `People having every one of these tags with these values (at most ${PERSON_LIMITS.maxTags})`,
    example: { department: 'sales', region: 'EMEA' },
  })
  tags?: Record<string, string>;

  @PyList(t.str({ minLength: 1, maxLength: MAX_EXTERNAL_ID_LENGTH }), {
    minItems: 1,
    maxItems: PEOPLE_BATCH_CEILING,
    optional: true,
    description: 'People whose external_id is one of these (an external_id no live person has matches nobody)',
    example: ['crm-4711', 'crm-4712'],
  })
  external_ids?: string[];
}

@ModelConfig({ extra: 'forbid' })
export class CreatePeopleRenderDto {
  @PyUuid({ example: '3f0c8a52-9d1e-4b7a-8c55-2e1f0a9b7c13' })
  template_id: string;

  @PyInt({ ge: 1, le: INT32_MAX, optional: true, description: 'Published version to render; default: the current one' })
  template_version?: number;

  @PyModel(PeopleFilterDto, { description: 'Which live people of your organisation to render, oldest first; at least one criterion' })
  filter: PeopleFilterDto;

  @PyDict({
    description:
      'Layer name -> what of each person it shows: "photo" (an image layer), "name", "external_id" or "tags.<key>" (text layers). ' +
      'Every bound layer must be a dynamic layer of the template; at least one binding',
    example: { avatar: 'photo', full_name: 'name', role: 'tags.role' },
  })
  bindings: Record<string, string>;

  @ModificationsField([{ name: 'headline', text: 'Welcome to the team' }], 'Applied to every image, before the bindings')
  modifications: Record<string, unknown>[] = [];

  @PyEnum([...OUTPUT_FORMATS], { default: 'png' })
  format: (typeof OUTPUT_FORMATS)[number] = 'png';

  @PyStr({ minLength: 1, maxLength: 2048, optional: true, description: 'Receives a signed collection.completed event when the last image finishes' })
  webhook_url?: string;

  @PyDict({ optional: true, description: `Your own key/value pairs (at most ${MAX_METADATA_BYTES} bytes as JSON), on the collection and every image` })
  metadata?: Record<string, unknown>;
}

@ModelConfig({ extra: 'ignore' })
export class CreatePeopleRenderHeaders {
  @IdempotencyKeyField()
  idempotency_key?: string;
}
