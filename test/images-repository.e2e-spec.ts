import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { typeormOptions } from '../src/database/typeorm-options.js';
import { ENTITIES } from '../src/entities.js';
import { ImagesRepository, type RenderResult } from '../src/images/images.repository.js';
import { loadConfig } from '../src/config/config.js';
import { OutboxRepository } from '../src/queue/outbox.repository.js';
import { ensureMigrated } from './support/db.js';
import { insertImage } from './support/factories.js';

let ds: DataSource;
let images: ImagesRepository;
beforeAll(async () => {
  await ensureMigrated();
  ds = new DataSource(typeormOptions(process.env.DATABASE_URL as string, ENTITIES));
  await ds.initialize();
  const config = loadConfig({ ...process.env, RENDER_LEASE_MS: '600' });
  images = new ImagesRepository(ds, new OutboxRepository(ds, config), config);
});
afterAll(async () => {
  await ds.destroy();
});

const result: RenderResult = { resultKey: 'r.png', thumbnailKey: 't.png', imageMetadata: { w: 1 }, durationMs: 5 };
const lost = { code: 'render_lost', message: 'lost' };

async function state(id: string): Promise<{ status: string; attempts: number; result_key: string | null; error: unknown }> {
  const [row] = (await ds.query('SELECT status, attempts, result_key, error FROM images WHERE id = $1', [id])) as {
    status: string;
    attempts: number;
    result_key: string | null;
    error: unknown;
  }[];
  return row;
}

const pending = async (): Promise<string> => (await insertImage(ds, randomUUID())).id;

describe('ImagesRepository status transitions', () => {
  it('claim counts a new execution from pending, refuses one while the lease is live, and refuses a finished image', async () => {
    const id = await pending();
    expect(await images.claim(id)).toBe(1);
    // A duplicate delivery of the same job while the execution lives: a no-op.
    expect(await images.claim(id)).toBeNull();
    expect(await state(id)).toMatchObject({ status: 'rendering', attempts: 1 });
    expect(await images.complete(id, 1, result)).toBe(true);
    expect(await images.claim(id)).toBeNull();
    expect(await images.claim(randomUUID())).toBeNull();
    expect(await state(id)).toMatchObject({ status: 'completed', attempts: 1, result_key: 'r.png' });
  });

  it('a stale attempt can neither complete, fail nor release the row', async () => {
    const id = await pending();
    const first = await images.claim(id);
    expect(await images.release(id, first as number)).toBe(true);
    const second = await images.claim(id);
    expect([first, second]).toEqual([1, 2]);

    expect(await images.complete(id, 1, result)).toBe(false);
    expect(await images.fail(id, 1, { code: 'x', message: 'x' }, 1)).toBe(false);
    expect(await images.release(id, 1)).toBe(false);
    expect(await state(id)).toMatchObject({ status: 'rendering', attempts: 2, result_key: null, error: null });

    expect(await images.fail(id, 2, { code: 'image_unavailable', message: 'gone' }, 3)).toBe(true);
    // Once finished, even the holder of the current attempt cannot write again.
    expect(await images.complete(id, 2, result)).toBe(false);
    expect(await state(id)).toMatchObject({ status: 'failed', attempts: 2, result_key: null, error: { code: 'image_unavailable' } });
  });

  it('the lease is renewed while the execution runs, and lapses once it ends without finishing', async () => {
    const id = await pending();
    let attempt: number | null = null;
    await images.execute(async () => {
      attempt = await images.claim(id);
      // Well past the 600 ms lease: the heartbeat keeps it, so a duplicate cannot claim.
      await new Promise((r) => setTimeout(r, 1500));
      expect(await images.claim(id)).toBeNull();
    });
    expect(attempt).toBe(1);
    // The execution ended (say it threw) without finishing the row: nothing renews the lease.
    await new Promise((r) => setTimeout(r, 800));
    expect(await images.claim(id)).toBe(2);
    expect(await images.complete(id, 1, result)).toBe(false);
    expect(await images.complete(id, 2, result)).toBe(true);
    const events = (await ds.query(`SELECT topic, payload->>'eventType' AS event_type FROM outbox WHERE aggregate_id = $1 AND topic <> 'render.requested'`, [id])) as { topic: string; event_type: string }[];
    expect(events).toEqual([{ topic: 'event', event_type: 'image.completed' }]);
  });

  it('a status change and its event commit together: when the event cannot be written, the status does not change', async () => {
    const id = await pending();
    const attempt = (await images.claim(id)) as number;
    const fn = `fail_outbox_${id.replace(/-/g, '')}`;
    // Stands in for a crash between the two writes: the event insert fails inside the transaction.
    await ds.query(`CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'crash'; END $$`);
    await ds.query(`CREATE TRIGGER ${fn} BEFORE INSERT ON outbox FOR EACH ROW WHEN (NEW.aggregate_id = '${id}') EXECUTE FUNCTION ${fn}()`);
    try {
      await expect(images.complete(id, attempt, result)).rejects.toThrow(/crash/);
      expect(await state(id)).toMatchObject({ status: 'rendering', result_key: null });
    } finally {
      await ds.query(`DROP TRIGGER ${fn} ON outbox`);
      await ds.query(`DROP FUNCTION ${fn}()`);
    }
    expect(await images.complete(id, attempt, result)).toBe(true);
    const events = (await ds.query(`SELECT topic, payload->>'eventType' AS event_type FROM outbox WHERE aggregate_id = $1 AND topic <> 'render.requested'`, [id])) as { topic: string; event_type: string }[];
    expect(events).toEqual([{ topic: 'event', event_type: 'image.completed' }]);
  });
});

