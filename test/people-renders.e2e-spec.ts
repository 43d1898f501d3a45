import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import sharp from 'sharp';
import { verifyWebhookSignature } from '../src/webhooks/signing.js';
import { startApi, type TestApp } from './support/app.js';
import { type Received, recordDeliveries, waitForCollection } from './support/collection-flow.js';
import { bearer, createKey, createOrg, type TestOrg } from './support/factories.js';
import { type ImageServer, sleep, startImageServer } from './support/image-server.js';
import { api, publishedTemplate, waitForImage } from './support/render-flow.js';
import { startWorker, type WorkerProcess } from './support/worker.js';

// Own queue prefix; a small batch maximum so the limit is cheap to cross.
const ENV = { QUEUE_PREFIX: `${process.env.QUEUE_PREFIX}_people_renders`, PEOPLE_BATCH_MAX: '4', WEBHOOK_RETRY_SCALE: '0.001' };

interface CollectionBody {
  id: string;
  object: string;
  source: string;
  status: string;
  renders_total: number;
  renders_completed: number;
  renders_failed: number;
  images: string[];
  templates: string[];
  people: string[];
  webhook_url: string | null;
  metadata: Record<string, unknown>;
  completed_at: string | null;
}
interface Coded {
  detail: { code: string; errors: { name: string; reason: string; person_id?: string }[] };
}
interface Unprocessable {
  detail: { type: string; loc: (string | number)[] }[];
}
const GREEN: [number, number, number] = [0, 200, 0];
const MAGENTA: [number, number, number] = [220, 0, 220];
const BLUE: [number, number, number] = [0, 0, 230];
const YELLOW: [number, number, number] = [230, 230, 0];

const solid = (rgb: [number, number, number]): Promise<Buffer> =>
  sharp({ create: { width: 90, height: 70, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } })
    .png()
    .toBuffer();

async function pixel(png: Buffer, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const i = (y * info.width + x) * info.channels;
  return [data[i], data[i + 1], data[i + 2]];
}
/** A settled child, with the modifications it stored. */
const settledImage = async (baseUrl: string, key: string, id: string) => (await waitForImage(baseUrl, key, id)) as Awaited<ReturnType<typeof waitForImage>> & { modifications: unknown[] };
const close = (a: number[], b: number[]): boolean => a.every((v, i) => Math.abs(v - b[i]) <= 12);

