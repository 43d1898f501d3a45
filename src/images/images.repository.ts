import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
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
 * `attempts` counts render executions: a claim from pending starts a new one; the sweeper mints one
 * for a lost rendering row it re-enqueues. A claim of a row already rendering adopts the current
 * number (a re-delivery of the same execution), so it is not counted twice.
 */
@Injectable()
export class ImagesRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  private get repo() {
    return this.ds.getRepository(ImageEntity);
  }

  async insertPending(fields: NewImage): Promise<ImageEntity> {
    return this.repo.save(this.repo.create({ ...fields, status: 'pending' }));
  }

  findById(id: string): Promise<ImageEntity | null> {
    return this.repo.findOneBy({ id });
  }

  /** Another org's image, or one of the other key mode, is indistinguishable from a missing one. One query, no hydration. */
  async findOwned(id: string, orgId: string, isTest: boolean): Promise<ImageView | null> {
    const rows = (await this.ds.query(`SELECT ${VIEW_COLUMNS} FROM images WHERE id = $1 AND org_id = $2 AND is_test = $3`, [id, orgId, isTest])) as ImageView[];
    return rows[0] ?? null;
  }

  /** Pending renders of an org, counted up to `upTo` (the cap) so a huge backlog costs no more than the cap (idx_images_org_pending). */
  async countPending(orgId: string, upTo: number): Promise<number> {
    const rows = (await this.ds.query(
      `SELECT count(*)::int AS n FROM (SELECT 1 FROM images WHERE org_id = $1 AND status = 'pending' LIMIT $2) AS p`,
      [orgId, upTo],
    )) as { n: number }[];
    return rows[0].n;
  }

  /** One keyset page (limit + 1 rows, see toPage), newest first, over idx_images_org_created. One query, no hydration. */
  list(orgId: string, isTest: boolean, f: ImageFilters): Promise<ImageView[]> {
    const params: unknown[] = [orgId, isTest];
    const where = ['org_id = $1', 'is_test = $2'];
    const add = (sql: (n: string) => string, value: unknown): void => {
      params.push(value);
      where.push(sql(`$${params.length}`));
    };
    if (f.status) add((n) => `status = ${n}`, f.status);
    if (f.templateId) add((n) => `template_id = ${n}`, f.templateId);
    if (f.collectionId) add((n) => `collection_id = ${n}`, f.collectionId);
    if (f.createdAfter) add((n) => `created_at > ${n}`, f.createdAfter);
    if (f.createdBefore) add((n) => `created_at < ${n}`, f.createdBefore);
    if (f.cursor) {
      params.push(f.cursor.createdAt, f.cursor.id);
      const [at, id] = [`$${params.length - 1}`, `$${params.length}`];
      where.push(`(created_at < ${at} OR (created_at = ${at} AND id < ${id}))`);
    }
    params.push(f.limit + 1);
    return this.ds.query(
      `SELECT ${VIEW_COLUMNS} FROM images WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
      params,
    ) as Promise<ImageView[]>;
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
    return won(
      await this.ds.query(
        `UPDATE images SET status = 'completed', result_key = $3, thumbnail_key = $4, image_metadata = $5,
           completed_at = now(), updated_at = now(), duration_ms = $6, error = NULL
         WHERE id = $1 AND status = 'rendering' AND attempts = $2`,
        [id, attempt, r.resultKey, r.thumbnailKey, JSON.stringify(r.imageMetadata), r.durationMs],
      ),
    );
  }

  /** rendering -> failed, only for the execution holding `attempt`. */
  async fail(id: string, attempt: number, error: ImageError, durationMs: number | null): Promise<boolean> {
    return won(
      await this.ds.query(
        `UPDATE images SET status = 'failed', error = $3, completed_at = now(), updated_at = now(), duration_ms = $4
         WHERE id = $1 AND status = 'rendering' AND attempts = $2`,
        [id, attempt, JSON.stringify(error), durationMs],
      ),
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
    return won(
      await this.ds.query(
        `UPDATE images SET updated_at = now(), attempts = CASE WHEN status = 'rendering' THEN attempts + 1 ELSE attempts END
         WHERE id = $1 AND status = $2 AND attempts = $3`,
        [seen.id, seen.status, seen.attempts],
      ),
    );
  }

  /** pending/rendering -> failed as render_lost, if the row is still as the sweeper saw it. */
  async failLost(seen: StaleImage, error: ImageError): Promise<boolean> {
    return won(
      await this.ds.query(
        `UPDATE images SET status = 'failed', error = $4, completed_at = now(), updated_at = now(), duration_ms = NULL
         WHERE id = $1 AND status = $2 AND attempts = $3`,
        [seen.id, seen.status, seen.attempts, JSON.stringify(error)],
      ),
    );
  }
}
