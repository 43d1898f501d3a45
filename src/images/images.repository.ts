import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import { DataSource, type EntityManager } from 'typeorm';
import { countPendingUpTo } from '../database/count-pending.js';
import { type EventRow, OutboxRepository } from '../queue/outbox.repository.js';
import { EventType, OutboxTopic, ResourceKind } from '../queue/outbox.types.js';
import type { CursorPosition } from '../common/pagination/cursor.js';
import { ImageEntity, type ImageError, type ImageStatus } from './image.entity.js';

export interface ImageFilters {
  status?: ImageStatus;
  templateId?: string;
  collectionId?: string;
  createdAfter?: Date;
  createdBefore?: Date;
  limit: number;
  cursor?: CursorPosition;
}

/** What the API decides about a new render; status and attempts are the repository's. */
export type NewImage = Pick<
  ImageEntity,
  | 'orgId'
  | 'templateId'
  | 'templateVersion'
  | 'modifications'
  | 'imageMetadata'
  | 'isTest'
  | 'apiKeyId'
  | 'format'
  | 'quality'
  | 'scale'
  | 'webhookUrl'
  | 'metadata'
  | 'updatedAt'
> &
  /** Set by a collection, which picks its children's ids up front. */
  Partial<Pick<ImageEntity, 'id' | 'collectionId'>>;

export interface RenderResult {
  resultKey: string;
  thumbnailKey: string;
  imageMetadata: unknown;
  durationMs: number;
}

/** A row the sweeper found untouched for too long, with the state it was seen in (the CAS guard). */
export interface StaleImage {
  id: string;
  orgId: string;
  status: 'pending' | 'rendering';
  attempts: number;
}

/** What transition() needs of the changed row to write its event and tell the finish hooks. */
const RETURNING_EVENT = 'RETURNING id, org_id, webhook_url, collection_id, status';

/** A row that just reached a final state, as its winning transaction saw it. */
export interface FinishedImage {
  id: string;
  orgId: string;
  collectionId: string | null;
  status: 'completed' | 'failed';
}

/**
 * Runs inside the transaction that moved an image to completed/failed, and only in it: a lost
 * CAS (a duplicate job, a superseded execution) never calls it. Used by collections' counters.
 */
export type FinishHook = (em: EntityManager, image: FinishedImage) => Promise<void>;

/** The claims made inside one execute() call, so exactly those are forgotten when it ends. */
const execution = new AsyncLocalStorage<[string, number][]>();

/** The reconciler never takes a row from an execution whose lease is still being renewed. */
const LEASE_LAPSED = '(lease_until IS NULL OR lease_until < now())';

/** The columns an ImageOut is made of, nothing else: what the hot reads fetch. */
export type ImageView = Pick<
  ImageEntity,
  | 'id'
  | 'orgId'
  | 'templateId'
  | 'templateVersion'
  | 'status'
  | 'modifications'
  | 'resultKey'
  | 'thumbnailKey'
  | 'error'
  | 'imageMetadata'
  | 'durationMs'
  | 'createdAt'
  | 'startedAt'
  | 'completedAt'
>;

/**
 * Aliased to the entity's property names, so a raw row is an ImageView as it comes from pg: the
 * reads skip TypeORM's query builder and entity hydration (the largest cost of a GET in profiles).
 */
const VIEW_COLUMNS = `id, org_id AS "orgId", template_id AS "templateId", template_version AS "templateVersion", status, modifications,
  result_key AS "resultKey", thumbnail_key AS "thumbnailKey", error, image_metadata AS "imageMetadata", duration_ms AS "durationMs",
  created_at AS "createdAt", started_at AS "startedAt", completed_at AS "completedAt"`;

/** TypeORM's postgres driver answers an UPDATE with [rows, affected]. */
const won = (res: unknown): boolean => (res as [unknown[], number])[1] > 0;

