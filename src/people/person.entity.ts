import { Column, Entity, Index } from 'typeorm';
import { CreatedAtColumn, IdColumn, TimestampColumn } from '../database/columns.js';

/** Name of the partial unique index behind the 409 on a taken external_id. */
export const EXTERNAL_ID_INDEX = 'uq_people_org_external_id';

@Entity({ name: 'people' })
@Index('idx_people_org_created', ['orgId', 'createdAt', 'id'])
// One live person per caller reference; a deleted person frees its external_id for reuse.
@Index(EXTERNAL_ID_INDEX, ['orgId', 'externalId'], { unique: true, where: 'deleted_at IS NULL AND external_id IS NOT NULL' })
// GIN (jsonb_path_ops) behind the `tags @> {...}` filter of GET /v1/people; TypeORM cannot
// declare the method, so the migration owns it and the schema builder leaves it alone.
@Index('idx_people_tags', { synchronize: false })
export class PersonEntity {
  @IdColumn()
  id: string;

  @Column({ name: 'org_id', type: 'uuid' })
  orgId: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ name: 'external_id', type: 'text', nullable: true })
  externalId: string | null;

  @Column({ name: 'photo_asset_id', type: 'uuid' })
  photoAssetId: string;

  /** Short string values only (see person-rules.ts). */
  @Column({ type: 'jsonb', default: {} })
  tags: Record<string, string>;

  @CreatedAtColumn()
  createdAt: Date;

  @TimestampColumn('updated_at', { nullable: false, default: () => 'now()' })
  updatedAt: Date;

  /** Soft delete: gone from reads, lists and new renders; past renders keep their result. */
  @TimestampColumn('deleted_at')
  deletedAt: Date | null;
}
