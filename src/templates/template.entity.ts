import { Column, Entity, Index } from 'typeorm';
import { CreatedAtColumn, IdColumn, TimestampColumn } from '../database/columns.js';
import type { Background, Layer } from '../renderer/index.js';

@Entity({ name: 'templates' })
@Index('idx_templates_org_created', ['orgId', 'createdAt', 'id'])
export class TemplateEntity {
  @IdColumn()
  id: string;

  @Column({ name: 'org_id', type: 'uuid' })
  orgId: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'integer' })
  width: number;

  @Column({ type: 'integer' })
  height: number;

  @Column({ type: 'jsonb', default: {} })
  background: Background;

  /** The editable draft; published versions are frozen copies in template_versions. */
  @Column({ type: 'jsonb', default: [] })
  layers: Layer[];

  @Column({ name: 'current_version', type: 'integer', nullable: true })
  currentVersion: number | null;

  @Column({ type: 'jsonb', default: {} })
  metadata: Record<string, unknown>;

  @CreatedAtColumn()
  createdAt: Date;

  @TimestampColumn('updated_at')
  updatedAt: Date | null;

  /** Archived templates take no new renders; old renders and versions stay readable. */
  @TimestampColumn('archived_at')
  archivedAt: Date | null;
}