/**
 * The one owner of the images table. Every status change is a compare-and-set on the status and
 * on the attempt number the caller holds, so a duplicate or superseded execution of a render job
 * (Bull re-delivering a stalled job, a zombie worker, the sweeper) loses instead of overwriting.
 *
 * `attempts` counts render executions: every claim starts a new one. A claim holds a lease that
 * this process renews while the execution runs; a duplicate delivery of the job finds the lease
 * live and does nothing, and a lapsed lease (the worker died) lets the reconciler re-drive it.
 */
@Injectable()
export class ImagesRepository implements OnModuleDestroy {
  /** Claims this process holds (image id -> attempt): their leases are renewed until finished or forgotten. */
  private readonly held = new Map<string, number>();
  private finishHook?: FinishHook;
  private heartbeat?: NodeJS.Timeout;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly outbox: OutboxRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleDestroy(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    this.held.clear();
  }

  private get leaseMs(): string {
    return String(this.config.queue.renderLeaseMs);
  }

  private hold(id: string, attempt: number): void {
    this.held.set(id, attempt);
    if (this.heartbeat) return;
    this.heartbeat = setInterval(() => void this.renewLeases().catch(() => undefined), Math.max(100, Math.floor(this.config.queue.renderLeaseMs / 3)));
    this.heartbeat.unref();
  }

  /** The execution of `id` in this process is over (finished, superseded or thrown): stop renewing its lease. */
  forget(id: string, attempt?: number): void {
    if (attempt === undefined || this.held.get(id) === attempt) this.held.delete(id);
    if (this.held.size === 0) {
      clearInterval(this.heartbeat);
      this.heartbeat = undefined;
    }
  }

  /** One UPDATE for every claim held here; a claim whose row moved on is dropped. */
  async renewLeases(): Promise<void> {
    if (this.held.size === 0) return;
    const ids = [...this.held.keys()];
    const attempts = ids.map((id) => this.held.get(id) as number);
    const rows = (await this.ds.query(
      `UPDATE images i SET lease_until = now() + ($3 || ' milliseconds')::interval
       FROM unnest($1::uuid[], $2::int[]) AS h(id, attempt)
       WHERE i.id = h.id AND i.attempts = h.attempt AND i.status = 'rendering' RETURNING i.id`,
      [ids, attempts, this.leaseMs],
    )) as [{ id: string }[], number];
    const alive = new Set(rows[0].map((r) => r.id));
    for (const [i, id] of ids.entries()) if (!alive.has(id)) this.forget(id, attempts[i]);
  }

  private get repo() {
    return this.ds.getRepository(ImageEntity);
  }

  /** The collections feature registers its counter here (images never import collections). One hook. */
  onFinished(hook: FinishHook): void {
    if (this.finishHook && this.finishHook !== hook) throw new Error('an image finish hook is already registered');
    this.finishHook = hook;
  }

  /**
   * The row and its render request commit together (the outbox relay enqueues the job), so a
   * crash or Redis outage after the commit only delays the render. `inTransaction` lets the
   * caller commit its own record of the outcome (the idempotent response) in the same transaction.
   */
  async insertPending(
    fields: NewImage,
    opts: { requestId: string; inTransaction?: (em: EntityManager, row: ImageEntity) => Promise<void> },
  ): Promise<ImageEntity> {
    const row = await this.ds.transaction(async (em) => {
      const saved = await this.insertPendingIn(em, fields, opts.requestId);
      await opts.inTransaction?.(em, saved);
      return saved;
    });
    this.outbox.announce();
    return row;
  }

