import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { type EventType, OutboxTopic, type OutboxPayloads, type OutboxRecord, type ResourceKind } from './outbox.types.js';

/** What the UPDATE of a status change that is an event returns: the row, its org and its own webhook URL. */
export interface EventRow {
  id: string;
  org_id: string;
  webhook_url: string | null;
}

/** How the relay's handler answers for one record: sent, or why not. */
export type DispatchResult = { ok: true } | { ok: false; error: string };

/** Unsent records of the outbox, for /readyz and the chaos run. */
export interface OutboxBacklog {
  unsent: number;
  oldestAgeMs: number | null;
}

/** A failed enqueue waits this long times 2^(attempts-1) before the next try, capped (Redis being down only delays). */
const RETRY_BASE_MS = 250;
const RETRY_CAP_MS = 5000;

/**
 * The one owner of the outbox table. Writers append inside their own transaction (the row change
 * and its record commit together or not at all); the relay claims unsent records with
 * SELECT ... FOR UPDATE SKIP LOCKED, so any number of relays in any number of processes share
 * the work without sending a record twice at the same time.
 */
@Injectable()
export class OutboxRepository {
  private readonly listeners = new Set<() => void>();

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private get prefix(): string {
    return this.config.queuePrefix;
  }

  /** Adds a record in the caller's transaction. Call announce() after the commit. */
  async append<T extends OutboxTopic>(em: EntityManager, topic: T, aggregateId: string, payload: OutboxPayloads[T], id: string = randomUUID()): Promise<string> {
    await em.query(`INSERT INTO outbox (id, queue_prefix, topic, aggregate_id, payload) VALUES ($1, $2, $3, $4, $5)`, [
      id,
      this.prefix,
      topic,
      aggregateId,
      JSON.stringify(payload),
    ]);
    return id;
  }

  /** Several records of one topic in one INSERT, in the caller's transaction (a collection's render requests). */
  async appendMany<T extends OutboxTopic>(em: EntityManager, topic: T, records: { aggregateId: string; payload: OutboxPayloads[T] }[]): Promise<void> {
    if (records.length === 0) return;
    await em.query(
      `INSERT INTO outbox (id, queue_prefix, topic, aggregate_id, payload)
       SELECT gen_random_uuid(), $1, $2, r.aggregate_id, r.payload FROM unnest($3::uuid[], $4::jsonb[]) AS r(aggregate_id, payload)`,
      [this.prefix, topic, records.map((r) => r.aggregateId), records.map((r) => JSON.stringify(r.payload))],
    );
  }

  /**
   * A status change that is an event: the compare-and-set UPDATE (RETURNING at least the changed
   * row's id, org_id and webhook_url) and the event's record commit together, so the event fires
   * exactly when the change wins and never without it. `alsoIn` runs in the same transaction
   * before the event is written (a collection's counter). False when the update changed nothing.
   */
  async updateWithEvent<R extends EventRow>(
    sql: string,
    params: unknown[],
    event: { type: EventType; kind: ResourceKind; requestId?: string },
    alsoIn?: (em: EntityManager, row: R) => Promise<void>,
  ): Promise<boolean> {
    const changed = await this.ds.transaction(async (em) => {
      const res = (await em.query(sql, params)) as [R[], number];
      if (res[1] === 0) return false;
      const row = res[0][0];
      await alsoIn?.(em, row);
      await this.append(em, OutboxTopic.Event, row.id, {
        eventType: event.type,
        orgId: row.org_id,
        resource: { kind: event.kind, id: row.id },
        destinations: row.webhook_url ? [row.webhook_url] : [],
        ...(event.requestId !== undefined ? { requestId: event.requestId } : {}),
      });
      return true;
    });
    if (changed) this.announce();
    return changed;
  }

  /** Wakes this process's relay after a commit, so a record does not wait for the next poll. */
  announce(): void {
    for (const fn of this.listeners) fn();
  }

