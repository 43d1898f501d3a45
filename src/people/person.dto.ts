import { ApiField, ListOf, nullable } from '../http/openapi/api-field.js';
import { PyDict, PyStr, PyUuid, PyInt } from '../validation/decorators.js';
import { ModelConfig } from '../validation/fields.js';
import { PERSON_LIMITS, TAG_KEY_PATTERN } from './person-rules.js';

const dateTime = { type: 'string', format: 'date-time' };
const TAGS_DESCRIPTION =
  `Short string values, such as {"department": "sales", "role": "AE"}: at most ${PERSON_LIMITS.maxTags} tags, ` +
  `keys matching ${TAG_KEY_PATTERN}, values of 1 to ${PERSON_LIMITS.tagValueLength} characters`;
const EXTERNAL_ID_DESCRIPTION = 'Your own reference for the person, unique among the live people of your organisation (a taken one is a 409)';

export class PersonOut {
  @ApiField({ type: 'string', format: 'uuid' })
  id: string;

  @ApiField({ type: 'string', default: 'person' })
  object: 'person';

  @ApiField({ type: 'string' })
  name: string;

  @ApiField(nullable({ type: 'string' }))
  external_id: string | null;

  @ApiField({ type: 'string', format: 'uuid' })
  photo_asset_id: string;

  @ApiField({ ...nullable({ type: 'string' }), description: 'Signed download URL of the photo, valid for 1 hour (signed on every read); null once the photo asset is deleted' })
  photo_url: string | null;

  @ApiField({ type: 'object', additionalProperties: { type: 'string' } })
  tags: Record<string, string>;

  @ApiField(dateTime)
  created_at: string;

  @ApiField(dateTime)
  updated_at: string;
}

export class PersonList extends ListOf(() => PersonOut, 'PersonList') {
  declare data: PersonOut[];
}

@ModelConfig({ extra: 'forbid' })
export class CreatePersonDto {
  @PyStr({ minLength: 1, maxLength: PERSON_LIMITS.nameLength, example: 'Ada Lovelace' })
  name: string;

  @PyUuid({ description: 'An uploaded image asset (POST /v1/assets) of your organisation' })
  photo_asset_id: string;

  @PyStr({ minLength: 1, maxLength: PERSON_LIMITS.externalIdLength, optional: true, description: EXTERNAL_ID_DESCRIPTION, example: 'crm-4711' })
  external_id?: string;

  @PyDict({ optional: true, description: TAGS_DESCRIPTION, example: { department: 'sales', role: 'AE', region: 'EMEA' } })
  tags?: Record<string, string>;
}

@ModelConfig({ extra: 'forbid' })
export class UpdatePersonDto {
  @PyStr({ minLength: 1, maxLength: PERSON_LIMITS.nameLength, optional: true })
  name?: string;

  @PyUuid({ optional: true, description: 'An uploaded image asset of your organisation' })
  photo_asset_id?: string;

  @PyStr({ minLength: 1, maxLength: PERSON_LIMITS.externalIdLength, optional: true, nullable: true, description: `${EXTERNAL_ID_DESCRIPTION}; null clears it` })
  external_id?: string | null;

  @PyDict({ optional: true, description: `Replaces all tags. ${TAGS_DESCRIPTION}` })
  tags?: Record<string, string>;
}

@ModelConfig({ extra: 'ignore' })
export class ListPeopleQuery {
  @PyStr({ minLength: 1, maxLength: PERSON_LIMITS.externalIdLength, optional: true, description: 'Only the person with this external_id' })
  external_id?: string;

  @PyStr({ minLength: 1, maxLength: PERSON_LIMITS.nameLength, optional: true, description: 'Only people with this name (exact, case-insensitive)' })
  name?: string;

  @PyInt({ ge: 1, le: 100, default: 20 })
  limit = 20;

  @PyStr({ maxLength: 200, optional: true, description: 'next_cursor of the previous page' })
  cursor?: string;
}
