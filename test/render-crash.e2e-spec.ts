import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { solidImage } from './fixtures/images.js';
import { startApi, type TestApp } from './support/app.js';
import { createOrg, insertImage } from './support/factories.js';
import { sendPng, sleep, startImageServer, type ImageServer } from './support/image-server.js';
import { api, type ImageBody, publishedTemplate, waitForImage } from './support/render-flow.js';
import { startWorker, type WorkerProcess } from './support/worker.js';

// Own queue prefix: the other e2e files' workers must not pick these jobs up.
const QUEUE = { QUEUE_PREFIX: `${process.env.QUEUE_PREFIX}_crash`, QUEUE_LOCK_DURATION_MS: '1500', QUEUE_STALLED_INTERVAL_MS: '500' };

describe('a worker killed mid-render', () => {
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
    const w = await startWorker({ ...QUEUE, RENDER_SWEEP_AFTER_MS: '1000' });
    workers.push(w);
    const done = await waitForImage(t.baseUrl, org.liveKey, lost.id, 20_000);
    expect(done.status).toBe('completed');
    expect(w.output()).toMatch(/re-enqueued or failed \d+ stale render/);
    await w.stop();
  });

  it('stops cleanly on SIGTERM', async () => {
    const w = await startWorker(QUEUE);
    const code = await w.stop('SIGTERM');
    // The tail of the worker's log is part of the comparison so a failure shows why.
    expect({ code, log: w.output().slice(-2000) }).toEqual({ code: 0, log: expect.stringContaining('Worker stopped') });
    expect(w.output()).toContain('Worker stopped');
  });
});
