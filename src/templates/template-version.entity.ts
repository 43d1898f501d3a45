import { Column, Entity, Index } from 'typeorm';
import { CreatedAtColumn, IdColumn } from '../database/columns.js';
import type { Background, Layer } from '../renderer/index.js';

/** Immutable: a database trigger refuses UPDATE and DELETE on this table. */
@Entity({ name: 'template_versions' })
@Index('uq_template_versions_template_version', ['templateId', 'version'], { unique: true })
export class TemplateVersionEntity {
  @IdColumn()
  id: string;

  @Column({ name: 'template_id', type: 'uuid' })
  templateId: string;

  @Column({ name: 'org_id', type: 'uuid' })
  orgId: string;

  @Column({ type: 'integer' })
  version: number;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'integer' })
  width: number;

  @Column({ type: 'integer' })
  height: number;

  @Column({ type: 'jsonb', default: {} })
  background: Background;

  @Column({ type: 'jsonb', default: [] })
  layers: Layer[];

  @CreatedAtColumn()
  createdAt: Date;
}
