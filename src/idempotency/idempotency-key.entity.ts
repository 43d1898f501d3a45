import { Column, Entity, Index } from 'typeorm';
import { CreatedAtColumn, IdColumn, TimestampColumn } from '../database/columns.js';

@Entity({ name: 'idempotency_keys' })
@Index('uq_idempotency_keys_org_mode_key', ['orgId', 'mode', 'key'], { unique: true })
export class IdempotencyKeyEntity {
  @IdColumn()
  id: string;

  @Column({ name: 'org_id', type: 'uuid' })
  orgId: string;

  /** The key mode (live/test) of the API key: a test key's request never replays a live one's. */
  @Column({ type: 'text', default: 'live' })
  mode: 'live' | 'test';

  @Column({ type: 'text' })
  key: string;

  /** Method, path and a hash of the canonical body: the same key with another request is a 409. */
  @Column({ name: 'request_hash', type: 'text' })
  requestHash: string;

  /** Null while the first request is still being processed. */
  @Column({ name: 'response_status', type: 'integer', nullable: true })
  responseStatus: number | null;

  @Column({ name: 'response_body', type: 'jsonb', nullable: true })
  responseBody: unknown;

  /** Who holds the in-progress lease: only the holder may record the response. */
  @Column({ name: 'lease_token', type: 'uuid', nullable: true })
  leaseToken: string | null;

  /** The lease lapses here: a request that died while holding it does not wedge the key. */
  @TimestampColumn('locked_until')
  lockedUntil: Date | null;

  @CreatedAtColumn()
  createdAt: Date;
}
