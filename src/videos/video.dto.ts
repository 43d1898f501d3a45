import { ApiField, ListOf, nullable } from '../http/openapi/api-field.js';
import { signedOutputUrls, type StorageDriver } from '../storage/storage.types.js';
import type { VideoEntity } from './video.entity.js';

const dateTime = { type: 'string', format: 'date-time' };
const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export class VideoOut {
  @ApiField({ type: 'string', format: 'uuid' })
  id: string;

  @ApiField({ type: 'string', default: 'video' })
  object: 'video';

  @ApiField({ type: 'string', format: 'uuid' })
  org_id: string;

  @ApiField({ type: 'string', format: 'uuid' })
  template_id: string;

  @ApiField({ type: 'integer' })
  template_version: number;

  @ApiField({ type: 'string', enum: ['pending', 'rendering', 'completed', 'failed'] })
  status: string;

  @ApiField({ type: 'number', description: '0 to 1 while rendering; 1 once completed' })
  progress: number;

  @ApiField({ type: 'array', items: { type: 'object', additionalProperties: true } })
  modifications: Record<string, unknown>[];

  @ApiField(nullable({ type: 'string', description: 'Signed URL of the MP4 (or WebM), freshly signed on every read' }))
  result_url: string | null;

  @ApiField(nullable({ type: 'string', description: 'Signed URL of the JPEG poster frame (at poster_time), the size of the video' }))
  thumbnail_url: string | null;

  @ApiField({ type: 'number', description: 'Length of the clip in seconds' })
  duration_seconds: number;

  @ApiField({ type: 'integer', enum: [24, 30, 60] })
  fps: number;

  @ApiField({ type: 'string', enum: ['mp4', 'webm'] })
  format: string;

  @ApiField({ type: 'number' })
  poster_time: number;

  @ApiField(nullable({ type: 'object', additionalProperties: true }))
  error: Record<string, unknown> | null;

  @ApiField({ type: 'object', additionalProperties: true, description: 'What was encoded: width, height, frames, bytes, codec' })
  video_metadata: Record<string, unknown>;

  @ApiField(nullable({ type: 'integer', description: 'How long the render took, in milliseconds (as for images)' }))
  duration_ms: number | null;

  @ApiField({ type: 'object', additionalProperties: true })
  metadata: Record<string, unknown>;

  @ApiField(dateTime)
  created_at: string;

  @ApiField(nullable(dateTime))
  started_at: string | null;

  @ApiField(nullable(dateTime))
  completed_at: string | null;

  /** Rows keep storage keys; URLs are minted here, on every read. */
  static async from(row: VideoEntity, storage: StorageDriver, ttlSeconds: number): Promise<VideoOut> {
    const [resultUrl, thumbnailUrl] = await signedOutputUrls(row, storage, ttlSeconds);
    return {
      id: row.id,
      object: 'video',
      org_id: row.orgId,
      template_id: row.templateId,
      template_version: row.templateVersion,
      status: row.status,
      progress: row.progress,
      modifications: row.modifications,
      result_url: resultUrl,
      thumbnail_url: thumbnailUrl,
      duration_seconds: row.durationSeconds,
      fps: row.fps,
      format: row.format,
      poster_time: row.posterTime,
      error: row.error,
      video_metadata: row.videoMetadata,
      duration_ms: row.durationMs,
      metadata: row.metadata,
      created_at: row.createdAt.toISOString(),
      started_at: iso(row.startedAt),
      completed_at: iso(row.completedAt),
    };
  }
}

export class VideoList extends ListOf(() => VideoOut, 'VideoList') {
  declare data: VideoOut[];
}
