import { ApiField, ListOf, nullable } from '../http/openapi/api-field.js';
import { OUTPUT_FORMATS } from '../images/image.entity.js';
import type { CollectionEntity } from './collection.entity.js';
import { COLLECTION_SOURCES, COLLECTION_STATUSES } from './collection.entity.js';

const dateTime = { type: 'string', format: 'date-time' };
const uuids = { type: 'array', items: { type: 'string', format: 'uuid' } };

/** A collection as GET /v1/collections/{id} returns it (and as the collection.completed event carries it). */
export class CollectionOut {
  @ApiField({ type: 'string', format: 'uuid' })
  id: string;

  @ApiField({ type: 'string', format: 'uuid', description: 'The same value as id' })
  collection_id: string;

  @ApiField({ type: 'string', default: 'collection' })
  object: 'collection';

  @ApiField({
    type: 'string',
    enum: [...COLLECTION_SOURCES],
    description: '`templates`: one image per template (POST /v1/collections); `people`: one template, one image per person (POST /v1/people/renders)',
  })
  source: string;

  @ApiField({ type: 'string', enum: [...COLLECTION_STATUSES], description: '`rendering` until every image has finished, then `completed` (even when some failed)' })
  status: string;

  @ApiField({ type: 'integer' })
  renders_total: number;

  @ApiField({ type: 'integer' })
  renders_completed: number;

  @ApiField({ type: 'integer' })
  renders_failed: number;

  @ApiField({ ...uuids, description: '`templates`: one image per template, in the order of templates. `people`: one image per person, in the order of people' })
  images: string[];

  @ApiField({ ...uuids, description: '`templates`: the templates, as requested. `people`: the one template' })
  templates: string[];

  @ApiField({ ...uuids, description: '`people`: the person each image was rendered for (images[i] is for people[i]). Empty for `templates`' })
  people: string[];

  @ApiField({ type: 'string', enum: [...OUTPUT_FORMATS] })
  format: string;

  @ApiField(nullable({ type: 'string' }))
  webhook_url: string | null;

  @ApiField({ type: 'object', additionalProperties: true })
  metadata: Record<string, unknown>;

  @ApiField(dateTime)
  created_at: string;

  @ApiField(nullable(dateTime))
  completed_at: string | null;

  static from(row: CollectionEntity): CollectionOut {
    return {
      id: row.id,
      collection_id: row.id,
      object: 'collection',
      source: row.source,
      status: row.status,
      renders_total: row.rendersTotal,
      renders_completed: row.rendersCompleted,
      renders_failed: row.rendersFailed,
      images: row.imageIds,
      templates: row.templateIds,
      people: row.personIds,
      format: row.format,
      webhook_url: row.webhookUrl,
      metadata: row.metadata,
      created_at: row.createdAt.toISOString(),
      completed_at: row.completedAt ? row.completedAt.toISOString() : null,
    };
  }
}

export class CollectionList extends ListOf(() => CollectionOut, 'CollectionList') {
  declare data: CollectionOut[];
}
