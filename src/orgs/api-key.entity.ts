import { Check, Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { CreatedAtColumn, IdColumn, TimestampColumn } from '../database/columns.js';
import { OrgEntity } from './org.entity.js';

export type KeyMode = 'live' | 'test';

@Entity({ name: 'api_keys' })
@Check('chk_api_keys_rate_limit', '"rate_limit_per_minute" >= 0')
export class ApiKeyEntity {
  @IdColumn()
  id: string;

  @Index('idx_api_keys_org_id')
  @Column({ name: 'org_id', type: 'uuid' })
  orgId: string;

  @ManyToOne(() => OrgEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'org_id', foreignKeyConstraintName: 'fk_api_keys_org_id' })
  org?: OrgEntity;

  @Column({ type: 'text', default: '' })
  name: string;

  @Column({ type: 'text' })
  mode: KeyMode;

  /** Shown in listings so people can tell keys apart; never enough to authenticate. */
  @Column({ type: 'text' })
  prefix: string;

  /** SHA-256 of the whole key: keys are 240-bit random, so a fast hash is safe and lookups stay O(1). */
  @Index('uq_api_keys_secret_hash', { unique: true })
  @Column({ name: 'secret_hash', type: 'text' })
  secretHash: string;

  @Column({ type: 'text', array: true })
  scopes: string[];

  @CreatedAtColumn()
  createdAt: Date;

  @TimestampColumn('last_used_at')
  lastUsedAt: Date | null;

  /** Points per minute for this key: null = the RATE_LIMIT_PER_MINUTE default, 0 = unlimited. */
  @Column({ name: 'rate_limit_per_minute', type: 'integer', nullable: true })
  rateLimitPerMinute: number | null;

  @TimestampColumn('revoked_at')
  revokedAt: Date | null;
}
