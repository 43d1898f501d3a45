import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { loadConfig } from '../src/config/config.js';
import { typeormOptions } from '../src/database/typeorm-options.js';
import { ENTITIES } from '../src/entities.js';
import { ApiError } from '../src/http/api-error.js';
import { IdempotencyService } from '../src/idempotency/idempotency.service.js';
import { ensureMigrated } from './support/db.js';
import { sleep } from './support/image-server.js';

let ds: DataSource;
let svc: IdempotencyService;
const LEASE_MS = 300;
beforeAll(async () => {
  await ensureMigrated();
  ds = new DataSource(typeormOptions(process.env.DATABASE_URL as string, ENTITIES));
  await ds.initialize();
  svc = new IdempotencyService(ds, loadConfig({ ...process.env, IDEMPOTENCY_LEASE_MS: String(LEASE_MS) }));
});
afterAll(async () => {
  await ds.destroy();
});

const req = { method: 'POST', path: '/v1/images', body: { a: 1 } };
const live = () => ({ orgId: randomUUID(), mode: 'live' as const });
const code = async (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => 'resolved',
    (e: unknown) => (e instanceof ApiError ? [e.getStatus(), (e.getResponse() as { detail: { code: string } }).detail.code] : e),
  );

describe('IdempotencyService', () => {
  it('replays the first answer; another body is a conflict', async () => {
    const scope = live();
    let runs = 0;
    const handler = async () => ({ status: 202, body: { n: ++runs } });
    expect(await svc.run(scope, 'k', req, handler)).toEqual({ status: 202, body: { n: 1 }, replayed: false });
    expect(await svc.run(scope, 'k', req, handler)).toEqual({ status: 202, body: { n: 1 }, replayed: true });
    expect(await code(svc.run(scope, 'k', { ...req, body: { a: 2 } }, handler))).toEqual([409, 'idempotency_conflict']);
    expect(runs).toBe(1);
  });

  it('scopes keys by organisation and key mode', async () => {
    const orgId = randomUUID();
    let runs = 0;
    const handler = async () => ({ status: 202, body: { n: ++runs } });
    await svc.run({ orgId, mode: 'live' }, 'k', req, handler);
    expect((await svc.run({ orgId, mode: 'test' }, 'k', req, handler)).body).toEqual({ n: 2 });
    expect((await svc.run({ orgId: randomUUID(), mode: 'live' }, 'k', req, handler)).body).toEqual({ n: 3 });
    expect((await svc.run({ orgId, mode: 'test' }, 'k', req, handler)).replayed).toBe(true);
  });

  it('answers 409 while the lease is held, and lets a retry take over once it lapses', async () => {
    const scope = live();
    // A request that hangs (or whose process died) while holding the key.
    void svc.run(scope, 'k', req, () => new Promise<never>(() => undefined));
    await sleep(50);
    expect(await code(svc.run(scope, 'k', req, async () => ({ status: 202, body: { n: 2 } })))).toEqual([409, 'idempotency_in_progress']);
    await sleep(LEASE_MS + 100);
    expect(await svc.run(scope, 'k', req, async () => ({ status: 202, body: { n: 3 } }))).toEqual({ status: 202, body: { n: 3 }, replayed: false });
  });

  it('a holder whose lease was taken over cannot record: its transaction rolls back', async () => {
    const scope = live();
    const marker = randomUUID();
    let proceed: () => void = () => undefined;
    const gate = new Promise<void>((r) => (proceed = r));
    const slow = svc.run(scope, 'k', req, async (record) => {
      await gate;
      await ds.transaction(async (em) => {
        await em.query(`INSERT INTO outbox (id, queue_prefix, topic, aggregate_id, payload) VALUES ($1, 'idem-test', 'x', $1, '{}')`, [marker]);
        await record(em, { status: 202, body: { who: 'slow' } });
      });
      return { status: 202, body: { who: 'slow' } };
    });
    await sleep(LEASE_MS + 100);
    expect((await svc.run(scope, 'k', req, async () => ({ status: 202, body: { who: 'fast' } }))).body).toEqual({ who: 'fast' });
    proceed();
    // The slow one gets the committed answer of the request that won, and its effect is gone.
    expect(await slow).toEqual({ status: 202, body: { who: 'fast' }, replayed: true });
    expect(await ds.query(`SELECT id FROM outbox WHERE id = $1`, [marker])).toEqual([]);
  });

  it('an error after the answer was committed returns the committed answer and keeps the key', async () => {
    const scope = live();
    const res = await svc.run(scope, 'k', req, async (record) => {
      await ds.transaction((em) => record(em, { status: 202, body: { id: 'committed' } }));
      throw new Error('connection lost after commit');
    });
    expect(res).toEqual({ status: 202, body: { id: 'committed' }, replayed: false });
    expect(await svc.run(scope, 'k', req, async () => ({ status: 202, body: { id: 'again' } }))).toEqual({
      status: 202,
      body: { id: 'committed' },
      replayed: true,
    });
  });

  it('an error before anything was committed forgets the key, so a fixed request may run', async () => {
    const scope = live();
    await expect(svc.run(scope, 'k', req, async () => Promise.reject(new ApiError(400, 'bad')))).rejects.toThrow();
    expect((await svc.run(scope, 'k', req, async () => ({ status: 202, body: { ok: true } }))).replayed).toBe(false);
  });
});
