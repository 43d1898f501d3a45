import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { ApiError } from '../http/api-error.js';
import { IDEMPOTENCY_TTL_MS, requestHash } from './idempotency.js';

export interface StoredResponse<T> {
  status: number;
  body: T;
  replayed: boolean;
}

/** Keys are per organisation and per key mode: a test key never replays (or blocks) a live one. */
export interface IdempotencyScope {
  orgId: string;
  mode: 'live' | 'test';
}

/**
 * Handed to the handler: records the response inside the handler's own transaction, so the
 * effect (the image row) and the remembered answer commit together. Throws when this request's
 * lease was taken over meanwhile, which rolls the handler's transaction back.
 */
export type RecordResponse<T> = (em: EntityManager, res: { status: number; body: T }) => Promise<void>;

const inProgress = (): ApiError =>
  new ApiError(409, { code: 'idempotency_in_progress', message: 'A request with this Idempotency-Key is still being processed' });

/** Rounds of the insert / take-over race before giving up with 409 (each round another request won). */
const MAX_ROUNDS = 3;

/**
 * Stripe-style Idempotency-Key handling, kept 24 h: the first request with a key runs and its
 * response is stored; the same key and request replays it; a different request is a 409, and so
 * is a retry while the first still holds its lease. The lease (IDEMPOTENCY_LEASE_MS) expires, so
 * a request that died mid-way never wedges its key: the next retry takes the lease over.
 */
@Injectable()
export class IdempotencyService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async run<T>(
    scope: IdempotencyScope,
    key: string | undefined,
    request: { method: string; path: string; body: unknown },
    handler: (record: RecordResponse<T>) => Promise<{ status: number; body: T }>,
  ): Promise<StoredResponse<T>> {
    if (key === undefined) return { ...(await handler(async () => undefined)), replayed: false };
    const hash = requestHash(request.method, request.path, request.body);
    const { orgId, mode } = scope;
    const lease = String(this.config.idempotencyLeaseMs);
    // Expired keys are free for reuse.
    await this.ds.query(
      `DELETE FROM idempotency_keys WHERE org_id = $1 AND mode = $2 AND key = $3 AND created_at < now() - ($4 || ' milliseconds')::interval`,
      [orgId, mode, key, String(IDEMPOTENCY_TTL_MS)],
    );
    const token = randomUUID();
    let id: string | undefined;
    for (let round = 0; id === undefined; round++) {
      if (round === MAX_ROUNDS) throw inProgress();
      const inserted = (await this.ds.query(
        `INSERT INTO idempotency_keys (org_id, mode, key, request_hash, lease_token, locked_until)
         VALUES ($1, $2, $3, $4, $5, now() + ($6 || ' milliseconds')::interval)
         ON CONFLICT (org_id, mode, key) DO NOTHING RETURNING id`,
        [orgId, mode, key, hash, token, lease],
      )) as { id: string }[];
      if (inserted.length) {
        id = inserted[0].id;
        break;
      }
      const [existing] = (await this.ds.query(
        `SELECT id, request_hash, response_status, response_body, locked_until <= now() AS lapsed FROM idempotency_keys
         WHERE org_id = $1 AND mode = $2 AND key = $3`,
        [orgId, mode, key],
      )) as { id: string; request_hash: string; response_status: number | null; response_body: T; lapsed: boolean | null }[];
      if (!existing) continue; // deleted between our insert and read: try again
      if (existing.request_hash !== hash) {
        throw new ApiError(409, { code: 'idempotency_conflict', message: 'This Idempotency-Key was already used with a different request body' });
      }
      if (existing.response_status !== null) return { status: existing.response_status, body: existing.response_body, replayed: true };
      if (existing.lapsed === false) throw inProgress();
      // The holder's lease lapsed (it crashed or hung): take it over; a concurrent taker loses the CAS.
      const taken = (await this.ds.query(
        `UPDATE idempotency_keys SET lease_token = $2, locked_until = now() + ($3 || ' milliseconds')::interval
         WHERE id = $1 AND response_status IS NULL AND (locked_until IS NULL OR locked_until <= now()) RETURNING id`,
        [existing.id, token, lease],
      )) as [{ id: string }[], number];
      if (taken[1] > 0) id = existing.id;
    }

    const rowId = id;
    let recorded = false;
    const record: RecordResponse<T> = async (em, res) => {
      const upd = (await em.query(
        `UPDATE idempotency_keys SET response_status = $3, response_body = $4, locked_until = NULL
         WHERE id = $1 AND lease_token = $2 AND response_status IS NULL`,
        [rowId, token, res.status, JSON.stringify(res.body)],
      )) as [unknown[], number];
      if (upd[1] === 0) throw inProgress();
      recorded = true;
    };
    try {
      const res = await handler(record);
      if (!recorded) await record(this.ds.manager, res);
      return { ...res, replayed: false };
    } catch (err) {
      // An answer was committed before the error (ours, or that of a request that took our lapsed
      // lease over): that answer is the key's; give it rather than forget the key.
      const committed = await this.committed<T>(rowId).catch(() => null);
      if (committed) return { status: committed.status, body: committed.body, replayed: committed.token !== token };
      // Not committed: validation and other errors are not remembered, so the client may fix the
      // request and retry. Should this fail too (database down), the lease lapses on its own.
      await this.ds
        .query(`DELETE FROM idempotency_keys WHERE id = $1 AND lease_token = $2 AND response_status IS NULL`, [rowId, token])
        .catch(() => undefined);
      throw err;
    }
  }

  private async committed<T>(id: string): Promise<{ status: number; body: T; token: string | null } | null> {
    const [row] = (await this.ds.query(
      `SELECT response_status, response_body, lease_token FROM idempotency_keys WHERE id = $1 AND response_status IS NOT NULL`,
      [id],
    )) as { response_status: number; response_body: T; lease_token: string | null }[];
    return row ? { status: row.response_status, body: row.response_body, token: row.lease_token } : null;
  }
}
