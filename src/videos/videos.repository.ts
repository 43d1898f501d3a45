import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { fetchKeysetRows } from '../common/pagination/keyset.js';
import type { CursorPosition } from '../common/pagination/cursor.js';
import { countPendingUpTo } from '../database/count-pending.js';
import { OutboxRepository } from '../queue/outbox.repository.js';
import { EventType, OutboxTopic, ResourceKind } from '../queue/outbox.types.js';
import { VideoEntity, type VideoError, type VideoStatus } from './video.entity.js';

/** What the API decides about a new video; status, progress and attempts are the repository's. */
export type NewVideo = Pick<
  VideoEntity,
  | 'orgId'
  | 'templateId'
  | 'templateVersion'
  | 'modifications'
  | 'durationSeconds'
  | 'fps'
  | 'format'
  | 'posterTime'
  | 'isTest'
  | 'apiKeyId'
  | 'webhookUrl'
  | 'metadata'
>;

export interface VideoFilters {
  status?: VideoStatus;
  templateId?: string;
  limit: number;
  cursor?: CursorPosition;
}

export interface VideoResult {
  resultKey: string;
  thumbnailKey: string;
  videoMetadata: Record<string, unknown>;
  durationMs: number;
}

/** A row the reconciler found untouched for too long, with the state it was seen in (the CAS guard). */
export interface StaleVideo {
  id: string;
  orgId: string;
  status: 'pending' | 'rendering';
  attempts: number;
}

/** The reconciler never takes a row from an execution whose lease is still being renewed. */
const LEASE_LAPSED = '(lease_until IS NULL OR lease_until < now())';

/** A claim: the execution holds `attempt`; 'busy' when a live execution holds the row, 'done' when there is nothing to do. */
export type VideoClaim = { attempt: number } | 'busy' | 'done';

const RETURNING_EVENT = 'RETURNING id, org_id, webhook_url';

/** TypeORM's postgres driver answers an UPDATE with [rows, affected]. */
const won = (res: unknown): boolean => (res as [unknown[], number])[1] > 0;

/**
 * The one owner of the videos table. Every status change is a compare-and-set on the status and
 * the attempt the caller holds, so a re-delivered or superseded execution (Bull re-running a
 * stalled job after its worker was killed) loses instead of overwriting. A claim holds a lease
 * its execution renews; a lapsed lease lets the next delivery of the job take the row over.
 */
@Injectable()
export class VideosRepository {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly outbox: OutboxRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private get leaseMs(): string {
    return String(this.config.queue.renderLeaseMs);
  }

  /** The row and its render request commit together (the relay enqueues the job on the videos queue). */
  async insertPending(
    fields: NewVideo,
    opts: { requestId: string; inTransaction?: (em: EntityManager, row: VideoEntity) => Promise<void> },
  ): Promise<VideoEntity> {
    const row = await this.ds.transaction(async (em) => {
      const repo = em.getRepository(VideoEntity);
      const saved = await repo.save(repo.create({ ...fields, status: 'pending', progress: 0, updatedAt: new Date() }));
      await this.outbox.append(em, OutboxTopic.VideoRenderRequested, saved.id, {
        videoId: saved.id,
        orgId: saved.orgId,
        jobId: saved.id,
        requestId: opts.requestId,
      });
      await opts.inTransaction?.(em, saved);
      return saved;
    });
    this.outbox.announce();
    return row;
  }

  /** The organisation's pending videos, counted up to `upTo` (all the cap needs to know). */
  countPending(orgId: string, upTo: number): Promise<number> {
    return countPendingUpTo(this.ds, 'videos', orgId, upTo);
  }

  findById(id: string): Promise<VideoEntity | null> {
    return this.ds.getRepository(VideoEntity).findOneBy({ id });
  }

  /** Another org's video, or one of the other key mode, is indistinguishable from a missing one. */
  findOwned(id: string, orgId: string, isTest: boolean): Promise<VideoEntity | null> {
    return this.ds.getRepository(VideoEntity).findOneBy({ id, orgId, isTest });
  }

  /** One keyset page (limit + 1 rows), newest first, over idx_videos_org_created. */
  list(orgId: string, isTest: boolean, f: VideoFilters): Promise<VideoEntity[]> {
    const qb = this.ds.getRepository(VideoEntity).createQueryBuilder('v').where('v.org_id = :orgId AND v.is_test = :isTest', { orgId, isTest });
    if (f.status) qb.andWhere('v.status = :status', { status: f.status });
    if (f.templateId) qb.andWhere('v.template_id = :templateId', { templateId: f.templateId });
    return fetchKeysetRows(qb, 'v', f.limit, f.cursor);
  }

  /**
   * pending -> rendering with the next attempt and a lease, or the same for a rendering row whose
   * lease lapsed (its execution was lost: a killed worker). Progress starts again from 0.
   */
  async claim(id: string): Promise<VideoClaim> {
    const res = (await this.ds.query(
      `UPDATE videos SET status = 'rendering', started_at = now(), updated_at = now(), attempts = attempts + 1, progress = 0,
         lease_until = now() + ($2 || ' milliseconds')::interval
       WHERE id = $1 AND (status = 'pending' OR (status = 'rendering' AND (lease_until IS NULL OR lease_until < now())))
       RETURNING attempts`,
      [id, this.leaseMs],
    )) as [{ attempts: number }[], number];
    if (res[1] > 0) return { attempt: res[0][0].attempts };
    const row = await this.findById(id);
    return row?.status === 'rendering' ? 'busy' : 'done';
  }

