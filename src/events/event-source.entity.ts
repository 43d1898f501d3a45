import { Column, Entity, Index } from 'typeorm';
import { CreatedAtColumn, IdColumn } from '../database/columns.js';

export const SOURCE_TYPES = ['stripe', 'webhook'] as const;
export type SourceType = (typeof SOURCE_TYPES)[number];

/** Where outside events come in: POST /v1/ingest/{id}, authenticated by a signature with `secret`. */
@Entity({ name: 'event_sources' })
@Index('idx_event_sources_org_created', ['orgId', 'createdAt', 'id'])
export class EventSourceEntity {
  @IdColumn()
  id: string;

  @Column({ name: 'org_id', type: 'uuid' })
  orgId: string;

  @Column({ type: 'text' })
  type: SourceType;

  @Column({ type: 'text' })
  name: string;

  /** Stripe's endpoint signing secret (whsec_...) or the HMAC key; needed in clear to verify. */
  @Column({ type: 'text' })
  secret: string;

  @CreatedAtColumn()
  createdAt: Date;
}