  onAnnounce(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * Claims up to `limit` due records, hands each to `dispatch` (concurrently) and records the
   * outcome, all in one transaction that holds the rows' locks. Returns how many were claimed.
   */
  async relayBatch(limit: number, dispatch: (rec: OutboxRecord) => Promise<DispatchResult>): Promise<number> {
    return this.ds.transaction(async (em) => {
      const rows = (await em.query(
        `SELECT id, topic, payload, attempts, created_at FROM outbox
         WHERE sent_at IS NULL AND available_at <= now() AND queue_prefix = $2
         ORDER BY available_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [limit, this.prefix],
      )) as { id: string; topic: OutboxTopic; payload: unknown; attempts: number; created_at: Date }[];
      if (rows.length === 0) return 0;
      const results = await Promise.all(
        rows.map((r) =>
          dispatch({ id: r.id, topic: r.topic, payload: r.payload, attempts: r.attempts, createdAt: r.created_at } as OutboxRecord).catch(
            (err: unknown): DispatchResult => ({ ok: false, error: err instanceof Error ? err.message : String(err) }),
          ),
        ),
      );
      const sent = rows.filter((_, i) => results[i].ok).map((r) => r.id);
      if (sent.length) await em.query(`UPDATE outbox SET sent_at = now(), last_error = NULL WHERE id = ANY($1::uuid[])`, [sent]);
      for (const [i, r] of rows.entries()) {
        const res = results[i];
        if (res.ok) continue;
        const delay = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** Math.min(r.attempts, 10));
        await em.query(
          `UPDATE outbox SET attempts = attempts + 1, last_error = $2, available_at = now() + ($3 || ' milliseconds')::interval WHERE id = $1`,
          [r.id, res.error.slice(0, 1000), String(delay)],
        );
      }
      return rows.length;
    });
  }

  /** The Bull job id of the image's (or video's) latest render request (the reconcilers check whether it still lives). */
  async latestRenderRequest(
    imageId: string,
    topic: OutboxTopic.RenderRequested | OutboxTopic.VideoRenderRequested = OutboxTopic.RenderRequested,
  ): Promise<{ jobId: string; sent: boolean } | null> {
    const [row] = (await this.ds.query(
      `SELECT payload->>'jobId' AS job_id, sent_at IS NOT NULL AS sent FROM outbox
       WHERE aggregate_id = $1 AND topic = $2 ORDER BY created_at DESC LIMIT 1`,
      [imageId, topic],
    )) as { job_id: string; sent: boolean }[];
    return row ? { jobId: row.job_id, sent: row.sent } : null;
  }

  async backlog(): Promise<OutboxBacklog> {
    const [row] = (await this.ds.query(
      `SELECT count(*)::int AS unsent, (extract(epoch FROM now() - min(created_at)) * 1000)::bigint AS oldest FROM outbox WHERE sent_at IS NULL AND queue_prefix = $1`,
      [this.prefix],
    )) as { unsent: number; oldest: string | null }[];
    return { unsent: row.unsent, oldestAgeMs: row.oldest === null ? null : Number(row.oldest) };
  }

  /** Sent records older than `olderThanMs` are history; they go so the table stays small. */
  async pruneSent(olderThanMs: number, limit = 1000): Promise<number> {
    const res = (await this.ds.query(
      `DELETE FROM outbox WHERE id IN (
         SELECT o.id FROM outbox o WHERE o.sent_at IS NOT NULL AND o.sent_at < now() - ($1 || ' milliseconds')::interval
           -- A render request is kept while its render is unfinished: the reconciler finds renders by it.
           AND NOT (o.topic = 'render.requested' AND EXISTS (SELECT 1 FROM images i WHERE i.id = o.aggregate_id AND i.status IN ('pending', 'rendering')))
           AND NOT (o.topic = 'video.render.requested' AND EXISTS (SELECT 1 FROM videos v WHERE v.id = o.aggregate_id AND v.status IN ('pending', 'rendering')))
         LIMIT $2)`,
      [String(olderThanMs), limit],
    )) as [unknown[], number];
    return res[1];
  }
}