  /** Renews the execution's lease, and records its progress when given. False: the execution was superseded. */
  async heartbeat(id: string, attempt: number, progress?: number): Promise<boolean> {
    return won(
      await this.ds.query(
        `UPDATE videos SET lease_until = now() + ($3 || ' milliseconds')::interval, progress = COALESCE($4::real, progress)
         WHERE id = $1 AND attempts = $2 AND status = 'rendering'`,
        [id, attempt, this.leaseMs, progress === undefined ? null : Math.max(0, Math.min(1, progress))],
      ),
    );
  }

  /** rendering -> completed, only for the execution holding `attempt`. */
  complete(id: string, attempt: number, r: VideoResult, requestId?: string): Promise<boolean> {
    return this.transition(
      EventType.VideoCompleted,
      `UPDATE videos SET status = 'completed', progress = 1, result_key = $3, thumbnail_key = $4, video_metadata = $5,
         completed_at = now(), updated_at = now(), duration_ms = $6, error = NULL, lease_until = NULL
       WHERE id = $1 AND status = 'rendering' AND attempts = $2 ${RETURNING_EVENT}`,
      [id, attempt, r.resultKey, r.thumbnailKey, JSON.stringify(r.videoMetadata), r.durationMs],
      requestId,
    );
  }

  /** rendering -> failed, only for the execution holding `attempt`. */
  fail(id: string, attempt: number, error: VideoError, durationMs: number | null, requestId?: string): Promise<boolean> {
    return this.transition(
      EventType.VideoFailed,
      `UPDATE videos SET status = 'failed', error = $3, completed_at = now(), updated_at = now(), duration_ms = $4, lease_until = NULL
       WHERE id = $1 AND status = 'rendering' AND attempts = $2 ${RETURNING_EVENT}`,
      [id, attempt, JSON.stringify(error), durationMs],
      requestId,
    );
  }

  /** rendering -> pending after a transient error, so the job's next attempt claims anew. */
  async release(id: string, attempt: number): Promise<boolean> {
    return won(
      await this.ds.query(
        `UPDATE videos SET status = 'pending', progress = 0, updated_at = now(), lease_until = NULL WHERE id = $1 AND status = 'rendering' AND attempts = $2`,
        [id, attempt],
      ),
    );
  }

  /**
   * Rows the reconciler must look at, oldest first: rendering rows whose lease lapsed, and pending
   * rows untouched for `olderThanMs`; only videos requested on this process's QUEUE_PREFIX.
   */
  async findStale(olderThanMs: number, limit: number): Promise<StaleVideo[]> {
    const rows = (await this.ds.query(
      `SELECT id, org_id, status, attempts FROM videos
       WHERE ((status = 'rendering' AND ${LEASE_LAPSED})
          OR (status = 'pending' AND COALESCE(updated_at, created_at) < now() - ($1 || ' milliseconds')::interval))
         AND EXISTS (SELECT 1 FROM outbox o WHERE o.aggregate_id = videos.id AND o.topic = $3 AND o.queue_prefix = $4)
       ORDER BY created_at LIMIT $2`,
      [String(olderThanMs), limit, OutboxTopic.VideoRenderRequested, this.config.queuePrefix],
    )) as { id: string; org_id: string; status: 'pending' | 'rendering'; attempts: number }[];
    return rows.map((r) => ({ id: r.id, orgId: r.org_id, status: r.status, attempts: r.attempts }));
  }

  /** Its job is still queued or running: only push the row out of the reconciler's window. */
  async postponeSweep(seen: StaleVideo): Promise<boolean> {
    return won(
      await this.ds.query(`UPDATE videos SET updated_at = now() WHERE id = $1 AND status = $2 AND attempts = $3 AND ${LEASE_LAPSED}`, [seen.id, seen.status, seen.attempts]),
    );
  }

  /** Its job is gone: back to pending with a new render request (a job id of its own) in the outbox, in one transaction. */
  async markForRequeue(seen: StaleVideo): Promise<boolean> {
    const changed = await this.ds.transaction(async (em) => {
      const res = await em.query(
        `UPDATE videos SET status = 'pending', progress = 0, updated_at = now(), lease_until = NULL
         WHERE id = $1 AND status = $2 AND attempts = $3 AND ${LEASE_LAPSED}`,
        [seen.id, seen.status, seen.attempts],
      );
      if (!won(res)) return false;
      const recordId = randomUUID();
      await this.outbox.append(
        em,
        OutboxTopic.VideoRenderRequested,
        seen.id,
        { videoId: seen.id, orgId: seen.orgId, jobId: `${seen.id}:${recordId}`, requestId: `redrive:${recordId}` },
        recordId,
      );
      return true;
    });
    if (changed) this.outbox.announce();
    return changed;
  }

  /** pending/rendering -> failed as video_lost (with video.failed), if the row is still as the reconciler saw it. */
  failLost(seen: StaleVideo, error: VideoError): Promise<boolean> {
    return this.transition(
      EventType.VideoFailed,
      `UPDATE videos SET status = 'failed', error = $4, completed_at = now(), updated_at = now(), duration_ms = NULL, lease_until = NULL
       WHERE id = $1 AND status = $2 AND attempts = $3 AND ${LEASE_LAPSED} ${RETURNING_EVENT}`,
      [seen.id, seen.status, seen.attempts, JSON.stringify(error)],
    );
  }

  /** A status change that is an event (OutboxRepository.updateWithEvent): the event is committed exactly when the CAS wins. */
  private transition(event: EventType.VideoCompleted | EventType.VideoFailed, sql: string, params: unknown[], requestId?: string): Promise<boolean> {
    return this.outbox.updateWithEvent(sql, params, { type: event, kind: ResourceKind.Video, requestId });
  }
}