  /**
   * Several rows with ids chosen by the caller, and their render requests, in a few statements of
   * the caller's transaction (a collection's children); the caller announces after its commit.
   */
  async insertPendingManyIn(em: EntityManager, rows: (NewImage & { id: string })[], requestId: string): Promise<void> {
    if (rows.length === 0) return;
    const repo = em.getRepository(ImageEntity);
    await repo.save(
      rows.map((r) => repo.create({ ...r, status: 'pending' })),
      { reload: false },
    );
    await this.outbox.appendMany(
      em,
      OutboxTopic.RenderRequested,
      rows.map((r) => ({ aggregateId: r.id, payload: { imageId: r.id, orgId: r.orgId, jobId: r.id, requestId } })),
    );
  }

  /** Wakes this process's outbox relay after a caller's own transaction committed rows made with insertPendingIn(Many). */
  announce(): void {
    this.outbox.announce();
  }

  /**
   * The row and its render request in the caller's transaction (event rules commit their run
   * records with it). The caller calls announce() after the commit.
   */
  async insertPendingIn(em: EntityManager, fields: NewImage, requestId: string): Promise<ImageEntity> {
    const repo = em.getRepository(ImageEntity);
    const saved = await repo.save(repo.create({ ...fields, status: 'pending' }));
    await this.outbox.append(em, OutboxTopic.RenderRequested, saved.id, {
      imageId: saved.id,
      orgId: saved.orgId,
      jobId: saved.id,
      requestId,
    });
    return saved;
  }

  /**
   * A status change that is an event (OutboxRepository.updateWithEvent), with the collection
   * counter of a collection's child in the same transaction.
   */
  private transition(event: EventType.ImageCompleted | EventType.ImageFailed, sql: string, params: unknown[], requestId?: string): Promise<boolean> {
    type Changed = EventRow & { collection_id: string | null; status: 'completed' | 'failed' };
    return this.outbox.updateWithEvent<Changed>(sql, params, { type: event, kind: ResourceKind.Image, requestId }, async (em, r) => {
      if (r.collection_id === null) return;
      // Never silently miscount: a process that finishes collection children must have the counter.
      if (!this.finishHook) throw new Error(`image ${r.id} of collection ${r.collection_id} finished in a process without the collections counter`);
      await this.finishHook(em, { id: r.id, orgId: r.org_id, collectionId: r.collection_id, status: r.status });
    });
  }

  findById(id: string): Promise<ImageEntity | null> {
    return this.repo.findOneBy({ id });
  }

  /** Another org's image, or one of the other key mode, is indistinguishable from a missing one. One query, no hydration. */
  async findOwned(id: string, orgId: string, isTest: boolean): Promise<ImageView | null> {
    const rows = await this.read('images_find_owned', `SELECT ${VIEW_COLUMNS} FROM images WHERE id = $1 AND org_id = $2 AND is_test = $3`, [id, orgId, isTest]);
    return rows[0] ?? null;
  }

  /**
   * A hot read straight through the pg pool TypeORM holds (same connections and settings),
   * as a named prepared statement: no QueryRunner per query, and PostgreSQL parses and plans the
   * statement once per connection instead of on every read. `name` must stand for one text.
   */
  private async read(name: string, text: string, values: unknown[]): Promise<ImageView[]> {
    const pool = (this.ds.driver as unknown as { master: Pool }).master;
    return (await pool.query<ImageView>({ name, text, values })).rows;
  }

  /** Pending renders of an org, counted up to `upTo` (the cap) so a huge backlog costs no more than the cap (idx_images_org_pending). */
  countPending(orgId: string, upTo: number): Promise<number> {
    return countPendingUpTo(this.ds, 'images', orgId, upTo);
  }