describe('batch renders per person (API + a real worker process)', () => {
  let t: TestApp;
  let worker: WorkerProcess;
  let receiver: ImageServer;
  let org: TestOrg;
  let other: TestOrg;
  let secret: string;
  let templateId: string;
  const photos = new Map<string, string>();
  const ids: Record<string, string> = {};
  const received = new Map<string, Received[]>();
  const call = <T>(method: string, path: string, body?: unknown, headers?: Record<string, string>) => api<T>(t.baseUrl, org.liveKey, method, path, body, headers);
  const batch = <T = CollectionBody & Coded & Unprocessable>(body: Record<string, unknown>, key = org.liveKey, headers?: Record<string, string>) =>
    api<T>(t.baseUrl, key, 'POST', '/v1/people/renders', { template_id: templateId, ...body }, headers);
  const count = async (table: 'images' | 'collections'): Promise<number> =>
    ((await t.ds.query(`SELECT count(*)::int AS n FROM ${table} WHERE org_id = $1`, [org.orgId])) as { n: number }[])[0].n;

  const upload = async (key: string, bytes: Buffer): Promise<string> => {
    const form = new FormData();
    form.append('file', new Blob([bytes]), 'photo.png');
    const res = await fetch(`${t.baseUrl}/v1/assets`, { method: 'POST', headers: bearer(key), body: form });
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: string }).id;
  };
  const person = async (key: string, body: Record<string, unknown>, photo: string): Promise<string> => {
    const res = await api<{ id: string }>(t.baseUrl, key, 'POST', '/v1/people', { ...body, photo_asset_id: photo });
    expect(res.status).toBe(201);
    return res.body.id;
  };

  const settled = (id: string): Promise<CollectionBody> => waitForCollection<CollectionBody>(t.baseUrl, org.liveKey, id);

  const hook = (path: string): string => recordDeliveries(receiver, received, path);

  beforeAll(async () => {
    t = await startApi(ENV);
    worker = await startWorker({ ...ENV, WORKER_CONCURRENCY: '2' });
    receiver = await startImageServer();
    org = await createOrg(t.ds);
    other = await createOrg(t.ds);
    [{ signing_secret: secret }] = (await t.ds.query('SELECT signing_secret FROM organizations WHERE id = $1', [org.orgId])) as { signing_secret: string }[];
    templateId = await publishedTemplate(t.baseUrl, org.liveKey);
    for (const [name, rgb] of [['green', GREEN], ['magenta', MAGENTA], ['blue', BLUE]] as const) photos.set(name, await upload(org.liveKey, await solid(rgb)));
    // Created in this order: a batch renders people oldest first.
    ids.ada = await person(org.liveKey, { name: 'Ada Lovelace', external_id: 'crm-ada', tags: { team: 'blue', role: 'AE' } }, photos.get('green') as string);
    ids.linus = await person(org.liveKey, { name: 'Linus', external_id: 'crm-linus', tags: { team: 'red' } }, photos.get('blue') as string);
    ids.gone = await person(org.liveKey, { name: 'Gone', tags: { team: 'blue', role: 'AE' } }, photos.get('blue') as string);
    ids.grace = await person(org.liveKey, { name: 'Grace Hopper', external_id: 'crm-grace', tags: { team: 'blue', role: 'Eng' } }, photos.get('magenta') as string);
    expect((await call('DELETE', `/v1/people/${ids.gone}`)).status).toBe(204);
    // Another organisation's person with the same tags and an external_id: never matched by this org.
    ids.theirs = await person(other.liveKey, { name: 'Theirs', external_id: 'crm-theirs', tags: { team: 'blue', role: 'AE' } }, await upload(other.liveKey, await solid(YELLOW)));
  }, 120_000);
  afterAll(async () => {
    await worker?.stop();
    await receiver?.close();
    await t?.close();
  });

  it('renders one image per matching person of a tag filter, with exact counters and one signed collection.completed', async () => {
    const url = hook('/team-blue');
    const post = await batch({ filter: { tags: { team: 'blue' } }, bindings: { photo: 'photo', headline: 'name' }, webhook_url: url, metadata: { campaign: 'onboarding' } });
    expect(post.status).toBe(202);
    // Linus (team red), the deleted person and the other organisation's person are not matched.
    expect(post.body).toMatchObject({
      object: 'collection',
      source: 'people',
      status: 'rendering',
      renders_total: 2,
      renders_completed: 0,
      renders_failed: 0,
      templates: [templateId],
      people: [ids.ada, ids.grace],
      webhook_url: url,
      metadata: { campaign: 'onboarding' },
    });
    expect(post.body.images).toHaveLength(2);

    const done = await settled(post.body.id);
    expect(done).toMatchObject({ source: 'people', renders_total: 2, renders_completed: 2, renders_failed: 0, people: [ids.ada, ids.grace], images: post.body.images });

    // Each child shows its own person: the photo asset on the photo layer (pixels) and the name as text.
    const expected = [
      { photo: photos.get('green'), name: 'Ada Lovelace', rgb: GREEN },
      { photo: photos.get('magenta'), name: 'Grace Hopper', rgb: MAGENTA },
    ];
    for (const [i, imageId] of done.images.entries()) {
      const image = await settledImage(t.baseUrl, org.liveKey, imageId);
      expect(image.status).toBe('completed');
      expect(image.modifications).toEqual([
        { name: 'photo', asset_id: expected[i].photo },
        { name: 'headline', text: expected[i].name },
      ]);
      const png = Buffer.from(await (await fetch(image.result_url as string)).arrayBuffer());
      expect(close(await pixel(png, 265, 115), expected[i].rgb)).toBe(true);
      // Outside the layer the template's own pixels stay.
      expect(await pixel(png, 50, 80)).toEqual([255, 0, 0]);
    }
    const children = (await t.ds.query('SELECT metadata FROM images WHERE collection_id = $1', [post.body.id])) as { metadata: unknown }[];
    expect(children.map((c) => c.metadata)).toEqual([{ campaign: 'onboarding' }, { campaign: 'onboarding' }]);

    for (let i = 0; i < 200 && (received.get('/team-blue') ?? []).length < 1; i++) await sleep(25);
    await sleep(1500);
    const events = received.get('/team-blue') ?? [];
    expect(events).toHaveLength(1);
    expect(verifyWebhookSignature(secret, events[0].raw, events[0].headers['x-imtegrate-signature'] as string)).toBe(true);
    const event = JSON.parse(events[0].raw) as { type: string; data: CollectionBody };
    expect(event.type).toBe('collection.completed');
    expect(event.data).toEqual(done);
  }, 90_000);

  it('a templates collection reads as source templates with no people', async () => {
    const post = await call<CollectionBody>('POST', '/v1/collections', { templates: [templateId] });
    expect(post.status).toBe(202);
    expect(post.body).toMatchObject({ source: 'templates', templates: [templateId], people: [] });
  });

  it('filters by external_ids, combined with the other criteria, and binds external_id and tags', async () => {
    const post = await batch({
      filter: { external_ids: ['crm-grace', 'crm-linus', 'crm-nobody', 'crm-theirs'], tags: { team: 'blue' } },
      bindings: { headline: 'tags.role' },
      modifications: [{ name: 'photo', hidden: true }],
    });
    expect(post.status).toBe(202);
    expect(post.body.people).toEqual([ids.grace]);
    const image = await settledImage(t.baseUrl, org.liveKey, post.body.images[0]);
    expect(image.modifications).toEqual([
      { name: 'photo', hidden: true },
      { name: 'headline', text: 'Eng' },
    ]);

    const byRef = await batch({ filter: { external_ids: ['crm-linus', 'crm-ada'] }, bindings: { headline: 'external_id', photo: 'photo' }, modifications: [{ name: 'photo', fit: 'contain' }] });
    expect(byRef.status).toBe(202);
    expect(byRef.body.people).toEqual([ids.ada, ids.linus]);
    const first = await settledImage(t.baseUrl, org.liveKey, byRef.body.images[0]);
    expect(first.modifications).toEqual([
      { name: 'photo', fit: 'contain', asset_id: photos.get('green') },
      { name: 'headline', text: 'crm-ada' },
    ]);
  });

  it('refuses the whole batch, naming the person, when a matched person lacks the bound tag', async () => {
    const before = await count('images');
    const res = await batch({ filter: { external_ids: ['crm-ada', 'crm-linus'] }, bindings: { headline: 'tags.role' } });
    expect(res.status).toBe(400);
    expect(res.body.detail.code).toBe('invalid_modification');
    expect(res.body.detail.errors).toEqual([{ name: 'headline', reason: expect.stringContaining('has no tags.role'), person_id: ids.linus }]);
    expect(await count('images')).toBe(before);
  });

  it('answers 400 beyond PEOPLE_BATCH_MAX and for a filter nobody matches, creating nothing', async () => {
    for (let i = 0; i < 5; i++) await person(org.liveKey, { name: `Bulk ${i}`, tags: { bulk: 'yes' } }, photos.get('blue') as string);
    const [images, collections] = [await count('images'), await count('collections')];
    const over = await batch({ filter: { tags: { bulk: 'yes' } }, bindings: { headline: 'name' } });
    expect(over.status).toBe(400);
    expect(over.body.detail).toEqual({ code: 'too_many_people', errors: [{ name: 'filter', reason: expect.stringContaining('more than 4 people') }] });
    const none = await batch({ filter: { tags: { team: 'green' } }, bindings: { headline: 'name' } });
    expect(none.status).toBe(400);
    expect(none.body.detail.code).toBe('no_matching_people');
    // Another organisation's person is never matched, by tag or by external_id.
    const foreign = await batch({ filter: { external_ids: ['crm-theirs'] }, bindings: { headline: 'name' } });
    expect([foreign.status, foreign.body.detail.code]).toEqual([400, 'no_matching_people']);
    expect([await count('images'), await count('collections')]).toEqual([images, collections]);
  });

  it('answers 400 invalid_binding naming the layer, and 422 for a malformed binding or filter', async () => {
    const cases: [Record<string, string>, unknown[] | undefined, string, string][] = [
      [{ box: 'photo' }, undefined, 'box', 'not dynamic'],
      [{ headline: 'photo' }, undefined, 'headline', '"photo" binds image layers, not text layers'],
      [{ photo: 'name' }, undefined, 'photo', '"name" binds text layers, not image layers'],
      [{ nope: 'name' }, undefined, 'nope', 'unknown layer'],
      [{ photo: 'photo' }, [{ name: 'photo', image_url: 'https://example.com/a.png' }], 'photo', 'must not set image_url'],
    ];
    for (const [bindings, modifications, layer, reason] of cases) {
      const res = await batch({ filter: { tags: { team: 'blue' } }, bindings, ...(modifications ? { modifications } : {}) });
      expect([res.status, res.body.detail.code]).toEqual([400, 'invalid_binding']);
      expect(res.body.detail.errors).toEqual([{ name: layer, reason: expect.stringContaining(reason) }]);
    }
    const bad = await batch({ filter: { tags: { team: 'blue' } }, bindings: { headline: 'age', photo: 'tags.no key' } });
    expect(bad.status).toBe(422);
    expect(bad.body.detail.map((d) => d.loc)).toEqual([
      ['body', 'bindings', 'headline'],
      ['body', 'bindings', 'photo'],
    ]);
    for (const [filter, loc] of [
      [{}, ['body', 'filter']],
      [{ tags: {} }, ['body', 'filter']],
      [{ external_ids: [] }, ['body', 'filter', 'external_ids']],
      [{ tags: { team: 7 } }, ['body', 'filter', 'tags', 'team']],
      [{ everyone: true }, ['body', 'filter', 'everyone']],
    ] as const) {
      const res = await batch({ filter, bindings: { headline: 'name' } });
      expect([res.status, res.body.detail[0].loc]).toEqual([422, loc]);
    }
    expect((await batch({ filter: { tags: { team: 'blue' } }, bindings: {} })).body.detail[0].loc).toEqual(['body', 'bindings']);
  });

  it('another organisation batches its own people only', async () => {
    const theirTemplate = await publishedTemplate(t.baseUrl, other.liveKey);
    const res = await api<CollectionBody>(t.baseUrl, other.liveKey, 'POST', '/v1/people/renders', {
      template_id: theirTemplate,
      filter: { tags: { team: 'blue' } },
      bindings: { headline: 'name' },
    });
    expect(res.status).toBe(202);
    expect(res.body.people).toEqual([ids.theirs]);
    // This org's template is theirs to neither see nor use.
    const foreign = await api<Coded>(t.baseUrl, other.liveKey, 'POST', '/v1/people/renders', { template_id: templateId, filter: { tags: { team: 'blue' } }, bindings: { headline: 'name' } });
    expect([foreign.status, foreign.body.detail.code]).toEqual([400, 'template_not_found']);
    expect((await api(t.baseUrl, org.liveKey, 'GET', `/v1/collections/${res.body.id}`)).status).toBe(404);
  });

  it('needs people:read and images:write (and webhooks:write with webhook_url)', async () => {
    const body = { filter: { tags: { team: 'blue' } }, bindings: { headline: 'name' } };
    const readOnly = (await createKey(t.ds, org.orgId, ['people:read'])).key;
    const writeOnly = (await createKey(t.ds, org.orgId, ['images:write'])).key;
    const both = (await createKey(t.ds, org.orgId, ['people:read', 'images:write'])).key;
    const r1 = await batch(body, readOnly);
    expect([r1.status, r1.body]).toEqual([403, { detail: "This API key lacks the 'images:write' scope" }]);
    const r2 = await batch(body, writeOnly);
    expect([r2.status, r2.body]).toEqual([403, { detail: "This API key lacks the 'people:read' scope" }]);
    expect((await batch(body, both)).status).toBe(202);
    const hooked = await batch({ ...body, webhook_url: receiver.url('/x') }, both);
    expect([hooked.status, hooked.body]).toEqual([403, { detail: "Setting webhook_url needs the 'webhooks:write' scope, which this API key lacks" }]);
  });

  it('replays an Idempotency-Key with the collection as it is now', async () => {
    const body = { filter: { external_ids: ['crm-ada'] }, bindings: { headline: 'name' } };
    const first = await batch(body, org.liveKey, { 'Idempotency-Key': 'batch-1' });
    expect(first.status).toBe(202);
    const images = await count('images');
    const again = await batch<CollectionBody>(body, org.liveKey, { 'Idempotency-Key': 'batch-1' });
    expect([again.status, again.body.id, again.headers.get('idempotent-replayed')]).toEqual([202, first.body.id, 'true']);
    expect(await count('images')).toBe(images);
    const conflict = await batch<{ detail: { code: string } }>({ ...body, bindings: { headline: 'external_id' } }, org.liveKey, { 'Idempotency-Key': 'batch-1' });
    expect([conflict.status, conflict.body.detail.code]).toEqual([409, 'idempotency_conflict']);
  });

  it('costs a render per person: the rest of the cost is taken once the match is known', async () => {
    const { id, key } = await createKey(t.ds, org.orgId, ['people:read', 'images:write']);
    await t.ds.query('UPDATE api_keys SET rate_limit_per_minute = 35 WHERE id = $1', [id]);
    const body = { filter: { external_ids: ['crm-ada', 'crm-grace'] }, bindings: { headline: 'name' } };
    const first = await batch(body, key);
    expect(first.status).toBe(202);
    // 10 at the door, 10 more for the second person: 35 - 20.
    expect([first.headers.get('ratelimit-limit'), first.headers.get('ratelimit-remaining')]).toEqual(['35', '15']);
    const images = await count('images');
    // 10 at the door leave 5, too few for the second person's 10: refused, nothing created.
    const second = await batch(body, key);
    expect([second.status, second.body]).toEqual([429, { detail: 'Rate limit exceeded' }]);
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await count('images')).toBe(images);
  });
});
