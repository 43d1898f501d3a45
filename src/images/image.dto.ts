import { ApiField, ListOf, nullable } from '../http/openapi/api-field.js';

const dateTime = { type: 'string', format: 'date-time' };

/** The seed contract's ImageOut, field for field (test/contract/seed-get-image.openapi.yaml). */
export class ImageOut {
  @ApiField({ type: 'string', format: 'uuid' })
  id: string;

  @ApiField({ type: 'string', default: 'image', required: false })
  object: 'image';

  @ApiField({ type: 'string', format: 'uuid' })
  org_id: string;

  @ApiField({ type: 'string', format: 'uuid' })
  template_id: string;

  @ApiField({ type: 'integer' })
  template_version: number;

  @ApiField({ type: 'string' })
  status: string;

  @ApiField({ type: 'array', items: { type: 'object', additionalProperties: true } })
  modifications: Record<string, unknown>[];

  @ApiField(nullable({ type: 'string' }))
  result_url: string | null;

  @ApiField(nullable({ type: 'string' }))
  thumbnail_url: string | null;

  @ApiField(nullable({ type: 'object', additionalProperties: true }))
  error: Record<string, unknown> | null;

  @ApiField({ type: 'object', additionalProperties: true, required: false })
  image_metadata: Record<string, unknown>;

  @ApiField(nullable({ type: 'integer' }))
  duration_ms: number | null;

  @ApiField(dateTime)
  created_at: string;

  @ApiField(nullable(dateTime))
  started_at: string | null;

  @ApiField(nullable(dateTime))
  completed_at: string | null;
}

export class ImageList extends ListOf(() => ImageOut, 'ImageList') {
  declare data: ImageOut[];
}