  /** One keyset page (limit + 1 rows, see toPage), newest first, over idx_images_org_created. One query, no hydration. */
  list(orgId: string, isTest: boolean, f: ImageFilters): Promise<ImageView[]> {
    const params: unknown[] = [orgId, isTest];
    const where = ['org_id = $1', 'is_test = $2'];
    // The statement's name says which filters it has, a letter each: at most 2^6 texts, each
    // prepared once per connection; short, as PostgreSQL cuts names at 63 bytes.
    let name = 'images_list_';
    const add = (letter: string, column: string, op: string, value: unknown): void => {
      params.push(value);
      where.push(`${column} ${op} $${params.length}`);
      name += letter;
    };
    if (f.status) add('s', 'status', '=', f.status);
    if (f.templateId) add('t', 'template_id', '=', f.templateId);
    if (f.collectionId) add('c', 'collection_id', '=', f.collectionId);
    if (f.createdAfter) add('a', 'created_at', '>', f.createdAfter);
    if (f.createdBefore) add('b', 'created_at', '<', f.createdBefore);
    if (f.cursor) {
      params.push(f.cursor.createdAt, f.cursor.id);
      const [at, id] = [`$${params.length - 1}`, `$${params.length}`];
      where.push(`(created_at < ${at} OR (created_at = ${at} AND id < ${id}))`);
      name += 'k';
    }
    params.push(f.limit + 1);
    return this.read(name, `SELECT ${VIEW_COLUMNS} FROM images WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT $${params.length}`, params);
  }

  /**
   * pending -> rendering, a new execution with the next attempt number and a lease, or the same
   * for a rendering row whose lease lapsed (its execution was lost). Returns the attempt the
   * caller now holds, or null when the image is missing, finished, or held by a live execution
   * (a duplicate delivery of the job: it must do nothing). The lease is renewed from here on
   * until complete/fail/release or forget().
   */
  async claim(id: string): Promise<number | null> {
    const res = (await this.ds.query(
      `UPDATE images SET status = 'rendering', started_at = now(), updated_at = now(), attempts = attempts + 1,
         lease_until = now() + ($2 || ' milliseconds')::interval
       WHERE id = $1 AND (status = 'pending' OR (status = 'rendering' AND (lease_until IS NULL OR lease_until < now())))
       RETURNING attempts`,
      [id, this.leaseMs],
    )) as [{ attempts: number }[], number];
    if (res[1] === 0) return null;
    const attempt = res[0][0].attempts;
    this.hold(id, attempt);
    execution.getStore()?.push([id, attempt]);
    return attempt;
  }

  /**
   * Runs one job execution; whatever claim it made stops being renewed when it ends, even if it
   * threw before finishing the row (then the lease lapses and the reconciler re-drives it).
   */
  async execute<T>(fn: () => Promise<T>): Promise<T> {
    const claims: [string, number][] = [];
    try {
      return await execution.run(claims, fn);
    } finally {
      for (const [id, attempt] of claims) this.forget(id, attempt);
    }
  }

  /** rendering -> completed, only for the execution holding `attempt`. */
  async complete(id: string, attempt: number, r: RenderResult, requestId?: string): Promise<boolean> {
    this.forget(id, attempt);
    return this.transition(
      EventType.ImageCompleted,
      `UPDATE images SET status = 'completed', result_key = $3, thumbnail_key = $4, image_metadata = $5,
         completed_at = now(), updated_at = now(), duration_ms = $6, error = NULL, lease_until = NULL
       WHERE id = $1 AND status = 'rendering' AND attempts = $2 ${RETURNING_EVENT}`,
      [id, attempt, r.resultKey, r.thumbnailKey, JSON.stringify(r.imageMetadata), r.durationMs],
      requestId,
    );
  }

  /** rendering -> failed, only for the execution holding `attempt`. */
  async fail(id: string, attempt: number, error: ImageError, durationMs: number | null, requestId?: string): Promise<boolean> {
    this.forget(id, attempt);
    return this.transition(
      EventType.ImageFailed,
      `UPDATE images SET status = 'failed', error = $3, completed_at = now(), updated_at = now(), duration_ms = $4, lease_until = NULL
       WHERE id = $1 AND status = 'rendering' AND attempts = $2 ${RETURNING_EVENT}`,
      [id, attempt, JSON.stringify(error), durationMs],
      requestId,
    );
  }

