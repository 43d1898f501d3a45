import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ApiError } from '../http/api-error.js';
import { IDEMPOTENCY_TTL_MS, requestHash } from './idempotency.js';

export interface StoredResponse<T> {
  status: number;
  body: T;
  replayed: boolean;
}

/**
 * Stripe-style Idempotency-Key handling, scoped per org and kept 24 h: the first request with a key
 * runs and its response is stored; the same key and request replays it; a different request is a
 * 409, and so is a retry that arrives while the first is still running.
 */
@Injectable()
export class IdempotencyService {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async run<T>(
    orgId: string,
    key: string | undefined,
    request: { method: string; path: string; body: unknown },
    handler: () => Promise<{ status: number; body: T }>,
  ): Promise<StoredResponse<T>> {
    if (key === undefined) return { ...(await handler()), replayed: false };
    const hash = requestHash(request.method, request.path, request.body);
    // Expired keys are free for reuse.
    await this.ds.query(`DELETE FROM idempotency_keys WHERE org_id = $1 AND key = $2 AND created_at < now() - ($3 || ' milliseconds')::interval`, [
      orgId,
      key,
      String(IDEMPOTENCY_TTL_MS),
    ]);
    const inserted = (await this.ds.query(
      `INSERT INTO idempotency_keys (org_id, key, request_hash) VALUES ($1, $2, $3) ON CONFLICT (org_id, key) DO NOTHING RETURNING id`,
      [orgId, key, hash],
    )) as { id: string }[];
    if (inserted.length === 0) {
      const [existing] = (await this.ds.query(
        `SELECT request_hash, response_status, response_body FROM idempotency_keys WHERE org_id = $1 AND key = $2`,
        [orgId, key],
      )) as { request_hash: string; response_status: number | null; response_body: T }[];
      if (!existing) return this.run(orgId, key, request, handler);
      if (existing.request_hash !== hash) {
        throw new ApiError(409, {
          code: 'idempotency_conflict',
          message: 'This Idempotency-Key was already used with a different request body',
        });
      }
      if (existing.response_status === null) {
        throw new ApiError(409, { code: 'idempotency_in_progress', message: 'A request with this Idempotency-Key is still being processed' });
      }
      return { status: existing.response_status, body: existing.response_body, replayed: true };
    }
    const id = inserted[0].id;
    try {
      const res = await handler();
      await this.ds.query(`UPDATE idempotency_keys SET response_status = $2, response_body = $3 WHERE id = $1`, [id, res.status, JSON.stringify(res.body)]);
      return { ...res, replayed: false };
    } catch (err) {
      // Validation and other errors are not remembered: the client may fix the request and retry.
      await this.ds.query(`DELETE FROM idempotency_keys WHERE id = $1`, [id]);
      throw err;
    }
  }
}
