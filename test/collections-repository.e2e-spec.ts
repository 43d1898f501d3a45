import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { CollectionsRepository } from '../src/collections/collections.repository.js';
import { loadConfig } from '../src/config/config.js';
import { typeormOptions } from '../src/database/typeorm-options.js';
import { ENTITIES } from '../src/entities.js';
import { ImagesRepository, type NewImage, type RenderResult } from '../src/images/images.repository.js';
import { OutboxRepository } from '../src/queue/outbox.repository.js';
import { ensureMigrated } from './support/db.js';

let ds: DataSource;
let images: ImagesRepository;
let collections: CollectionsRepository;
beforeAll(async () => {
  await ensureMigrated();
  // A pool as large as the hammer, so the 20 transactions really run at the same time.
  const options = typeormOptions(process.env.DATABASE_URL as string, ENTITIES);
  ds = new DataSource({ ...options, extra: { ...(options.extra as object), max: 25 } });
  await ds.initialize();
  // Its own queue prefix: no relay of this run sends these render requests anywhere.
  const config = loadConfig({ ...process.env, QUEUE_PREFIX: `${process.env.QUEUE_PREFIX}_collrepo` });
  const outbox = new OutboxRepository(ds, config);
  images = new ImagesRepository(ds, outbox, config);
  collections = new CollectionsRepository(ds, images, outbox);
});
afterAll(async () => {
  await ds.destroy();
});

const result: RenderResult = { resultKey: 'r.png', thumbnailKey: 't.png', imageMetadata: {}, durationMs: 5 };
const boom = { code: 'image_unavailable', message: 'gone', layer: 'photo' };

async function newCollection(n: number, webhookUrl: string | null = 'http://127.0.0.1:9/hook'): Promise<{ id: string; imageIds: string[] }> {
  const orgId = randomUUID();
  const child: NewImage = {
    orgId,
    templateId: randomUUID(),
    templateVersion: 1,
    modifications: [],
    imageMetadata: {},
    isTest: false,
    apiKeyId: null,
    format: 'png',
    quality: null,
    scale: 1,
    webhookUrl: null,
    metadata: {},
    updatedAt: new Date(),
  };
  const row = await collections.insertWithImages(
    { orgId, isTest: false, apiKeyId: null, templateIds: Array.from({ length: n }, () => child.templateId), format: 'png', webhookUrl, metadata: {} },
    Array.from({ length: n }, () => child),
    { requestId: 'test' },
  );
  return { id: row.id, imageIds: row.imageIds };
}

async function state(id: string): Promise<{ status: string; renders_completed: number; renders_failed: number; events: number; completed_at: Date | null }> {
  const [row] = (await ds.query(
    `SELECT status, renders_completed, renders_failed, completed_at,
       (SELECT count(*)::int FROM outbox WHERE topic = 'event' AND payload->>'eventType' = 'collection.completed' AND aggregate_id = c.id) AS events
     FROM collections c WHERE id = $1`,
    [id],
  )) as { status: string; renders_completed: number; renders_failed: number; events: number; completed_at: Date | null }[];
  return row;
}

describe('CollectionsRepository counters', () => {
  it('writes the collection, its images and their render requests in one transaction', async () => {
    const c = await newCollection(3);
    const rows = (await ds.query(
      `SELECT i.status, (SELECT count(*)::int FROM outbox o WHERE o.aggregate_id = i.id AND o.topic = 'render.requested') AS requests
       FROM images i WHERE i.collection_id = $1`,
      [c.id],
    )) as { status: string; requests: number }[];
    expect(rows).toEqual(Array.from({ length: 3 }, () => ({ status: 'pending', requests: 1 })));
    expect(await state(c.id)).toMatchObject({ status: 'rendering', renders_completed: 0, renders_failed: 0, events: 0, completed_at: null });
  });

  it('20 concurrent completions and failures, each also re-run by a duplicate, count exactly once and complete the collection once', async () => {
    const c = await newCollection(20);
    const attempts = await Promise.all(c.imageIds.map((id) => images.claim(id)));
    expect(attempts).toEqual(Array.from({ length: 20 }, () => 1));
    // Every child finishes twice at once (a duplicate job holding the same attempt): only the CAS winner counts.
    const finish = (id: string, i: number): Promise<boolean> => (i % 4 === 0 ? images.fail(id, 1, boom, 5) : images.complete(id, 1, result));
    const outcomes = await Promise.all(c.imageIds.flatMap((id, i) => [finish(id, i), finish(id, i)]));
    expect(outcomes.filter(Boolean)).toHaveLength(20);
    expect(await state(c.id)).toMatchObject({ status: 'completed', renders_completed: 15, renders_failed: 5, events: 1 });
    // A late re-run after the collection completed changes nothing.
    expect(await images.complete(c.imageIds[0], 1, result)).toBe(false);
    expect(await state(c.id)).toMatchObject({ renders_completed: 15, renders_failed: 5, events: 1 });
  });

  it("the sweeper's render_lost failures count too", async () => {
    const c = await newCollection(4);
    await Promise.all(c.imageIds.slice(0, 2).map(async (id) => images.complete(id, (await images.claim(id)) as number, result)));
    // The other two were never picked up: the sweeper fails them as lost (as it saw them, pending with 0 attempts).
    const lost = await Promise.all(
      c.imageIds.slice(2).map((id) => images.failLost({ id, orgId: randomUUID(), status: 'pending', attempts: 0 }, { code: 'render_lost', message: 'lost' })),
    );
    expect(lost).toEqual([true, true]);
    expect(await state(c.id)).toMatchObject({ status: 'completed', renders_completed: 2, renders_failed: 2, events: 1 });
  });

  it('a collection without a webhook_url still completes once, with an event that has no destination', async () => {
    const c = await newCollection(2, null);
    await Promise.all(c.imageIds.map(async (id) => images.complete(id, (await images.claim(id)) as number, result)));
    expect(await state(c.id)).toMatchObject({ status: 'completed', renders_completed: 2, events: 1 });
    const [rec] = (await ds.query(`SELECT payload FROM outbox WHERE topic = 'event' AND payload->>'eventType' = 'collection.completed' AND aggregate_id = $1`, [c.id])) as { payload: unknown }[];
    expect(rec.payload).toMatchObject({ eventType: 'collection.completed', resource: { kind: 'collection', id: c.id }, destinations: [] });
  });

  it('refuses to finish a collection child in a process that has no collections counter (never a silent miscount)', async () => {
    const bare = new ImagesRepository(ds, new OutboxRepository(ds, loadConfig()), loadConfig());
    const c = await newCollection(1);
    const attempt = (await bare.claim(c.imageIds[0])) as number;
    await expect(bare.complete(c.imageIds[0], attempt, result)).rejects.toThrow(/without the collections counter/);
    // Rolled back: the image is still rendering and nothing was counted.
    expect(await state(c.id)).toMatchObject({ status: 'rendering', renders_completed: 0 });
    bare.forget(c.imageIds[0]);
  });
});
