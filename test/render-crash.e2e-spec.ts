import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { solidImage } from './fixtures/images.js';
import { startApi, type TestApp } from './support/app.js';
import { createOrg, insertImage } from './support/factories.js';
import { sendPng, sleep, startImageServer, type ImageServer } from './support/image-server.js';
import { api, type ImageBody, publishedTemplate, waitForImage } from './support/render-flow.js';
import { startWorker, type WorkerProcess } from './support/worker.js';

// Own queue prefix: the other e2e files' workers must not pick these jobs up.
// Short render leases: a killed worker's render is re-driven about 1.5 s after its last renewal.
const QUEUE = {
  QUEUE_PREFIX: `${process.env.QUEUE_PREFIX}_crash`,
  QUEUE_LOCK_DURATION_MS: '1500',
  QUEUE_STALLED_INTERVAL_MS: '500',
  RENDER_LEASE_MS: '1500',
  RENDER_SWEEP_INTERVAL_MS: '200',
  WEBHOOK_RETRY_SCALE: '0.001',
};

describe('a worker killed mid-render', () => {
  /** The sent render request every product-written row has (the reconciler finds renders of its prefix by it). */
  const requested = (imageId: string, orgId: string): Promise<unknown> =>
    t.ds.query(
      `INSERT INTO outbox (id, queue_prefix, topic, aggregate_id, payload, sent_at) VALUES (gen_random_uuid(), $1, 'render.requested', $2, $3, now())`,
      [QUEUE.QUEUE_PREFIX, imageId, JSON.stringify({ imageId, orgId, jobId: imageId, requestId: 'test' })],
    );

  let t: TestApp;
  let images: ImageServer;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    t = await startApi(QUEUE);
    images = await startImageServer();
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop('SIGKILL')));
    await images?.close();
    await t?.close();
  });

  it('loses nothing: the job is picked up again and the image completes', async () => {
    const org = await createOrg(t.ds);
    const templateId = await publishedTemplate(t.baseUrl, org.liveKey);
    const png = await solidImage('png', 40, 40, '#00ff00');
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    // 1st request: the API's pre-flight. 2nd: the first worker, held until it has been killed.
    images.route('/hold.png', async (_req, res, n) => {
      if (n === 2) await held;
      sendPng(res, png);
    });

    const first = await startWorker(QUEUE);
    workers.push(first);
    const post = await api<ImageBody>(t.baseUrl, org.liveKey, 'POST', '/v1/images', {
      template_id: templateId,
      modifications: [{ name: 'photo', image_url: images.url('/hold.png') }],
    });
    expect(post.status).toBe(202);
    for (let i = 0; i < 200 && images.hits('/hold.png') < 2; i++) await sleep(25);
    const mid = await api<ImageBody>(t.baseUrl, org.liveKey, 'GET', `/v1/images/${post.body.id}`);
    expect(mid.body.status).toBe('rendering');

    await first.stop('SIGKILL');
    release();
    const second = await startWorker(QUEUE);
    workers.push(second);
    const done = await waitForImage(t.baseUrl, org.liveKey, post.body.id, 30_000);
    expect(done.status).toBe('completed');
    expect(images.hits('/hold.png')).toBeGreaterThanOrEqual(3);
    expect((await fetch(done.result_url as string)).status).toBe(200);
  });

  it('sweeps a render whose job was lost (e.g. Redis flushed): it is re-enqueued and completes', async () => {
    const org = await createOrg(t.ds);
    const templateId = await publishedTemplate(t.baseUrl, org.liveKey);
    // A pending row with no job behind it, untouched for an hour.
    const lost = await insertImage(t.ds, org.orgId, { templateId, modifications: [], updatedAt: new Date(Date.now() - 3_600_000) });
    await requested(lost.id, org.orgId);
    const w = await startWorker({ ...QUEUE, RENDER_SWEEP_AFTER_MS: '1000' });
    workers.push(w);
    const done = await waitForImage(t.baseUrl, org.liveKey, lost.id, 20_000);
    expect(done.status).toBe('completed');
    // Re-driven through the outbox with a job id of its own (any running worker's reconciler may do it).
    const requests = (await t.ds.query(`SELECT payload->>'jobId' AS job FROM outbox WHERE aggregate_id = $1 AND topic = 'render.requested' ORDER BY created_at`, [lost.id])) as {
      job: string;
    }[];
    expect(requests.map((r) => r.job)).toEqual([lost.id, expect.stringMatching(new RegExp(`^${lost.id}:`))]);
    await w.stop();
  });

  it('a lost render past its attempt budget fails as render_lost, and image.failed is delivered once', async () => {
    const org = await createOrg(t.ds);
    const templateId = await publishedTemplate(t.baseUrl, org.liveKey);
    const hooks: { event: string; delivery: string; body: { data: { id: string; error: { code: string } } } }[] = [];
    images.route('/hook', async (req, res) => {
      let raw = '';
      for await (const chunk of req) raw += chunk;
      hooks.push({ event: String(req.headers['x-imtegrate-event']), delivery: String(req.headers['x-imtegrate-delivery-id']), body: JSON.parse(raw) });
      res.writeHead(204).end();
    });
    // Its last execution (attempt 5 of RENDER_ATTEMPTS=5) died: the lease lapsed a minute ago.
    const row = await insertImage(t.ds, org.orgId, {
      templateId,
      modifications: [],
      status: 'rendering',
      attempts: 5,
      leaseUntil: new Date(Date.now() - 60_000),
      webhookUrl: images.url('/hook'),
    });
    await requested(row.id, org.orgId);
    const w = await startWorker(QUEUE);
    workers.push(w);
    const done = await waitForImage(t.baseUrl, org.liveKey, row.id, 20_000);
    expect(done).toMatchObject({ status: 'failed', error: { code: 'render_lost' } });
    for (let i = 0; i < 200 && hooks.length < 1; i++) await sleep(25);
    await sleep(500);
    expect(hooks.map((h) => [h.event, h.body.data.id, h.body.data.error.code])).toEqual([['image.failed', row.id, 'render_lost']]);
    await w.stop();
  });

  it('a duplicate execution of a job while the first runs does nothing: one render, one event', async () => {
    const org = await createOrg(t.ds);
    const templateId = await publishedTemplate(t.baseUrl, org.liveKey);
    const png = await solidImage('png', 40, 40, '#0000ff');
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    images.route('/dup.png', async (_req, res, n) => {
      if (n === 2) await held;
      sendPng(res, png);
    });
    const w = await startWorker(QUEUE);
    workers.push(w);
    const post = await api<ImageBody>(t.baseUrl, org.liveKey, 'POST', '/v1/images', {
      template_id: templateId,
      modifications: [{ name: 'photo', image_url: images.url('/dup.png') }],
    });
    for (let i = 0; i < 200 && images.hits('/dup.png') < 2; i++) await sleep(25);
    // The same render requested again, as a duplicated delivery would: another job for the image.
    await t.ds.query(
      `INSERT INTO outbox (id, queue_prefix, topic, aggregate_id, payload) VALUES (gen_random_uuid(), $1, 'render.requested', $2, $3)`,
      [QUEUE.QUEUE_PREFIX, post.body.id, JSON.stringify({ imageId: post.body.id, orgId: org.orgId, jobId: `${post.body.id}:dup` })],
    );
    const dupSent = async () =>
      ((await t.ds.query(`SELECT 1 FROM outbox WHERE aggregate_id = $1 AND payload->>'jobId' LIKE '%:dup' AND sent_at IS NOT NULL`, [post.body.id])) as unknown[])
        .length > 0;
    for (let i = 0; i < 100 && !(await dupSent()); i++) await sleep(50);
    // Time for the worker's second slot to run the duplicate (it finds the live lease and stops).
    await sleep(1000);
    release();
    const done = await waitForImage(t.baseUrl, org.liveKey, post.body.id, 20_000);
    expect(done.status).toBe('completed');
    expect(images.hits('/dup.png')).toBe(2);
    const events = (await t.ds.query(`SELECT topic, payload->>'eventType' AS event_type FROM outbox WHERE aggregate_id = $1 AND topic <> 'render.requested'`, [post.body.id])) as unknown[];
    expect(events).toEqual([{ topic: 'event', event_type: 'image.completed' }]);
    const [row] = (await t.ds.query(`SELECT attempts FROM images WHERE id = $1`, [post.body.id])) as { attempts: number }[];
    expect(row.attempts).toBe(1);
    await w.stop();
  });

  it('on SIGTERM a worker stuck in a render exits at WORKER_SHUTDOWN_GRACE_MS, and another worker finishes the render', async () => {
    const org = await createOrg(t.ds);
    const templateId = await publishedTemplate(t.baseUrl, org.liveKey);
    const png = await solidImage('png', 40, 40, '#ffff00');
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    images.route('/slow.png', async (_req, res, n) => {
      if (n === 2) await held;
      sendPng(res, png);
    });
    // The render must land on this worker: the earlier tests' workers go first.
    await Promise.all(workers.splice(0).map((x) => x.stop('SIGKILL')));
    const w = await startWorker({ ...QUEUE, WORKER_SHUTDOWN_GRACE_MS: '1000' });
    const post = await api<ImageBody>(t.baseUrl, org.liveKey, 'POST', '/v1/images', {
      template_id: templateId,
      modifications: [{ name: 'photo', image_url: images.url('/slow.png') }],
    });
    for (let i = 0; i < 200 && images.hits('/slow.png') < 2; i++) await sleep(25);
    const started = Date.now();
    const code = await w.stop('SIGTERM');
    expect({ code, took: Date.now() - started < 4000, log: w.output().slice(-600) }).toEqual({
      code: 1,
      took: true,
      log: expect.stringContaining('Shutdown grace of 1000 ms exceeded'),
    });
    release();
    const next = await startWorker(QUEUE);
    workers.push(next);
    expect((await waitForImage(t.baseUrl, org.liveKey, post.body.id, 20_000)).status).toBe('completed');
  });

  it('stops cleanly on SIGTERM', async () => {
    const w = await startWorker(QUEUE);
    const code = await w.stop('SIGTERM');
    // The tail of the worker's log is part of the comparison so a failure shows why.
    expect({ code, log: w.output().slice(-2000) }).toEqual({ code: 0, log: expect.stringContaining('Worker stopped') });
    expect(w.output()).toContain('Worker stopped');
  });
});
