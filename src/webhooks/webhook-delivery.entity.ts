import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn, TimestampColumn } from '../database/columns.js';
import type { EventType, ResourceKind } from '../queue/outbox.types.js';

export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** One attempt of a delivery, as the deliveries log lists it. */
export interface DeliveryAttempt {
  attempted_at: string;
  response_status: number | null;
  error: string | null;
  latency_ms: number;
}

/**
 * One event to one destination (owner: WebhookDeliveriesRepository). The id is derived from the
 * event and the destination (deliveryIdFor), so planning an event twice makes one row.
 */
@Entity({ name: 'webhook_deliveries' })
@Index('idx_webhook_deliveries_endpoint_created', ['endpointId', 'createdAt', 'id'])
@Index('idx_webhook_deliveries_event', ['eventId'])
@Index('idx_webhook_deliveries_finished', ['updatedAt'], { where: "status <> 'pending'" })
@Index('idx_webhook_deliveries_pending', ['createdAt'], { where: "status = 'pending'" })
export class WebhookDeliveryEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'org_id', type: 'uuid' })
  orgId: string;

  /**
   * The QUEUE_PREFIX of the relay that planned it: only workers of that prefix re-drive it, so
   * installs (or test runs) sharing a database never deliver each other's events.
   */
  @Column({ name: 'queue_prefix', type: 'text' })
  queuePrefix: string;

  /** The endpoint it goes to; null for a per-render webhook_url (signed with the organisation's secret). */
  @Column({ name: 'endpoint_id', type: 'uuid', nullable: true })
  endpointId: string | null;

  @Column({ type: 'text' })
  url: string;

  /** The outbox record of the event. */
  @Column({ name: 'event_id', type: 'uuid' })
  eventId: string;

  @Column({ name: 'event_type', type: 'text' })
  eventType: EventType;

  @Column({ name: 'resource_kind', type: 'text' })
  resourceKind: ResourceKind;

  @Column({ name: 'resource_id', type: 'uuid' })
  resourceId: string;

  /** When the event happened: the body's created_at, the same on every attempt. */
  @TimestampColumn('occurred_at', { nullable: false })
  occurredAt: Date;

  @Column({ type: 'text', default: 'pending' })
  status: DeliveryStatus;

  @Column({ type: 'jsonb', default: [] })
  attempts: DeliveryAttempt[];

  /** Length of `attempts`, the compare-and-set guard of each recorded attempt. */
  @Column({ name: 'attempt_count', type: 'integer', default: 0 })
  attemptCount: number;

  @TimestampColumn('next_retry_at')
  nextRetryAt: Date | null;

  @CreatedAtColumn()
  createdAt: Date;

  @TimestampColumn('updated_at')
  updatedAt: Date | null;
}
