import { ApiField, ListOf, nullable } from '../http/openapi/api-field.js';
import { signedOutputUrls, type StorageDriver } from '../storage/storage.types.js';
import type { ImageView } from './images.repository.js';

const dateTime = { type: 'string', format: 'date-time' };
const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

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

  /**
   * Rows keep storage keys; URLs are minted here, on every read, so they never go stale in the DB.
   * A plain object in contract key order: GET /v1/images/{id} is compared byte for byte.
   */
  static async from(row: ImageView, storage: StorageDriver, ttlSeconds: number): Promise<ImageOut> {
    const [resultUrl, thumbnailUrl] = await signedOutputUrls(row, storage, ttlSeconds);
    return {
      id: row.id,
      object: 'image',
      org_id: row.orgId,
      template_id: row.templateId,
      template_version: row.templateVersion,
      status: row.status,
      modifications: row.modifications,
      result_url: resultUrl,
      thumbnail_url: thumbnailUrl,
      error: row.error,
      image_metadata: row.imageMetadata,
      duration_ms: row.durationMs,
      created_at: row.createdAt.toISOString(),
      started_at: iso(row.startedAt),
      completed_at: iso(row.completedAt),
    };
  }
}

export class ImageList extends ListOf(() => ImageOut, 'ImageList') {
  declare data: ImageOut[];
}