describe('ImagesRepository sweeper transitions', () => {
  const old = { updatedAt: new Date(Date.now() - 3_600_000) };

  it('finds rows untouched for longer than the window, with the state they were seen in', async () => {
    const row = await insertImage(ds, randomUUID(), { ...old, status: 'rendering', attempts: 3 });
    const fresh = await insertImage(ds, randomUUID(), { updatedAt: new Date() });
    const foreign = await insertImage(ds, randomUUID(), { ...old, status: 'rendering', attempts: 3 });
    // Renders are found by their render request on this prefix; another prefix's are not ours.
    for (const [r, prefix] of [[row, process.env.QUEUE_PREFIX], [fresh, process.env.QUEUE_PREFIX], [foreign, 'another-install']] as const) {
      await ds.query(`INSERT INTO outbox (id, queue_prefix, topic, aggregate_id, payload) VALUES (gen_random_uuid(), $1, 'render.requested', $2, '{}')`, [prefix, r.id]);
    }
    const stale = await images.findStale(60_000, 10_000);
    expect(stale.map((s) => s.id)).not.toContain(foreign.id);
    expect(stale).toContainEqual({ id: row.id, orgId: row.orgId, status: 'rendering', attempts: 3 });
    expect(stale.map((s) => s.id)).not.toContain(fresh.id);
  });

  it('re-enqueueing a lost rendering row mints a new attempt, so the lost execution cannot finish', async () => {
    const row = await insertImage(ds, randomUUID(), { ...old, status: 'rendering', attempts: 1 });
    const seen = { id: row.id, orgId: row.orgId, status: 'rendering' as const, attempts: 1 };
    expect(await images.markForRequeue(seen)).toBe(true);
    // The same observation a second time (another sweeper) loses: the row moved on.
    expect(await images.markForRequeue(seen)).toBe(false);
    expect(await images.complete(row.id, 1, result)).toBe(false);
    expect(await state(row.id)).toMatchObject({ status: 'pending', attempts: 1 });
    const [request] = (await ds.query(`SELECT payload FROM outbox WHERE aggregate_id = $1 AND topic = 'render.requested'`, [row.id])) as {
      payload: { jobId: string };
    }[];
    // A job id of its own, so a dead worker's job holding the image id cannot block it.
    expect(request.payload.jobId).toMatch(new RegExp(`^${row.id}:`));
    expect(await images.claim(row.id)).toBe(2);
    expect(await images.complete(row.id, 2, result)).toBe(true);
    expect(await state(row.id)).toMatchObject({ status: 'completed', attempts: 2 });
  });

  it('re-enqueueing a lost pending row leaves the count to its next claim', async () => {
    const row = await insertImage(ds, randomUUID(), { ...old, attempts: 1 });
    expect(await images.markForRequeue({ id: row.id, orgId: row.orgId, status: 'pending', attempts: 1 })).toBe(true);
    expect(await images.claim(row.id)).toBe(2);
  });

  it('render_lost and postponing only apply to the row as it was seen', async () => {
    const row = await insertImage(ds, randomUUID(), { ...old, status: 'rendering', attempts: 10 });
    const seen = { id: row.id, orgId: row.orgId, status: 'rendering' as const, attempts: 10 };
    // The render finished between the sweeper's read and its write: the finished row stays.
    expect(await images.complete(row.id, 10, result)).toBe(true);
    expect(await images.failLost(seen, lost)).toBe(false);
    expect(await images.postponeSweep(seen)).toBe(false);
    expect(await state(row.id)).toMatchObject({ status: 'completed', error: null });

    const other = await insertImage(ds, randomUUID(), { ...old, status: 'pending', attempts: 10 });
    const seenOther = { id: other.id, orgId: other.orgId, status: 'pending' as const, attempts: 10 };
    expect(await images.postponeSweep(seenOther)).toBe(true);
    expect(await images.failLost(seenOther, lost)).toBe(true);
    expect(await images.failLost(seenOther, lost)).toBe(false);
    expect(await state(other.id)).toMatchObject({ status: 'failed', attempts: 10, error: lost });
  });
});

describe('ImagesRepository reads', () => {
  it('every combination of list filters is its own prepared statement and filters as asked', async () => {
    const org = randomUUID();
    const templateId = randomUUID();
    const row = await insertImage(ds, org, { templateId, status: 'failed' });
    await insertImage(ds, org);
    const at = row.createdAt;
    const filters = {
      status: 'failed' as const,
      templateId,
      collectionId: randomUUID(),
      createdAfter: new Date(at.getTime() - 1),
      createdBefore: new Date(at.getTime() + 1),
      cursor: { createdAt: new Date(at.getTime() + 1000), id: row.id },
    };
    const keys = Object.keys(filters) as (keyof typeof filters)[];
    // Each combination twice, on a connection that may hold any of the others already.
    for (let round = 0; round < 2; round++) {
      for (let mask = 0; mask < 1 << keys.length; mask++) {
        const f = Object.fromEntries(keys.filter((_, i) => mask & (1 << i)).map((k) => [k, filters[k]]));
        const rows = await images.list(org, false, { limit: 10, ...f });
        // Only the collection filter (no image is in one here) leaves nothing; the others all keep `row`.
        expect([mask, rows.some((r) => r.id === row.id)]).toEqual([mask, !(mask & (1 << keys.indexOf('collectionId')))]);
      }
    }
  });
});
