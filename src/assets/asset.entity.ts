import { Column, Entity, Index } from 'typeorm';
import { CreatedAtColumn, IdColumn, TimestampColumn } from '../database/columns.js';

export type AssetKind = 'image' | 'font';

@Entity({ name: 'assets' })
@Index('idx_assets_org_created', ['orgId', 'createdAt', 'id'])
export class AssetEntity {
  @IdColumn()
  id: string;

  @Column({ name: 'org_id', type: 'uuid' })
  orgId: string;

  @Column({ type: 'text' })
  kind: AssetKind;

  /** Sniffed from the bytes, never taken from the upload's name or declared type. */
  @Column({ name: 'content_type', type: 'text' })
  contentType: string;

  @Column({ type: 'text' })
  format: string;

  @Column({ type: 'text', default: '' })
  filename: string;

  @Column({ type: 'integer' })
  bytes: number;

  @Column({ type: 'integer', nullable: true })
  width: number | null;

  @Column({ type: 'integer', nullable: true })
  height: number | null;

  @Column({ name: 'font_family', type: 'text', nullable: true })
  fontFamily: string | null;

  @Column({ type: 'text' })
  sha256: string;

  @Column({ name: 'storage_key', type: 'text' })
  storageKey: string;

  @CreatedAtColumn()
  createdAt: Date;

  /** Soft delete: templates and past renders that point at an asset keep working. */
  @TimestampColumn('deleted_at')
  deletedAt: Date | null;
}
