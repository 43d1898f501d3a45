import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { OutboxRepository } from '../src/queue/outbox.repository.js';
import { OutboxTopic } from '../src/queue/outbox.types.js';
import { QueueName } from '../src/queue/queue.constants.js';
import { WebhookDeliveriesRepository } from '../src/webhooks/webhook-deliveries.repository.js';
import { startApi, type TestApp } from './support/app.js';
import { createKey, createOrg, type TestOrg } from './support/factories.js';
import { sleep, startImageServer, until, type ImageServer } from './support/image-server.js';
import { api, type ImageBody, publishedTemplate, waitForImage } from './support/render-flow.js';
import { startWorker, type WorkerProcess } from './support/worker.js';

/**
 * Organisation webhook endpoints against a real API, a real worker process and receivers on
 * 127.0.0.1. The retry schedule is shrunk 10000x (1 min -> 6 ms, 12 h -> 4.3 s) so six attempts
 * fit in seconds; short Bull locks let a killed worker's delivery be recovered quickly.
 */
const ENV = {
  QUEUE_PREFIX: `${process.env.QUEUE_PREFIX}_whep`,
  WEBHOOK_RETRY_SCALE: '0.0001',
  QUEUE_LOCK_DURATION_MS: '1500',
  QUEUE_STALLED_INTERVAL_MS: '500',
  WEBHOOK_SWEEP_INTERVAL_MS: '200',
  WEBHOOK_SWEEP_AFTER_MS: '2000',
};
const VERSION = (JSON.parse(readFileSync(resolve(process.cwd(), 'package.json'), 'utf8')) as { version: string }).version;

interface Received {
  headers: IncomingHttpHeaders;
  raw: string;
}
interface Endpoint {
  id: string;
  object: string;
  url: string;
  events: string[] | null;
  description: string | null;
  created_at: string;
  secret?: string;
}
interface Attempt {
  attempted_at: string;
  response_status: number | null;
  error: string | null;
  latency_ms: number;
}
interface Delivery {
  id: string;
  event_type: string;
  event_id: string;
  status: string;
  attempts: Attempt[];
  next_retry_at: string | null;
  created_at: string;
}
interface List<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  next_cursor: string | null;
}

/** The README's recipe, verbatim: HMAC-SHA256 of the raw body, hex, compared in constant time. */
function verifies(secret: string, rawBody: string, header: string | string[] | undefined): boolean {
  if (typeof header !== 'string') return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(rawBody).digest('hex'));
  const got = Buffer.from(header);
  return expected.length === got.length && timingSafeEqual(expected, got);
}

