import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { verifyWebhookSignature } from '../src/webhooks/signing.js';
import { startApi, type TestApp } from './support/app.js';
import { type Received, recordDeliveries, waitForCollection } from './support/collection-flow.js';
import { createKey, createOrg, insertImage, type TestOrg } from './support/factories.js';
import { sleep, startImageServer, type ImageServer } from './support/image-server.js';
import { api, E2E_TEMPLATE, type ImageBody, publishedTemplate } from './support/render-flow.js';
import { startWorker, type WorkerProcess } from './support/worker.js';

// Own queue prefix; a small template maximum so the limit is cheap to cross; four renders at a time in the worker.
const ENV = { QUEUE_PREFIX: `${process.env.QUEUE_PREFIX}_collections`, COLLECTION_MAX_TEMPLATES: '6', MAX_PENDING_RENDERS_PER_ORG: '20', WEBHOOK_RETRY_SCALE: '0.001' };

interface CollectionBody {
  id: string;
  collection_id: string;
  object: string;
  status: string;
  renders_total: number;
  renders_completed: number;
  renders_failed: number;
  images: string[];
  templates: string[];
  format: string;
  webhook_url: string | null;
  metadata: Record<string, unknown>;
  created_at: string;
  completed_at: string | null;
}

interface Coded {
  detail: { code: string; errors: { name: string; reason: string; template_id: string }[] };
}

const MODS = [{ name: 'headline', text: 'One set, many templates' }];

