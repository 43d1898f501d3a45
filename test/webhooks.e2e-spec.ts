import type { IncomingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { verifyWebhookSignature } from '../src/webhooks/signing.js';
import { startApi, type TestApp } from './support/app.js';
import { createOrg, type TestOrg } from './support/factories.js';
import { sleep, startImageServer, type ImageServer } from './support/image-server.js';
import { api, type ImageBody, publishedTemplate, waitForImage } from './support/render-flow.js';
import { startWorker, type WorkerProcess } from './support/worker.js';

// Own queue prefix, and a retry schedule shrunk 1000x (1 min -> 60 ms).
const ENV = { QUEUE_PREFIX: `${process.env.QUEUE_PREFIX}_webhooks`, WEBHOOK_RETRY_SCALE: '0.001' };

interface Received {
  headers: IncomingHttpHeaders;
  raw: string;
}

describe('per-render webhooks', () => {
  let t: TestApp;
  let worker: WorkerProcess;
  let receiver: ImageServer;
  let org: TestOrg;
  let secret: string;
  let templateId: string;
  const received: Received[] = [];

  beforeAll(async () => {
    t = await startApi(ENV);
    worker = await startWorker(ENV);
    receiver = await startImageServer();
    org = await createOrg(t.ds);
    [{ signing_secret: secret }] = (await t.ds.query('SELECT signing_secret FROM organizations WHERE id = $1', [org.orgId])) as { signing_secret: string }[];
    templateId = await publishedTemplate(t.baseUrl, org.liveKey);
    receiver.route('/hook', async (req, res, n) => {
      let raw = '';
      for await (const chunk of req) raw += chunk;
      received.push({ headers: req.headers, raw });
      // The first delivery fails, so the retry path is exercised too.
      res.writeHead(n === 1 ? 500 : 204).end();
    });
  });
  afterAll(async () => {
    await worker?.stop();
    await receiver?.close();
    await t?.close();
  });

  it('POSTs a signed image.completed event, retrying a failed attempt with the same delivery id', async () => {
    const post = await api<ImageBody>(t.baseUrl, org.liveKey, 'POST', '/v1/images', { template_id: templateId, webhook_url: receiver.url('/hook') });
    expect(post.status).toBe(202);
    const done = await waitForImage(t.baseUrl, org.liveKey, post.body.id);
    for (let i = 0; i < 200 && received.length < 2; i++) await sleep(25);
    expect(received).toHaveLength(2);
    const [first, second] = received;
    for (const r of received) {
      expect(r.headers['content-type']).toBe('application/json');
      expect(verifyWebhookSignature(secret, r.raw, r.headers['x-imtegrate-signature'] as string)).toBe(true);
    }
    expect(first.headers['x-imtegrate-delivery-id']).toBe(second.headers['x-imtegrate-delivery-id']);
    expect([first.headers['x-imtegrate-attempt'], second.headers['x-imtegrate-attempt']]).toEqual(['1', '2']);
    const event = JSON.parse(second.raw) as { type: string; created_at: string; data: ImageBody };
    expect(event.type).toBe('image.completed');
    expect(event.data).toMatchObject({ id: done.id, status: 'completed' });
    expect(event.data.result_url).toMatch(/^http/);
  });

  it('refuses a webhook_url that is not http(s) with a 400 before queueing', async () => {
    const res = await api<{ detail: { code: string } }>(t.baseUrl, org.liveKey, 'POST', '/v1/images', { template_id: templateId, webhook_url: 'file:///etc/passwd' });
    expect([res.status, res.body.detail.code]).toEqual([400, 'invalid_webhook_url']);
  });

  // IP literals only: the policy decides them without DNS or a connection, so no traffic leaves.
  it.each(['http://10.0.0.7/hook', 'http://169.254.169.254/latest/meta-data/', 'http://[fd00:ec2::254]/', 'http://[::ffff:192.168.0.1]/', 'http://100.64.0.1/'])(
    'refuses the internal destination %s at the door with a 400 naming webhook_url, queueing nothing',
    async (url) => {
      const before = await t.ds.query(`SELECT count(*)::int AS n FROM images WHERE org_id = $1`, [org.orgId]);
      const res = await api<{ detail: { code: string; errors: { name: string; reason: string }[] } }>(t.baseUrl, org.liveKey, 'POST', '/v1/images', {
        template_id: templateId,
        webhook_url: url,
      });
      expect([res.status, res.body.detail.code, res.body.detail.errors]).toEqual([
        400,
        'invalid_webhook_url',
        [{ name: 'webhook_url', reason: 'webhook_url the address is not publicly routable' }],
      ]);
      expect(await t.ds.query(`SELECT count(*)::int AS n FROM images WHERE org_id = $1`, [org.orgId])).toEqual(before);
    },
  );
});