describe('webhook endpoints', () => {
  let t: TestApp;
  let worker: WorkerProcess;
  let workerEnv: Record<string, string>;
  let receiver: ImageServer;
  const received = new Map<string, Received[]>();

  /** A receiver path answering `status(n)` to its n-th request (or hanging when it answers null). */
  const receive = (status: (n: number) => number | null): string => {
    const path = `/hook-${randomUUID()}`;
    received.set(path, []);
    receiver.route(path, async (req: IncomingMessage, res: ServerResponse, n: number) => {
      let raw = '';
      for await (const chunk of req) raw += chunk;
      received.get(path)?.push({ headers: req.headers, raw });
      const code = status(n);
      if (code !== null) res.writeHead(code).end();
    });
    return path;
  };
  const got = (path: string): Received[] => received.get(path) ?? [];

  interface Tenant {
    org: TestOrg;
    templateId: string;
  }
  const tenant = async (): Promise<Tenant> => {
    const org = await createOrg(t.ds);
    return { org, templateId: await publishedTemplate(t.baseUrl, org.liveKey) };
  };
  const register = async (key: string, body: Record<string, unknown>): Promise<Endpoint> => {
    const res = await api<Endpoint>(t.baseUrl, key, 'POST', '/v1/webhook-endpoints', body);
    expect(res.status).toBe(201);
    return res.body;
  };
  const render = async (tn: Tenant, extra: Record<string, unknown> = {}): Promise<ImageBody> => {
    const post = await api<ImageBody>(t.baseUrl, tn.org.liveKey, 'POST', '/v1/images', { template_id: tn.templateId, ...extra });
    expect(post.status).toBe(202);
    return waitForImage(t.baseUrl, tn.org.liveKey, post.body.id);
  };
  const deliveries = async (key: string, endpointId: string): Promise<Delivery[]> => {
    const res = await api<List<Delivery>>(t.baseUrl, key, 'GET', `/v1/webhook-endpoints/${endpointId}/deliveries`);
    expect(res.status).toBe(200);
    return res.body.data;
  };

  beforeAll(async () => {
    t = await startApi(ENV);
    // The API's base URL, so the worker signs URLs as GET does.
    workerEnv = { ...ENV, PUBLIC_BASE_URL: t.baseUrl };
    worker = await startWorker(workerEnv);
    receiver = await startImageServer();
  });
  afterAll(async () => {
    await worker?.stop();
    await receiver?.close();
    await t?.close();
  });

  it('registers an endpoint: 201 with its secret once; GET and the list never show it', async () => {
    const { org } = await tenant();
    const url = receiver.url(receive(() => 204));
    const created = await register(org.liveKey, { url, events: ['image.completed'], description: 'orders' });
    expect(created).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      object: 'webhook_endpoint',
      url,
      events: ['image.completed'],
      description: 'orders',
      created_at: expect.any(String),
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9_-]{43}$/),
    });
    const { secret: _secret, ...shown } = created;
    const one = await api<Endpoint>(t.baseUrl, org.liveKey, 'GET', `/v1/webhook-endpoints/${created.id}`);
    expect([one.status, one.body]).toEqual([200, shown]);
    const list = await api<List<Endpoint>>(t.baseUrl, org.liveKey, 'GET', '/v1/webhook-endpoints');
    expect(list.body).toEqual({ object: 'list', data: [shown], has_more: false, next_cursor: null });
    const all = await register(org.liveKey, { url });
    expect([all.events, all.description]).toEqual([null, null]);
    const page = await api<List<Endpoint>>(t.baseUrl, org.liveKey, 'GET', '/v1/webhook-endpoints?limit=1');
    expect([page.body.data.map((e) => e.id), page.body.has_more]).toEqual([[all.id], true]);
    const next = await api<List<Endpoint>>(t.baseUrl, org.liveKey, 'GET', `/v1/webhook-endpoints?limit=1&cursor=${page.body.next_cursor}`);
    expect([next.body.data.map((e) => e.id), next.body.has_more]).toEqual([[created.id], false]);
  });

  it('signs each event with the endpoint secret; fails twice then succeeds: three attempts, one delivery id, all logged', async () => {
    const tn = await tenant();
    const flaky = receive((n) => (n <= 2 ? 500 : 204));
    const perRender = receive(() => 204);
    const endpoint = await register(tn.org.liveKey, { url: receiver.url(flaky) });
    const done = await render(tn, { webhook_url: receiver.url(perRender) });
    const attempts = await until('three attempts', () => got(flaky).length >= 3 && got(flaky));
    await sleep(300);
    expect(got(flaky)).toHaveLength(3);
    for (const r of attempts) {
      expect(verifies(endpoint.secret as string, r.raw, r.headers['x-imtegrate-signature'])).toBe(true);
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.headers['user-agent']).toBe(`Imtegrate-Webhooks/${VERSION}`);
    }
    expect(new Set(attempts.map((r) => r.headers['x-imtegrate-delivery-id'])).size).toBe(1);
    const event = JSON.parse(attempts[2].raw) as { type: string; created_at: string; data: Record<string, unknown> };
    expect(Object.keys(event)).toEqual(['type', 'created_at', 'data']);
    expect(event.type).toBe('image.completed');
    // The data is the image as GET answers it (URLs signed afresh: compare them without their query).
    const strip = (o: Record<string, unknown>): Record<string, unknown> => ({
      ...o,
      result_url: String(o.result_url).split('?')[0],
      thumbnail_url: o.thumbnail_url === null ? null : String(o.thumbnail_url).split('?')[0],
    });
    expect(strip(event.data)).toEqual(strip(done as unknown as Record<string, unknown>));
    expect(event.data.result_url).toMatch(/^http.*signature=/);

    // The per-render webhook_url got the same event once, signed with the organisation's secret.
    await until('the per-render delivery', () => got(perRender).length === 1);
    const [{ signing_secret: orgSecret }] = (await t.ds.query('SELECT signing_secret FROM organizations WHERE id = $1', [tn.org.orgId])) as { signing_secret: string }[];
    expect(verifies(orgSecret, got(perRender)[0].raw, got(perRender)[0].headers['x-imtegrate-signature'])).toBe(true);
    expect(verifies(endpoint.secret as string, got(perRender)[0].raw, got(perRender)[0].headers['x-imtegrate-signature'])).toBe(false);
    expect(got(perRender)[0].headers['x-imtegrate-delivery-id']).not.toBe(attempts[0].headers['x-imtegrate-delivery-id']);

    const log = await until('the delivery to be marked succeeded', async () => {
      const d = await deliveries(tn.org.liveKey, endpoint.id);
      return d.length === 1 && d[0].status === 'succeeded' && d;
    }, 20_000);
    expect(log[0]).toMatchObject({ id: attempts[0].headers['x-imtegrate-delivery-id'], event_type: 'image.completed', next_retry_at: null });
    expect(log[0].attempts.map((a) => [a.response_status, a.error])).toEqual([
      [500, 'HTTP 500'],
      [500, 'HTTP 500'],
      [204, null],
    ]);
    for (const a of log[0].attempts) expect(a.latency_ms).toBeGreaterThanOrEqual(0);
  });

  it('a receiver that always fails ends as a failed delivery after six attempts, still listed', async () => {
    const tn = await tenant();
    const down = receive(() => 503);
    const endpoint = await register(tn.org.liveKey, { url: receiver.url(down) });
    await render(tn);
    const log = await until(
      'the delivery to fail',
      async () => {
        const d = await deliveries(tn.org.liveKey, endpoint.id);
        return d.length === 1 && d[0].status === 'failed' && d;
      },
      30_000,
    );
    expect(log[0].attempts).toHaveLength(6);
    expect(log[0].attempts.every((a) => a.response_status === 503)).toBe(true);
    expect(log[0].next_retry_at).toBeNull();
    await sleep(500);
    expect(got(down)).toHaveLength(6);
    expect(got(down).map((r) => r.headers['x-imtegrate-attempt'])).toEqual(['1', '2', '3', '4', '5', '6']);
    // The row decided it failed; its job is failed too, not waiting on a spare Bull attempt.
    const job = await t.app.get<Queue>(getQueueToken(QueueName.Webhooks)).getJob(log[0].id);
    expect(await job?.getState()).toBe('failed');
  });

  it('while an attempt is pending the log shows when the next one is due', async () => {
    const tn = await tenant();
    const down = receive(() => 500);
    const endpoint = await register(tn.org.liveKey, { url: receiver.url(down) });
    await render(tn);
    const pending = await until('a pending delivery with an attempt', async () => {
      const d = await deliveries(tn.org.liveKey, endpoint.id);
      return d.length === 1 && d[0].status === 'pending' && d[0].attempts.length > 0 && d[0];
    });
    expect(pending.next_retry_at).toEqual(expect.any(String));
    expect(new Date(pending.next_retry_at as string).getTime()).toBeGreaterThanOrEqual(new Date(pending.attempts[pending.attempts.length - 1].attempted_at).getTime());
  });

  it('a 2xx with a body of any size is a success: only the status of the answer counts', async () => {
    const tn = await tenant();
    const path = `/hook-${randomUUID()}`;
    let hits = 0;
    // 1 MB, far past the 64 KB of an answer that are read.
    receiver.route(path, async (req: IncomingMessage, res: ServerResponse) => {
      for await (const chunk of req) void chunk;
      hits++;
      res.writeHead(200, { 'content-type': 'text/html' }).end('<p>thanks</p>'.repeat(80_000));
    });
    const ep = await register(tn.org.liveKey, { url: receiver.url(path), events: ['image.completed'] });
    await render(tn);
    await until('the delivery to succeed', async () => (await deliveries(tn.org.liveKey, ep.id)).some((d) => d.status === 'succeeded'));
    const [delivery] = await deliveries(tn.org.liveKey, ep.id);
    expect({ status: delivery.status, attempts: delivery.attempts.map((a) => [a.response_status, a.error]), hits }).toEqual({
      status: 'succeeded',
      attempts: [[200, null]],
      hits: 1,
    });
  });

  it('an endpoint gets only the events it subscribes to', async () => {
    const tn = await tenant();
    const completedOnly = receive(() => 204);
    const failedOnly = receive(() => 204);
    const a = await register(tn.org.liveKey, { url: receiver.url(completedOnly), events: ['image.completed'] });
    const b = await register(tn.org.liveKey, { url: receiver.url(failedOnly), events: ['image.failed', 'collection.completed'] });
    await render(tn);
    await until('the image.completed delivery', () => got(completedOnly).length === 1);
    await sleep(500);
    expect(got(failedOnly)).toHaveLength(0);
    expect(await deliveries(tn.org.liveKey, b.id)).toEqual([]);
    expect((await deliveries(tn.org.liveKey, a.id)).map((d) => d.event_type)).toEqual(['image.completed']);
  });

  it('rotate-secret answers a new secret once; later events are signed with it', async () => {
    const tn = await tenant();
    const path = receive(() => 204);
    const endpoint = await register(tn.org.liveKey, { url: receiver.url(path) });
    const rotated = await api<Endpoint>(t.baseUrl, tn.org.liveKey, 'POST', `/v1/webhook-endpoints/${endpoint.id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body).toMatchObject({ id: endpoint.id, url: endpoint.url, secret: expect.stringMatching(/^whsec_/) });
    expect(rotated.body.secret).not.toBe(endpoint.secret);
    expect((await api<Endpoint>(t.baseUrl, tn.org.liveKey, 'GET', `/v1/webhook-endpoints/${endpoint.id}`)).body).not.toHaveProperty('secret');
    await render(tn);
    const [r] = await until('the delivery', () => got(path).length === 1 && got(path));
    expect(verifies(rotated.body.secret as string, r.raw, r.headers['x-imtegrate-signature'])).toBe(true);
    expect(verifies(endpoint.secret as string, r.raw, r.headers['x-imtegrate-signature'])).toBe(false);
  });

  it('a deleted endpoint is 404 and gets no further events', async () => {
    const tn = await tenant();
    const path = receive(() => 204);
    const endpoint = await register(tn.org.liveKey, { url: receiver.url(path) });
    const del = await api(t.baseUrl, tn.org.liveKey, 'DELETE', `/v1/webhook-endpoints/${endpoint.id}`);
    expect([del.status, del.body]).toEqual([204, null]);
    for (const [method, suffix] of [['GET', ''], ['DELETE', ''], ['POST', '/rotate-secret'], ['GET', '/deliveries']] as const) {
      const res = await api<{ detail: string }>(t.baseUrl, tn.org.liveKey, method, `/v1/webhook-endpoints/${endpoint.id}${suffix}`);
      expect([method, suffix, res.status]).toEqual([method, suffix, 404]);
    }
    expect((await api<List<Endpoint>>(t.baseUrl, tn.org.liveKey, 'GET', '/v1/webhook-endpoints')).body.data).toEqual([]);
    const perRender = receive(() => 204);
    await render(tn, { webhook_url: receiver.url(perRender) });
    await until('the per-render delivery', () => got(perRender).length === 1);
    await sleep(300);
    expect(got(path)).toHaveLength(0);
  });

  it("another organisation's endpoints and deliveries are 404 and never listed", async () => {
    const mine = await tenant();
    const other = await createOrg(t.ds);
    const endpoint = await register(mine.org.liveKey, { url: receiver.url(receive(() => 204)) });
    for (const [method, suffix] of [['GET', ''], ['GET', '/deliveries'], ['POST', '/rotate-secret'], ['DELETE', '']] as const) {
      const res = await api<{ detail: string }>(t.baseUrl, other.liveKey, method, `/v1/webhook-endpoints/${endpoint.id}${suffix}`);
      expect([method, suffix, res.status, res.body]).toEqual([method, suffix, 404, { detail: 'Webhook endpoint not found' }]);
    }
    expect((await api<List<Endpoint>>(t.baseUrl, other.liveKey, 'GET', '/v1/webhook-endpoints')).body.data).toEqual([]);
    // Still there, unchanged, for its owner.
    expect((await api<Endpoint>(t.baseUrl, mine.org.liveKey, 'GET', `/v1/webhook-endpoints/${endpoint.id}`)).status).toBe(200);
  });

  // IP literals only: the policy decides them without DNS or a connection, so no traffic leaves.
  it.each(['http://10.0.0.7/hook', 'http://169.254.169.254/latest/meta-data/', 'http://[fd00:ec2::254]/', 'http://192.168.1.1/'])(
    'refuses the internal address %s at registration with a 400 naming url',
    async (url) => {
      const org = await createOrg(t.ds);
      const res = await api<unknown>(t.baseUrl, org.liveKey, 'POST', '/v1/webhook-endpoints', { url });
      expect([res.status, res.body]).toEqual([
        400,
        { detail: { code: 'invalid_webhook_url', errors: [{ name: 'url', reason: 'url the address is not publicly routable' }] } },
      ]);
      expect((await api<List<Endpoint>>(t.baseUrl, org.liveKey, 'GET', '/v1/webhook-endpoints')).body.data).toEqual([]);
    },
  );

  it('refuses a URL that is not http(s) (400) and unknown event types (422)', async () => {
    const org = await createOrg(t.ds);
    const bad = await api<{ detail: { code: string; errors: { name: string; reason: string }[] } }>(t.baseUrl, org.liveKey, 'POST', '/v1/webhook-endpoints', {
      url: 'file:///etc/passwd',
    });
    expect([bad.status, bad.body.detail.code, bad.body.detail.errors[0].name]).toEqual([400, 'invalid_webhook_url', 'url']);
    const events = await api<{ detail: { loc: unknown[] }[] }>(t.baseUrl, org.liveKey, 'POST', '/v1/webhook-endpoints', {
      url: receiver.url('/x'),
      events: ['image.exploded'],
    });
    expect(events.status).toBe(422);
    expect(events.body.detail[0].loc).toEqual(['body', 'events', 0]);
  });

  it('a webhooks:read key reads endpoints but cannot create or rotate them', async () => {
    const { org } = await tenant();
    const endpoint = await register(org.liveKey, { url: receiver.url(receive(() => 204)) });
    const reader = (await createKey(t.ds, org.orgId, ['webhooks:read'])).key;
    expect((await api(t.baseUrl, reader, 'GET', `/v1/webhook-endpoints/${endpoint.id}`)).status).toBe(200);
    expect((await api(t.baseUrl, reader, 'GET', `/v1/webhook-endpoints/${endpoint.id}/deliveries`)).status).toBe(200);
    expect((await api(t.baseUrl, reader, 'POST', '/v1/webhook-endpoints', { url: endpoint.url })).status).toBe(403);
    expect((await api(t.baseUrl, reader, 'POST', `/v1/webhook-endpoints/${endpoint.id}/rotate-secret`)).status).toBe(403);
  });

  it('delivers an image event written in the outbox by the previous version (old payload shape)', async () => {
    const tn = await tenant();
    const path = receive(() => 204);
    const perRender = receive(() => 204);
    const endpoint = await register(tn.org.liveKey, { url: receiver.url(path) });
    const done = await render(tn);
    await until('the new-shape delivery', () => got(path).length === 1);
    const outbox = t.app.get(OutboxRepository);
    await t.ds.transaction((em) =>
      outbox.append(em, OutboxTopic.ImageCompleted, done.id, { imageId: done.id, orgId: tn.org.orgId, destinations: [receiver.url(perRender)] }),
    );
    outbox.announce();
    await until('the legacy event at the endpoint and the per-render URL', () => got(path).length === 2 && got(perRender).length === 1);
    const legacy = JSON.parse(got(path)[1].raw) as { type: string; data: { id: string } };
    expect([legacy.type, legacy.data.id]).toEqual(['image.completed', done.id]);
    expect(verifies(endpoint.secret as string, got(path)[1].raw, got(path)[1].headers['x-imtegrate-signature'])).toBe(true);
  });

  it('a worker killed during a delivery loses no event: the next worker delivers it, same delivery id', async () => {
    const tn = await tenant();
    let release: (() => void) | undefined;
    const path = `/hook-${randomUUID()}`;
    const seen: Received[] = [];
    receiver.route(path, async (req, res, n) => {
      let raw = '';
      for await (const chunk of req) raw += chunk;
      seen.push({ headers: req.headers, raw });
      // The first attempt hangs until the worker running it is dead.
      if (n === 1) await new Promise<void>((r) => (release = r));
      res.writeHead(204).end();
    });
    const endpoint = await register(tn.org.liveKey, { url: receiver.url(path) });
    await render(tn);
    await until('the first attempt to be in flight', () => seen.length === 1);
    await worker.stop('SIGKILL');
    release?.();
    worker = await startWorker(workerEnv);
    await until('the redelivery', () => seen.length === 2, 30_000);
    expect(seen[1].headers['x-imtegrate-delivery-id']).toBe(seen[0].headers['x-imtegrate-delivery-id']);
    expect(verifies(endpoint.secret as string, seen[1].raw, seen[1].headers['x-imtegrate-signature'])).toBe(true);
    const log = await until('the delivery to be marked succeeded', async () => {
      const d = await deliveries(tn.org.liveKey, endpoint.id);
      return d.length === 1 && d[0].status === 'succeeded' && d;
    });
    expect(log[0].attempts.at(-1)?.response_status).toBe(204);
  });

  it('the retention sweep deletes finished deliveries older than WEBHOOK_DELIVERY_RETENTION_DAYS and keeps the rest', async () => {
    const org = await createOrg(t.ds);
    const row = (status: string, daysAgo: number): unknown[] => [randomUUID(), org.orgId, status, `${daysAgo} days`];
    const rows = [row('succeeded', 40), row('failed', 31), row('succeeded', 29), row('pending', 90)];
    for (const r of rows) {
      await t.ds.query(
        `INSERT INTO webhook_deliveries (id, queue_prefix, org_id, url, event_id, event_type, resource_kind, resource_id, occurred_at, status, updated_at)
         VALUES ($1, 'prune-test', $2, 'http://127.0.0.1/x', gen_random_uuid(), 'image.completed', 'image', gen_random_uuid(), now(), $3, now() - $4::interval)`,
        r,
      );
    }
    expect(await t.app.get(WebhookDeliveriesRepository).pruneFinished(30)).toBe(2);
    const left = (await t.ds.query(`SELECT status FROM webhook_deliveries WHERE org_id = $1 ORDER BY status`, [org.orgId])) as { status: string }[];
    expect(left.map((r) => r.status)).toEqual(['pending', 'succeeded']);
  });

  it('a pending delivery whose job Redis lost is queued again by the sweeper and delivered', async () => {
    const tn = await tenant();
    const done = await render(tn);
    // Registered after the event, so the relay did not plan a delivery to it: the row below is the only one.
    const path = receive(() => 204);
    const endpoint = await register(tn.org.liveKey, { url: receiver.url(path) });
    const id = randomUUID();
    await t.ds.query(
      `INSERT INTO webhook_deliveries (id, queue_prefix, org_id, endpoint_id, url, event_id, event_type, resource_kind, resource_id, occurred_at, created_at)
       VALUES ($1, $2, $3, $4, $5, gen_random_uuid(), 'image.completed', 'image', $6, now(), now() - interval '1 minute')`,
      [id, ENV.QUEUE_PREFIX, tn.org.orgId, endpoint.id, endpoint.url, done.id],
    );
    const [r] = await until('the swept delivery', () => got(path).length === 1 && got(path));
    expect(r.headers['x-imtegrate-delivery-id']).toBe(id);
    expect(verifies(endpoint.secret as string, r.raw, r.headers['x-imtegrate-signature'])).toBe(true);
    await until('the row to be succeeded', async () => (await deliveries(tn.org.liveKey, endpoint.id))[0]?.status === 'succeeded');
    await sleep(600);
    expect(got(path)).toHaveLength(1);
  });

  it('a relay leaves a record of a topic it does not know (a newer version wrote it) unsent, never dropped', async () => {
    const id = randomUUID();
    await t.ds.query(`INSERT INTO outbox (id, queue_prefix, topic, aggregate_id, payload) VALUES ($1, $2, 'future.thing', $1, '{}')`, [id, ENV.QUEUE_PREFIX]);
    t.app.get(OutboxRepository).announce();
    const [row] = await until('a relay to have tried it', async () => {
      const rows = (await t.ds.query(`SELECT sent_at, attempts, last_error FROM outbox WHERE id = $1`, [id])) as { sent_at: Date | null; attempts: number; last_error: string | null }[];
      return rows[0].attempts > 0 && rows;
    });
    expect(row).toMatchObject({ sent_at: null, last_error: expect.stringContaining('unknown outbox topic "future.thing"') });
    await t.ds.query(`DELETE FROM outbox WHERE id = $1`, [id]);
  });
});