describe('collections', () => {
  let t: TestApp;
  let worker: WorkerProcess;
  let receiver: ImageServer;
  let org: TestOrg;
  let other: TestOrg;
  let secret: string;
  let templates: string[];
  const received = new Map<string, Received[]>();
  const call = <T>(method: string, path: string, body?: unknown, headers?: Record<string, string>) => api<T>(t.baseUrl, org.liveKey, method, path, body, headers);
  const count = async (table: 'images' | 'collections', orgId = org.orgId): Promise<number> =>
    ((await t.ds.query(`SELECT count(*)::int AS n FROM ${table} WHERE org_id = $1`, [orgId])) as { n: number }[])[0].n;

  const settled = (id: string): Promise<CollectionBody> => waitForCollection<CollectionBody>(t.baseUrl, org.liveKey, id);

  const hook = (path: string): string => recordDeliveries(receiver, received, path);

  beforeAll(async () => {
    t = await startApi(ENV);
    worker = await startWorker({ ...ENV, WORKER_CONCURRENCY: '4' });
    receiver = await startImageServer();
    org = await createOrg(t.ds);
    other = await createOrg(t.ds);
    [{ signing_secret: secret }] = (await t.ds.query('SELECT signing_secret FROM organizations WHERE id = $1', [org.orgId])) as { signing_secret: string }[];
    templates = [];
    for (let i = 0; i < 5; i++) templates.push(await publishedTemplate(t.baseUrl, org.liveKey, { ...E2E_TEMPLATE, name: `Collection card ${i}` }));
  }, 120_000);
  afterAll(async () => {
    await worker?.stop();
    await receiver?.close();
    await t?.close();
  });

  let finished: CollectionBody;

  it('renders five templates concurrently to exact counters and delivers exactly one signed collection.completed', async () => {
    const url = hook('/five');
    const post = await call<CollectionBody>('POST', '/v1/collections', { templates, modifications: MODS, webhook_url: url, metadata: { campaign: 'summer' } });
    expect(post.status).toBe(202);
    expect(post.body).toMatchObject({
      id: post.body.collection_id,
      object: 'collection',
      status: 'rendering',
      renders_total: 5,
      renders_completed: 0,
      renders_failed: 0,
      templates,
      format: 'png',
      webhook_url: url,
      metadata: { campaign: 'summer' },
      completed_at: null,
    });
    expect(post.body.images).toHaveLength(5);
    expect(new Set(post.body.images).size).toBe(5);

    finished = await settled(post.body.id);
    expect(finished).toMatchObject({ status: 'completed', renders_total: 5, renders_completed: 5, renders_failed: 0, images: post.body.images });
    expect(finished.completed_at).not.toBeNull();

    // Every child is the template at its index, with the collection's modifications, and finished.
    const rows = (await t.ds.query(
      `SELECT id, template_id, status, modifications, started_at, completed_at FROM images WHERE collection_id = $1`,
      [post.body.id],
    )) as { id: string; template_id: string; status: string; modifications: unknown; started_at: Date; completed_at: Date }[];
    expect(rows).toHaveLength(5);
    for (const r of rows) {
      expect(r.template_id).toBe(templates[post.body.images.indexOf(r.id)]);
      expect([r.status, r.modifications]).toEqual(['completed', MODS]);
    }
    // The renders ran concurrently: some render started before another one finished.
    const overlapping = rows.some((a) => rows.some((b) => a !== b && a.started_at < b.completed_at && b.started_at < a.completed_at));
    expect(overlapping).toBe(true);

    for (let i = 0; i < 200 && (received.get('/five') ?? []).length < 1; i++) await sleep(25);
    // Any duplicate would arrive within this window (deliveries are immediate here).
    await sleep(1500);
    const events = received.get('/five') ?? [];
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(event.headers['content-type']).toBe('application/json');
    expect(event.headers['x-imtegrate-event']).toBe('collection.completed');
    expect(event.headers['x-imtegrate-delivery-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(verifyWebhookSignature(secret, event.raw, event.headers['x-imtegrate-signature'] as string)).toBe(true);
    const body = JSON.parse(event.raw) as { type: string; created_at: string; data: CollectionBody };
    expect(body.type).toBe('collection.completed');
    expect(new Date(body.created_at).toISOString()).toBe(body.created_at);
    // data is the collection exactly as GET returns it.
    expect(body.data).toEqual(finished);
    const outbox = (await t.ds.query(`SELECT count(*)::int AS n FROM outbox WHERE topic = 'event' AND payload->>'eventType' = 'collection.completed' AND aggregate_id = $1`, [post.body.id])) as {
      n: number;
    }[];
    expect(outbox[0].n).toBe(1);
  }, 90_000);

  it('lists the children with GET /v1/images?collection_id=, and only for its organisation', async () => {
    const list = await call<{ data: ImageBody[]; has_more: boolean }>('GET', `/v1/images?collection_id=${finished.id}&limit=100`);
    expect(list.status).toBe(200);
    expect(list.body.data.map((i) => i.id).sort()).toEqual([...finished.images].sort());
    expect(list.body.has_more).toBe(false);
    const theirs = await api<{ data: unknown[] }>(t.baseUrl, other.liveKey, 'GET', `/v1/images?collection_id=${finished.id}`);
    expect([theirs.status, theirs.body.data]).toEqual([200, []]);
  });

  it("answers 404 for another organisation's collection and leaves it out of their list", async () => {
    const res = await api(t.baseUrl, other.liveKey, 'GET', `/v1/collections/${finished.id}`);
    expect([res.status, res.body]).toEqual([404, { detail: 'Collection not found' }]);
    const list = await api<{ data: unknown[] }>(t.baseUrl, other.liveKey, 'GET', '/v1/collections');
    expect(list.body.data).toEqual([]);
    // A test key sees the live collection as missing too (test and live are kept apart).
    expect((await api(t.baseUrl, org.testKey, 'GET', `/v1/collections/${finished.id}`)).status).toBe(404);
    expect((await call('GET', `/v1/collections/${randomUUID()}`)).status).toBe(404);
  });

  it('counts failed renders: a collection where some renders fail is completed with renders_failed', async () => {
    receiver.route('/broken.png', (_req, res) => res.writeHead(404).end());
    // A fixed (non-dynamic) photo the renderer cannot fetch: the render fails after it was accepted.
    const broken = await publishedTemplate(t.baseUrl, org.liveKey, {
      ...E2E_TEMPLATE,
      name: 'Broken photo',
      layers: [...E2E_TEMPLATE.layers.filter((l) => l.name !== 'photo'), { name: 'photo', type: 'image', x: 220, y: 80, width: 90, height: 70, image_url: receiver.url('/broken.png') }],
    });
    const url = hook('/partial');
    const post = await call<CollectionBody>('POST', '/v1/collections', { templates: [templates[0], broken, templates[1]], modifications: MODS, webhook_url: url });
    expect(post.status).toBe(202);
    const done = await settled(post.body.id);
    expect(done).toMatchObject({ status: 'completed', renders_total: 3, renders_completed: 2, renders_failed: 1 });
    const failed = await call<ImageBody>('GET', `/v1/images/${done.images[1]}`);
    expect(failed.body).toMatchObject({ status: 'failed', error: { code: 'image_unavailable', layer: 'photo' } });
    for (let i = 0; i < 200 && (received.get('/partial') ?? []).length < 1; i++) await sleep(25);
    await sleep(500);
    expect((received.get('/partial') ?? []).map((r) => (JSON.parse(r.raw) as { data: CollectionBody }).data)).toEqual([done]);
  }, 90_000);

  describe('one bad template rejects the whole collection with a 400 naming it, creating nothing', () => {
    const cases: [string, () => Promise<string>, string, string][] = [
      ['missing', async () => randomUUID(), 'template_not_found', 'templates'],
      ["another organisation's", () => publishedTemplate(t.baseUrl, other.liveKey), 'template_not_found', 'templates'],
      [
        'unpublished',
        async () => (await call<{ id: string }>('POST', '/v1/templates', { ...E2E_TEMPLATE, name: 'Draft only' })).body.id,
        'template_not_published',
        'templates',
      ],
      [
        'archived',
        async () => {
          const id = await publishedTemplate(t.baseUrl, org.liveKey, { ...E2E_TEMPLATE, name: 'Archived' });
          expect((await call('DELETE', `/v1/templates/${id}`)).status).toBe(204);
          return id;
        },
        'template_archived',
        'templates',
      ],
      [
        'rejecting a modification',
        // Its headline is not dynamic: the shared modification does not fit it.
        () =>
          publishedTemplate(t.baseUrl, org.liveKey, {
            ...E2E_TEMPLATE,
            name: 'Static headline',
            layers: E2E_TEMPLATE.layers.map((l) => (l.name === 'headline' ? { ...l, dynamic: false } : l)),
          }),
        'invalid_modification',
        'headline',
      ],
    ];
    it.each(cases)('%s', async (_, make, code, name) => {
      const bad = await make();
      const [images, collections] = [await count('images'), await count('collections')];
      const res = await call<Coded>('POST', '/v1/collections', { templates: [templates[0], bad, templates[1]], modifications: MODS });
      expect([res.status, res.body.detail.code]).toEqual([400, code]);
      expect(res.body.detail.errors.length).toBeGreaterThan(0);
      for (const e of res.body.detail.errors) expect(e).toMatchObject({ name, template_id: bad, reason: expect.stringContaining(`template ${bad}`) });
      expect([await count('images'), await count('collections')]).toEqual([images, collections]);
    });
  });

  // Ids are compared canonicalised: the same UUID in capitals is a duplicate.
  it('refuses duplicates and more templates than COLLECTION_MAX_TEMPLATES with a 422, and an empty list', async () => {
    const dup = await call<{ detail: { loc: unknown[]; msg: string }[] }>('POST', '/v1/collections', { templates: [templates[0], templates[1], templates[0].toUpperCase()] });
    expect(dup.status).toBe(422);
    expect(dup.body.detail).toEqual([expect.objectContaining({ loc: ['body', 'templates', 2], msg: 'Value error, each template may appear once in a collection' })]);
    const many = await call<{ detail: { loc: unknown[]; msg: string }[] }>('POST', '/v1/collections', { templates: Array.from({ length: 7 }, () => randomUUID()) });
    expect(many.status).toBe(422);
    expect(many.body.detail[0]).toMatchObject({ loc: ['body', 'templates'], msg: expect.stringContaining('at most 6 templates') });
    expect((await call('POST', '/v1/collections', { templates: [] })).status).toBe(422);
  });

  it('honours Idempotency-Key: the same key and body replays the collection, another body is a 409', async () => {
    const key = `coll-${randomUUID()}`;
    const body = { templates: [templates[2], templates[3]], modifications: MODS };
    const first = await call<CollectionBody>('POST', '/v1/collections', body, { 'Idempotency-Key': key });
    expect(first.status).toBe(202);
    const again = await call<CollectionBody>('POST', '/v1/collections', body, { 'Idempotency-Key': key });
    expect([again.status, again.body.id, again.headers.get('idempotent-replayed')]).toEqual([202, first.body.id, 'true']);
    expect(again.body.images).toEqual(first.body.images);
    const conflict = await call<Coded>('POST', '/v1/collections', { ...body, templates: [templates[4]] }, { 'Idempotency-Key': key });
    expect([conflict.status, conflict.body.detail.code]).toEqual([409, 'idempotency_conflict']);
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM images WHERE collection_id = $1`, [first.body.id]))[0].n).toBe(2);
    await settled(first.body.id);
  }, 60_000);

  it('lists collections newest first with a keyset cursor', async () => {
    const page1 = await call<{ object: string; data: CollectionBody[]; has_more: boolean; next_cursor: string | null }>('GET', '/v1/collections?limit=2');
    expect(page1.status).toBe(200);
    expect(page1.body).toMatchObject({ object: 'list', has_more: true });
    const rest = await call<{ data: CollectionBody[]; has_more: boolean }>('GET', `/v1/collections?limit=100&cursor=${page1.body.next_cursor}`);
    const all = [...page1.body.data, ...rest.body.data];
    expect(all.length).toBe(await count('collections'));
    const times = all.map((c) => c.created_at);
    expect([...times].sort().reverse()).toEqual(times);
    expect(all.map((c) => c.id)).toContain(finished.id);
  });

  it('takes a render per template from the rate budget, and counts every render against the pending cap', async () => {
    // 25 points a minute: a collection of two templates costs 20, so a second one is refused.
    const limited = await org.repo.createKey(org.orgId, 'live', { rateLimitPerMinute: 25 });
    const body = { templates: [templates[0], templates[1]], modifications: MODS };
    const first = await api<CollectionBody>(t.baseUrl, limited.key, 'POST', '/v1/collections', body);
    expect([first.status, first.headers.get('ratelimit-remaining')]).toEqual([202, '5']);
    expect((await api(t.baseUrl, limited.key, 'POST', '/v1/collections', body)).status).toBe(429);
    await settled(first.body.id);

    // An org with 18 renders waiting (never queued here) may add two more, not three.
    const busy = await createOrg(t.ds);
    const mine = [];
    for (let i = 0; i < 3; i++) mine.push(await publishedTemplate(t.baseUrl, busy.liveKey, { ...E2E_TEMPLATE, name: `Busy ${i}` }));
    for (let i = 0; i < 18; i++) await insertImage(t.ds, busy.orgId);
    const over = await api<{ detail: string }>(t.baseUrl, busy.liveKey, 'POST', '/v1/collections', { templates: mine, modifications: MODS });
    expect([over.status, over.body.detail]).toEqual([429, 'Too many renders pending for this organisation']);
    expect(await count('collections', busy.orgId)).toBe(0);
    const fits = await api<CollectionBody>(t.baseUrl, busy.liveKey, 'POST', '/v1/collections', { templates: mine.slice(0, 2), modifications: MODS });
    expect(fits.status).toBe(202);
  }, 60_000);

  it('needs images:write to create (and webhooks:write to set webhook_url), images:read to read', async () => {
    const reader = await createKey(t.ds, org.orgId, ['images:read']);
    const writer = await createKey(t.ds, org.orgId, ['images:write']);
    const body = { templates: [templates[0]], modifications: MODS };
    expect((await api(t.baseUrl, reader.key, 'POST', '/v1/collections', body)).status).toBe(403);
    expect((await api(t.baseUrl, reader.key, 'GET', `/v1/collections/${finished.id}`)).status).toBe(200);
    expect((await api(t.baseUrl, writer.key, 'GET', '/v1/collections')).status).toBe(403);
    expect((await api(t.baseUrl, writer.key, 'POST', '/v1/collections', { ...body, webhook_url: receiver.url('/x') })).status).toBe(403);
    const ok = await api<CollectionBody>(t.baseUrl, writer.key, 'POST', '/v1/collections', body);
    expect(ok.status).toBe(202);
    await settled(ok.body.id);
  }, 60_000);
});
