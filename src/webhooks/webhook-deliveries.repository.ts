import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { CursorPosition } from '../common/pagination/cursor.js';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { fetchKeysetRows } from '../common/pagination/keyset.js';
import type { EventFanout, PlannedDelivery } from '../queue/event-fanout.js';
import type { EventPayload, EventType, ResourceKind } from '../queue/outbox.types.js';
import { deliveryIdFor } from '../queue/webhook.producer.js';
import { type DeliveryAttempt, WebhookDeliveryEntity } from './webhook-delivery.entity.js';

/** What the delivery log row needs beyond its defaults. */
export interface NewDelivery {
  id: string;
  orgId: string;
  endpointId: string | null;
  url: string;
  eventId: string;
  eventType: EventType;
  resourceKind: ResourceKind;
  resourceId: string;
  occurredAt: Date;
}

/** How an attempt leaves the delivery: done, due again at `nextRetryAt`, or given up. */
export type AttemptOutcome = { status: 'succeeded' } | { status: 'pending'; nextRetryAt: Date } | { status: 'failed' };

/**
 * The one owner of webhook_deliveries. Planning inserts rows keyed by deliveryIdFor(event,
 * destination), so it is idempotent; every later change is a compare-and-set on (status pending,
 * attempt_count), so a duplicated job records one attempt once and never revives a finished row.
 */
@Injectable()
export class WebhookDeliveriesRepository implements EventFanout {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * One row per destination: the event's explicit URLs, and every live endpoint of the
   * organisation that existed when the event happened and subscribes to its type (all types when
   * `events` is null). Answers every still-pending delivery of the event, for the relay to queue.
   */
  async plan(eventId: string, occurredAt: Date, event: EventPayload): Promise<PlannedDelivery[]> {
    const endpoints = (await this.ds.query(
      `SELECT id, url FROM webhook_endpoints
       WHERE org_id = $1 AND deleted_at IS NULL AND created_at <= $2 AND (events IS NULL OR $3 = ANY(events))
       ORDER BY created_at, id`,
      [event.orgId, occurredAt, event.eventType],
    )) as { id: string; url: string }[];
    const base = { orgId: event.orgId, eventId, eventType: event.eventType, resourceKind: event.resource.kind, resourceId: event.resource.id, occurredAt };
    const rows: NewDelivery[] = [
      // A per-render URL keeps the delivery id it had before endpoints existed.
      ...[...new Set(event.destinations)].map((url) => ({ ...base, id: deliveryIdFor(eventId, url), endpointId: null, url })),
      ...endpoints.map((e) => ({ ...base, id: deliveryIdFor(eventId, `endpoint:${e.id}`), endpointId: e.id, url: e.url })),
    ];
    if (rows.length) await this.insert(rows);
    const pending = (await this.ds.query(`SELECT id FROM webhook_deliveries WHERE event_id = $1 AND status = 'pending' ORDER BY id`, [eventId])) as {
      id: string;
    }[];
    return pending.map((r) => ({ deliveryId: r.id }));
  }

  /** Inserts rows not already there (by id), for this process's QUEUE_PREFIX. */
  async insert(rows: NewDelivery[]): Promise<void> {
    await this.ds.query(
      `INSERT INTO webhook_deliveries (queue_prefix, id, org_id, endpoint_id, url, event_id, event_type, resource_kind, resource_id, occurred_at)
       SELECT $1, * FROM unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::uuid[], $7::text[], $8::text[], $9::uuid[], $10::timestamptz[])
       ON CONFLICT (id) DO NOTHING`,
      [
        this.config.queuePrefix,
        rows.map((r) => r.id),
        rows.map((r) => r.orgId),
        rows.map((r) => r.endpointId),
        rows.map((r) => r.url),
        rows.map((r) => r.eventId),
        rows.map((r) => r.eventType),
        rows.map((r) => r.resourceKind),
        rows.map((r) => r.resourceId),
        rows.map((r) => r.occurredAt),
      ],
    );
  }

  findById(id: string): Promise<WebhookDeliveryEntity | null> {
    return this.ds.getRepository(WebhookDeliveryEntity).findOneBy({ id });
  }

  /** Records attempt number `attemptCount + 1` and its outcome, if the row is still pending at `attemptCount` attempts. */
  async recordAttempt(id: string, attemptCount: number, attempt: DeliveryAttempt, outcome: AttemptOutcome): Promise<boolean> {
    const res = (await this.ds.query(
      `UPDATE webhook_deliveries SET attempts = attempts || jsonb_build_array($3::jsonb), attempt_count = attempt_count + 1,
         status = $4, next_retry_at = $5, updated_at = now()
       WHERE id = $1 AND status = 'pending' AND attempt_count = $2`,
      [id, attemptCount, JSON.stringify(attempt), outcome.status, outcome.status === 'pending' ? outcome.nextRetryAt : null],
    )) as [unknown[], number];
    return res[1] > 0;
  }

  /** pending -> failed without an attempt (its endpoint was deleted, its resource is gone). */
  async abandon(id: string): Promise<boolean> {
    const res = (await this.ds.query(
      `UPDATE webhook_deliveries SET status = 'failed', next_retry_at = NULL, updated_at = now() WHERE id = $1 AND status = 'pending'`,
      [id],
    )) as [unknown[], number];
    return res[1] > 0;
  }

  /**
   * Pending deliveries of this QUEUE_PREFIX whose attempt (the next one, or the first) has been due
   * for more than `overdueMs`, oldest first: the sweeper checks that each still has a live job.
   */
  async findOverdue(overdueMs: number, limit: number): Promise<string[]> {
    const rows = (await this.ds.query(
      `SELECT id FROM webhook_deliveries
       WHERE status = 'pending' AND queue_prefix = $3 AND COALESCE(next_retry_at, created_at) < now() - ($1 || ' milliseconds')::interval
       ORDER BY created_at LIMIT $2`,
      [String(overdueMs), limit, this.config.queuePrefix],
    )) as { id: string }[];
    return rows.map((r) => r.id);
  }

  /** Deletes up to `limit` deliveries finished (succeeded or failed) more than `days` days ago; answers how many. */
  async pruneFinished(days: number, limit = 1000): Promise<number> {
    const res = (await this.ds.query(
      `DELETE FROM webhook_deliveries WHERE id IN (
         SELECT id FROM webhook_deliveries WHERE status <> 'pending' AND updated_at < now() - ($1 || ' days')::interval LIMIT $2)`,
      [String(days), limit],
    )) as [unknown[], number];
    return res[1];
  }

  listForEndpoint(endpointId: string, orgId: string, limit: number, cursor?: CursorPosition): Promise<WebhookDeliveryEntity[]> {
    const qb = this.ds
      .getRepository(WebhookDeliveryEntity)
      .createQueryBuilder('d')
      .where('d.endpoint_id = :endpointId AND d.org_id = :orgId', { endpointId, orgId });
    return fetchKeysetRows(qb, 'd', limit, cursor);
  }
}
