import { Column, Entity, Index } from 'typeorm';
import { CreatedAtColumn, IdColumn, TimestampColumn } from '../database/columns.js';

export const VIDEO_STATUSES = ['pending', 'rendering', 'completed', 'failed'] as const;
export type VideoStatus = (typeof VIDEO_STATUSES)[number];

/** mp4: H.264 yuv420p with +faststart; webm: VP9. */
export const VIDEO_FORMATS = ['mp4', 'webm'] as const;
export type VideoFormat = (typeof VIDEO_FORMATS)[number];

export const VIDEO_FPS = [24, 30, 60] as const;

export interface VideoError {
  code: string;
  message: string;
  layer?: string;
  [key: string]: unknown;
}

@Entity({ name: 'videos' })
@Index('idx_videos_org_created', ['orgId', 'createdAt', 'id'])
export class VideoEntity {
  @IdColumn()
  id: string;

  @Column({ name: 'org_id', type: 'uuid' })
  orgId: string;

  @Column({ name: 'template_id', type: 'uuid' })
  templateId: string;

  @Column({ name: 'template_version', type: 'integer' })
  templateVersion: number;

  @Column({ type: 'text', default: 'pending' })
  status: VideoStatus;

  /** 0..1 while rendering; written at most a few times a second. */
  @Column({ type: 'real', default: 0 })
  progress: number;

  @Column({ type: 'jsonb', default: [] })
  modifications: Record<string, unknown>[];

  @Column({ name: 'duration_seconds', type: 'double precision' })
  durationSeconds: number;

  @Column({ type: 'integer' })
  fps: number;

  @Column({ type: 'text', default: 'mp4' })
  format: VideoFormat;

  @Column({ name: 'poster_time', type: 'double precision', default: 0 })
  posterTime: number;

  /** Storage keys, never URLs: URLs are signed on every read. */
  @Column({ name: 'result_key', type: 'text', nullable: true })
  resultKey: string | null;

  @Column({ name: 'thumbnail_key', type: 'text', nullable: true })
  thumbnailKey: string | null;

  @Column({ type: 'jsonb', nullable: true })
  error: VideoError | null;

  /** What was encoded: width, height, frames, bytes, codec. */
  @Column({ name: 'video_metadata', type: 'jsonb', default: {} })
  videoMetadata: Record<string, unknown>;

  /** How long the render took (as for images), not the clip's length. */
  @Column({ name: 'duration_ms', type: 'integer', nullable: true })
  durationMs: number | null;

  @CreatedAtColumn()
  createdAt: Date;

  @TimestampColumn('started_at')
  startedAt: Date | null;

  @TimestampColumn('completed_at')
  completedAt: Date | null;

  @TimestampColumn('updated_at')
  updatedAt: Date | null;

  /** While rendering: renewed with every progress write; once it lapses the execution counts as lost. */
  @TimestampColumn('lease_until')
  leaseUntil: Date | null;

  @Column({ name: 'is_test', type: 'boolean', default: false })
  isTest: boolean;

  @Column({ name: 'api_key_id', type: 'uuid', nullable: true })
  apiKeyId: string | null;

  @Column({ name: 'webhook_url', type: 'text', nullable: true })
  webhookUrl: string | null;

  @Column({ type: 'jsonb', default: {} })
  metadata: Record<string, unknown>;

  @Column({ type: 'integer', default: 0 })
  attempts: number;
}
