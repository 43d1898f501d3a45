import { Column, Entity, Index } from 'typeorm';
import { CreatedAtColumn, IdColumn } from '../database/columns.js';

@Entity({ name: 'idempotency_keys' })
@Index('uq_idempotency_keys_org_key', ['orgId', 'key'], { unique: true })
export class IdempotencyKeyEntity {
  @IdColumn()
  id: string;

  @Column({ name: 'org_id', type: 'uuid' })
  orgId: string;

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

  @CreatedAtColumn()
  createdAt: Date;
}
