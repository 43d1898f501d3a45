import { Column, Entity, Index } from 'typeorm';
import { CreatedAtColumn, IdColumn, TimestampColumn } from '../database/columns.js';

export const IMAGE_STATUSES = ['pending', 'rendering', 'completed', 'failed'] as const;
export type ImageStatus = (typeof IMAGE_STATUSES)[number];

export const OUTPUT_FORMATS = ['png', 'jpeg', 'webp', 'avif'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface ImageError {
  code: string;
  message: string;
  layer?: string;
  [key: string]: unknown;
}

@Entity({ name: 'images' })
@Index('idx_images_org_created', ['orgId', 'createdAt', 'id'])
// The pending-renders cap counts through this partial index only (migration 1764604800000).
@Index('idx_images_org_pending', ['orgId'], { where: `status = 'pending'` })
export class ImageEntity {
  @IdColumn()
  id: string;

  @Column({ name: 'org_id', type: 'uuid' })
  orgId: string;

  @Index('idx_images_template_id')
  @Column({ name: 'template_id', type: 'uuid' })
  templateId: string;

  @Column({ name: 'template_version', type: 'integer' })
  templateVersion: number;

  @Column({ type: 'text', default: 'pending' })
  status: ImageStatus;

  @Column({ type: 'jsonb', default: [] })
  modifications: Record<string, unknown>[];

  /** Storage keys, never URLs: URLs are signed on every read. */
  @Column({ name: 'result_key', type: 'text', nullable: true })
  resultKey: string | null;

  @Column({ name: 'thumbnail_key', type: 'text', nullable: true })
  thumbnailKey: string | null;

  @Column({ type: 'jsonb', nullable: true })
  error: ImageError | null;

  @Column({ name: 'image_metadata', type: 'jsonb', default: {} })
  imageMetadata: Record<string, unknown>;

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

  /** While rendering: the claiming execution renews this; once it lapses the render counts as lost. */
  @TimestampColumn('lease_until')
  leaseUntil: Date | null;

  /** Renders made with a test key carry a watermark and are listed apart from live ones. */
  @Column({ name: 'is_test', type: 'boolean', default: false })
  isTest: boolean;

  @Column({ name: 'api_key_id', type: 'uuid', nullable: true })
  apiKeyId: string | null;

  @Column({ type: 'text', default: 'png' })
  format: OutputFormat;

  @Column({ type: 'integer', nullable: true })
  quality: number | null;

  @Column({ type: 'integer', default: 1 })
  scale: number;

  @Column({ name: 'webhook_url', type: 'text', nullable: true })
  webhookUrl: string | null;

  @Index('idx_images_collection_id')
  @Column({ name: 'collection_id', type: 'uuid', nullable: true })
  collectionId: string | null;

  /** Caller-supplied key/value pairs, echoed in webhooks. */
  @Column({ type: 'jsonb', default: {} })
  metadata: Record<string, unknown>;

  @Column({ type: 'integer', default: 0 })
  attempts: number;
}
