import { Column, Entity, Index } from 'typeorm';
import { CreatedAtColumn, IdColumn, TimestampColumn } from '../database/columns.js';
import type { OutputFormat } from '../images/image.entity.js';

export const COLLECTION_STATUSES = ['rendering', 'completed'] as const;
export type CollectionStatus = (typeof COLLECTION_STATUSES)[number];

/** `templates`: one image per template (POST /v1/collections); `people`: one template, one image per person (POST /v1/people/renders). */
export const COLLECTION_SOURCES = ['templates', 'people'] as const;
export type CollectionSource = (typeof COLLECTION_SOURCES)[number];

/**
 * One modification set over several templates (one image per template), or one template over
 * several people (one image per person); images.collection_id points back. The counters move only in the transaction that moves a child image to a final state.
 */
@Entity({ name: 'collections' })
@Index('idx_collections_org_created', ['orgId', 'createdAt', 'id'])
export class CollectionEntity {
  @IdColumn()
  id: string;

  @Column({ name: 'org_id', type: 'uuid' })
  orgId: string;

  /** Made with a test key: listed apart from live ones, like its images. */
  @Column({ name: 'is_test', type: 'boolean', default: false })
  isTest: boolean;

  @Column({ name: 'api_key_id', type: 'uuid', nullable: true })
  apiKeyId: string | null;

  @Column({ type: 'text', default: 'rendering' })
  status: CollectionStatus;

  @Column({ type: 'text', default: 'templates' })
  source: CollectionSource;

  /** `templates`: in request order, imageIds[i] renders templateIds[i]. `people`: the one template. */
  @Column({ name: 'template_ids', type: 'uuid', array: true })
  templateIds: string[];

  /** `people` only: imageIds[i] renders the template for personIds[i]; empty for `templates`. */
  @Column({ name: 'person_ids', type: 'uuid', array: true, default: () => "'{}'" })
  personIds: string[];

  @Column({ name: 'image_ids', type: 'uuid', array: true })
  imageIds: string[];

  @Column({ name: 'renders_total', type: 'integer' })
  rendersTotal: number;

  @Column({ name: 'renders_completed', type: 'integer', default: 0 })
  rendersCompleted: number;

  @Column({ name: 'renders_failed', type: 'integer', default: 0 })
  rendersFailed: number;

  @Column({ type: 'text', default: 'png' })
  format: OutputFormat;

  @Column({ name: 'webhook_url', type: 'text', nullable: true })
  webhookUrl: string | null;

  @Column({ type: 'jsonb', default: {} })
  metadata: Record<string, unknown>;

  @CreatedAtColumn()
  createdAt: Date;

  @TimestampColumn('completed_at')
  completedAt: Date | null;
}
