import type { StorageDriver } from '../storage/storage.types.js';
import type { ImageOut } from './image.dto.js';
import type { ImageEntity } from './image.entity.js';

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/** Rows keep storage keys; URLs are minted here, on every read, so they never go stale in the DB. */
export async function toImageOut(row: ImageEntity, storage: StorageDriver, ttlSeconds: number): Promise<ImageOut> {
  const [resultUrl, thumbnailUrl] = await Promise.all([
    row.status === 'completed' && row.resultKey ? storage.signedUrl(row.resultKey, ttlSeconds) : null,
    row.status === 'completed' && row.thumbnailKey ? storage.signedUrl(row.thumbnailKey, ttlSeconds) : null,
  ]);
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
