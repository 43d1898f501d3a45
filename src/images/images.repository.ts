import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { OutboxRepository } from '../queue/outbox.repository.js';
import { OutboxTopic, type ImageEventTopic } from '../queue/outbox.types.js';
import { fetchKeysetRows } from '../common/pagination/keyset.js';
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
>;

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

/** What transition() needs of the changed row to write its event. */
const RETURNING_EVENT = 'RETURNING id, org_id, webhook_url';

/** TypeORM's postgres driver answers an UPDATE with [rows, affected]. */
const won = (res: unknown): boolean => (res as [unknown[], number])[1] > 0;

/**
 * The one owner of the images table. Every status change is a compare-and-set on the status and
 * on the attempt number the caller holds, so a duplicate or superseded execution of a render job
 * (Bull re-delivering a stalled job, a zombie worker, the sweeper) loses instead of overwriting.
 *
 * `attempts` counts render executions: a claim from pending starts a new one; the sweeper mints one
 * for a lost rendering row it re-enqueues. A claim of a row already rendering adopts the current
 * number (a re-delivery of the same execution), so it is not counted twice.
 */
@Injectable()
export class ImagesRepository {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly outbox: OutboxRepository,
  ) {}

  private get repo() {
    return this.ds.getRepository(ImageEntity);
  }

  /**
   * The row and its render request commit together (the outbox relay enqueues the job), so a
   * crash or Redis outage after the commit only delays the render. `inTransaction` lets the
   * caller commit its own record of the outcome (the idempotent response) in the same transaction.
   */
  async insertPending(fields: NewImage, inTransaction?: (em: EntityManager, row: ImageEntity) => Promise<void>): Promise<ImageEntity> {
    const row = await this.ds.transaction(async (em) => {
      const repo = em.getRepository(ImageEntity);
      const saved = await repo.save(repo.create({ ...fields, status: 'pending' }));
      await this.outbox.append(em, OutboxTopic.RenderRequested, saved.id, { imageId: saved.id, orgId: saved.orgId, jobId: saved.id });
      await inTransaction?.(em, saved);
      return saved;
    });
    this.outbox.announce();
    return row;
  }

  /**
   * A status change that is an event: the CAS update (RETURNING the row's id, org and webhook
   * URL) and the event's outbox record commit together, so the event fires exactly when the
   * change wins and never without it.
   */
  private async transition(event: ImageEventTopic, sql: string, params: unknown[]): Promise<boolean> {
    const changed = await this.ds.transaction(async (em) => {
      const res = (await em.query(sql, params)) as [{ id: string; org_id: string; webhook_url: string | null }[], number];
      if (res[1] === 0) return false;
      const r = res[0][0];
      await this.outbox.append(em, event, r.id, { imageId: r.id, orgId: r.org_id, destinations: r.webhook_url ? [r.webhook_url] : [] });
      return true;
    });
    if (changed) this.outbox.announce();
    return changed;
  }

  findById(id: string): Promise<ImageEntity | null> {
    return this.repo.findOneBy({ id });
  }

  /** Another org's image, or one of the other key mode, is indistinguishable from a missing one. */
  findOwned(id: string, orgId: string, isTest: boolean): Promise<ImageEntity | null> {
    return this.repo.findOneBy({ id, orgId, isTest });
  }

  /** One keyset page (limit + 1 rows, see toPage), newest first. */
  list(orgId: string, isTest: boolean, f: ImageFilters): Promise<ImageEntity[]> {
    const qb = this.repo
      .createQueryBuilder('i')
      .where('i.org_id = :orgId', { orgId })
      .andWhere('i.is_test = :isTest', { isTest });
    if (f.status) qb.andWhere('i.status = :status', { status: f.status });
    if (f.templateId) qb.andWhere('i.template_id = :templateId', { templateId: f.templateId });
    if (f.collectionId) qb.andWhere('i.collection_id = :collectionId', { collectionId: f.collectionId });
    if (f.createdAfter) qb.andWhere('i.created_at > :after', { after: f.createdAfter });
    if (f.createdBefore) qb.andWhere('i.created_at < :before', { before: f.createdBefore });
    return fetchKeysetRows(qb, 'i', f.limit, f.cursor);
  }

  /**
   * pending -> rendering (a new execution, counted) or rendering -> rendering (the same execution
   * re-delivered after its worker died, adopted). Returns the attempt number the caller now holds,
   * or null when the image is missing or already finished.
   */
  async claim(id: string): Promise<number | null> {
    // SET expressions see the row before the update, so the CASE tests the old status.
    const res = (await this.ds.query(
      `UPDATE images SET status = 'rendering', started_at = now(), updated_at = now(),
         attempts = CASE WHEN status = 'pending' THEN attempts + 1 ELSE attempts END
       WHERE id = $1 AND status IN ('pending', 'rendering') RETURNING attempts`,
      [id],
    )) as [{ attempts: number }[], number];
    return res[1] > 0 ? res[0][0].attempts : null;
  }

  /** rendering -> completed, only for the execution holding `attempt`. */
  async complete(id: string, attempt: number, r: RenderResult): Promise<boolean> {
    return this.transition(
      OutboxTopic.ImageCompleted,
      `UPDATE images SET status = 'completed', result_key = $3, thumbnail_key = $4, image_metadata = $5,
         completed_at = now(), updated_at = now(), duration_ms = $6, error = NULL
       WHERE id = $1 AND status = 'rendering' AND attempts = $2 ${RETURNING_EVENT}`,
      [id, attempt, r.resultKey, r.thumbnailKey, JSON.stringify(r.imageMetadata), r.durationMs],
    );
  }

  /** rendering -> failed, only for the execution holding `attempt`. */
  async fail(id: string, attempt: number, error: ImageError, durationMs: number | null): Promise<boolean> {
    return this.transition(
      OutboxTopic.ImageFailed,
      `UPDATE images SET status = 'failed', error = $3, completed_at = now(), updated_at = now(), duration_ms = $4
       WHERE id = $1 AND status = 'rendering' AND attempts = $2 ${RETURNING_EVENT}`,
      [id, attempt, JSON.stringify(error), durationMs],
    );
  }

  /** rendering -> pending after a transient error, so the next job attempt's claim counts anew. */
  async release(id: string, attempt: number): Promise<boolean> {
    return won(
      await this.ds.query(`UPDATE images SET status = 'pending', updated_at = now() WHERE id = $1 AND status = 'rendering' AND attempts = $2`, [
        id,
        attempt,
      ]),
    );
  }

  /** Pending or rendering rows untouched for longer than `olderThanMs`, oldest first. */
  async findStale(olderThanMs: number, limit: number): Promise<StaleImage[]> {
    const rows = (await this.ds.query(
      `SELECT id, org_id, status, attempts FROM images
       WHERE status IN ('pending', 'rendering') AND COALESCE(updated_at, created_at) < now() - ($1 || ' milliseconds')::interval
       ORDER BY created_at LIMIT $2`,
      [String(olderThanMs), limit],
    )) as { id: string; org_id: string; status: 'pending' | 'rendering'; attempts: number }[];
    return rows.map((r) => ({ id: r.id, orgId: r.org_id, status: r.status, attempts: r.attempts }));
  }

  /** Its job is still queued or running: only push the row out of the sweeper's window. */
  async postponeSweep(seen: StaleImage): Promise<boolean> {
    return won(
      await this.ds.query(`UPDATE images SET updated_at = now() WHERE id = $1 AND status = $2 AND attempts = $3`, [seen.id, seen.status, seen.attempts]),
    );
  }

  /**
   * Its job is gone: the row is about to be re-enqueued. A rendering row's execution is presumed
   * lost, so the re-enqueued job gets a fresh attempt number and a late finish of the lost one loses.
   */
  async markForRequeue(seen: StaleImage): Promise<boolean> {
    const changed = await this.ds.transaction(async (em) => {
      const res = await em.query(
        `UPDATE images SET updated_at = now(), attempts = CASE WHEN status = 'rendering' THEN attempts + 1 ELSE attempts END
         WHERE id = $1 AND status = $2 AND attempts = $3`,
        [seen.id, seen.status, seen.attempts],
      );
      if (!won(res)) return false;
      // A job id of its own: the lost job's id may still be held by a dead worker's active job.
      const recordId = randomUUID();
      await this.outbox.append(em, OutboxTopic.RenderRequested, seen.id, { imageId: seen.id, orgId: seen.orgId, jobId: `${seen.id}:${recordId}` }, recordId);
      return true;
    });
    if (changed) this.outbox.announce();
    return changed;
  }

  /** pending/rendering -> failed as render_lost, if the row is still as the sweeper saw it. */
  async failLost(seen: StaleImage, error: ImageError): Promise<boolean> {
    return this.transition(
      OutboxTopic.ImageFailed,
      `UPDATE images SET status = 'failed', error = $4, completed_at = now(), updated_at = now(), duration_ms = NULL
       WHERE id = $1 AND status = $2 AND attempts = $3 ${RETURNING_EVENT}`,
      [seen.id, seen.status, seen.attempts, JSON.stringify(error)],
    );
  }
}