  /** rendering -> pending after a transient error, so the next job attempt's claim counts anew. */
  async release(id: string, attempt: number): Promise<boolean> {
    this.forget(id, attempt);
    return won(
      await this.ds.query(`UPDATE images SET status = 'pending', updated_at = now(), lease_until = NULL WHERE id = $1 AND status = 'rendering' AND attempts = $2`, [
        id,
        attempt,
      ]),
    );
  }

  /**
   * Rows the reconciler must look at, oldest first: rendering rows whose lease lapsed (rows from
   * before leases: untouched for `olderThanMs`), and pending rows untouched for `olderThanMs`.
   */
  async findStale(olderThanMs: number, limit: number): Promise<StaleImage[]> {
    const rows = (await this.ds.query(
      `SELECT id, org_id, status, attempts FROM images
       WHERE ((status = 'rendering' AND lease_until < now())
          OR (status IN ('pending', 'rendering') AND lease_until IS NULL
              AND COALESCE(updated_at, created_at) < now() - ($1 || ' milliseconds')::interval))
         -- Only renders requested on this process's QUEUE_PREFIX: installs (or test runs) sharing
         -- a database never re-drive each other's renders into their own queues.
         AND EXISTS (SELECT 1 FROM outbox o WHERE o.aggregate_id = images.id AND o.topic = 'render.requested' AND o.queue_prefix = $3)
       ORDER BY created_at LIMIT $2`,
      [String(olderThanMs), limit, this.config.queuePrefix],
    )) as { id: string; org_id: string; status: 'pending' | 'rendering'; attempts: number }[];
    return rows.map((r) => ({ id: r.id, orgId: r.org_id, status: r.status, attempts: r.attempts }));
  }

  /** Its job is still queued or running: only push the row out of the sweeper's window. */
  async postponeSweep(seen: StaleImage): Promise<boolean> {
    return won(
      await this.ds.query(`UPDATE images SET updated_at = now() WHERE id = $1 AND status = $2 AND attempts = $3 AND ${LEASE_LAPSED}`, [
        seen.id,
        seen.status,
        seen.attempts,
      ]),
    );
  }

  /**
   * Its job is gone (or its execution's lease lapsed): back to pending with a new render request
   * in the outbox, in one transaction. The next claim counts a new attempt, so a late finish of
   * the lost execution loses its CAS.
   */
  async markForRequeue(seen: StaleImage): Promise<boolean> {
    const changed = await this.ds.transaction(async (em) => {
      const res = await em.query(
        `UPDATE images SET status = 'pending', updated_at = now(), lease_until = NULL
         WHERE id = $1 AND status = $2 AND attempts = $3 AND ${LEASE_LAPSED}`,
        [seen.id, seen.status, seen.attempts],
      );
      if (!won(res)) return false;
      // A job id of its own: the lost job's id may still be held by a dead worker's active job.
      const recordId = randomUUID();
      await this.outbox.append(em, OutboxTopic.RenderRequested, seen.id, {
        imageId: seen.id,
        orgId: seen.orgId,
        jobId: `${seen.id}:${recordId}`,
        // The request that queued the render is long gone; the record's id ties this re-run's lines together.
        requestId: `redrive:${recordId}`,
      }, recordId);
      return true;
    });
    if (changed) this.outbox.announce();
    return changed;
  }

  /** pending/rendering -> failed as render_lost, if the row is still as the sweeper saw it. */
  async failLost(seen: StaleImage, error: ImageError): Promise<boolean> {
    return this.transition(
      EventType.ImageFailed,
      `UPDATE images SET status = 'failed', error = $4, completed_at = now(), updated_at = now(), duration_ms = NULL
       WHERE id = $1 AND status = $2 AND attempts = $3 AND ${LEASE_LAPSED} ${RETURNING_EVENT}`,
      [seen.id, seen.status, seen.attempts, JSON.stringify(error)],
    );
  }
}
