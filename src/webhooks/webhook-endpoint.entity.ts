import { Column, Entity, Index } from 'typeorm';
import { CreatedAtColumn, IdColumn, TimestampColumn } from '../database/columns.js';
import type { EventType } from '../queue/outbox.types.js';

/** An organisation's webhook endpoint (owner: WebhookEndpointsRepository). */
@Entity({ name: 'webhook_endpoints' })
@Index('idx_webhook_endpoints_org_created', ['orgId', 'createdAt', 'id'])
export class WebhookEndpointEntity {
  @IdColumn()
  id: string;

  @Column({ name: 'org_id', type: 'uuid' })
  orgId: string;

  @Column({ type: 'text' })
  url: string;

  /** Subscribed event types; null means every event. */
  @Column({ type: 'text', array: true, nullable: true })
  events: EventType[] | null;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  /** The HMAC key of this endpoint's signatures. Kept in clear: the worker must sign with it. */
  @Column({ type: 'text' })
  secret: string;

  @CreatedAtColumn()
  createdAt: Date;

  @TimestampColumn('updated_at')
  updatedAt: Date | null;

  /** Soft delete: its delivery log stays in the table; the endpoint gets no new events. */
  @TimestampColumn('deleted_at')
  deletedAt: Date | null;
}
