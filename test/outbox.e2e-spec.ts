import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { OutboxTopic } from '../src/queue/outbox.types.js';
import { startApi, type TestApp } from './support/app.js';
import { createOrg, type TestOrg } from './support/factories.js';
import { sleep, until } from './support/image-server.js';
import { privateRedis, type PrivateRedis } from './support/redis-server.js';
import { api, type ImageBody, publishedTemplate, waitForImage } from './support/render-flow.js';
import { startWorker, type WorkerProcess } from './support/worker.js';

interface OutboxRow {
  id: string;
  topic: string;
  payload: Record<string, unknown>;
  attempts: number;
  last_error: string | null;
  created_at: Date;
  sent_at: Date | null;
}

/**
 * The API and a worker on a private Redis this file may kill and restart (its data dropped),
 * never the shared one.
 */
describe('the transactional outbox', () => {
  let redis: PrivateRedis;
  let t: TestApp;
  let worker: WorkerProcess;
  let org: TestOrg;
  let templateId: string;
  let env: Record<string, string>;

  const records = async (imageId: string): Promise<OutboxRow[]> =>
    (await t.ds.query(`SELECT id, topic, payload, attempts, last_error, created_at, sent_at FROM outbox WHERE aggregate_id = $1 ORDER BY created_at`, [
      imageId,
    ])) as OutboxRow[];


  beforeAll(async () => {
    redis = await privateRedis();
    await redis.start();
    env = {
      REDIS_URL: redis.url,
      QUEUE_PREFIX: `${process.env.QUEUE_PREFIX}_outbox`,
      REDIS_COMMAND_TIMEOUT_MS: '300',
      OUTBOX_POLL_MS: '100',
      // Bull's close can hang once its Redis was restarted under it; the grace bounds it.
      WORKER_SHUTDOWN_GRACE_MS: '3000',
    };
    t = await startApi(env);
    worker = await startWorker(env);
    org = await createOrg(t.ds);
    templateId = await publishedTemplate(t.baseUrl, org.liveKey);
  });
  afterAll(async () => {
    await worker?.stop();
    await t?.close();
    await redis?.stop();
  });

  it('commits the image with its render request, relays it within a second and records the completion event', async () => {
    const post = await api<ImageBody>(t.baseUrl, org.liveKey, 'POST', '/v1/images', { template_id: templateId });
    expect(post.status).toBe(202);
    const [request] = await records(post.body.id);
    expect(request).toMatchObject({ topic: OutboxTopic.RenderRequested, payload: { imageId: post.body.id, jobId: post.body.id } });
    const sent = await until('the render request to be sent', async () => (await records(post.body.id)).find((r) => r.sent_at !== null));
    expect((sent.sent_at as Date).getTime() - sent.created_at.getTime()).toBeLessThan(1000);
    expect((await waitForImage(t.baseUrl, org.liveKey, post.body.id)).status).toBe('completed');
    const events = await until('the completion event', async () => {
      const all = await records(post.body.id);
      return all.length === 2 && all[1].sent_at !== null && all;
    });
    expect(events.map((r) => r.topic)).toEqual([OutboxTopic.RenderRequested, OutboxTopic.Event]);
    // The event carries the POST's request id on to its webhook jobs.
    expect(events[1].payload).toEqual({
      eventType: 'image.completed',
      orgId: org.orgId,
      resource: { kind: 'image', id: post.body.id },
      destinations: [],
      requestId: post.headers.get('x-request-id'),
    });
  });

  it('with Redis down a POST still answers 202 at once and readyz reports Redis; the render completes once Redis is back (data dropped)', async () => {
    await redis.stop();
    try {
      const ready = await fetch(`${t.baseUrl}/readyz`);
      expect({ status: ready.status, body: await ready.json() }).toEqual({
        status: 200,
        body: { status: 'degraded', checks: { database: 'ok', redis: 'failing' } },
      });
      const started = Date.now();
      const post = await api<ImageBody>(t.baseUrl, org.liveKey, 'POST', '/v1/images', { template_id: templateId });
      expect(post.status).toBe(202);
      expect(Date.now() - started).toBeLessThan(1000);
      // The relay tried, failed within REDIS_COMMAND_TIMEOUT_MS and keeps the record for later.
      const failed = await until('a failed enqueue', async () => (await records(post.body.id)).find((r) => r.attempts > 0));
      expect(failed).toMatchObject({ sent_at: null, last_error: expect.stringContaining('Redis') });
      await redis.start();
      const done = await waitForImage(t.baseUrl, org.liveKey, post.body.id, 30_000);
      expect(done.status).toBe('completed');
      // The relay's retry marks it sent (a command queued while Redis was down may have made the job already).
      await until('the record to be sent', async () => (await records(post.body.id))[0].sent_at !== null);
    } finally {
      await redis.start().catch(() => undefined);
    }
  });

  it('with Redis down, Prefer: wait answers 202 at its deadline', async () => {
    await redis.stop();
    try {
      const started = Date.now();
      const post = await api<ImageBody>(t.baseUrl, org.liveKey, 'POST', '/v1/images', { template_id: templateId }, { Prefer: 'wait=2' });
      const took = Date.now() - started;
      expect({ status: post.status, imageStatus: post.body.status }).toEqual({ status: 202, imageStatus: 'pending' });
      expect(took).toBeGreaterThanOrEqual(1900);
      expect(took).toBeLessThan(3500);
    } finally {
      await redis.start();
    }
  });

  it('concurrent POSTs with one Idempotency-Key make one image; a test key with the same key makes its own', async () => {
    const key = `k-${randomUUID()}`;
    const body = { template_id: templateId, metadata: { k: key } };
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => api<ImageBody>(t.baseUrl, org.liveKey, 'POST', '/v1/images', body, { 'Idempotency-Key': key })),
    );
    const accepted = answers.filter((a) => a.status === 202);
    expect(answers.every((a) => a.status === 202 || (a.status === 409 && JSON.stringify(a.body).includes('idempotency_in_progress')))).toBe(true);
    expect(new Set(accepted.map((a) => a.body.id)).size).toBe(1);
    const again = await api<ImageBody>(t.baseUrl, org.liveKey, 'POST', '/v1/images', body, { 'Idempotency-Key': key });
    expect({ status: again.status, id: again.body.id, replayed: again.headers.get('idempotent-replayed') }).toEqual({
      status: 202,
      id: accepted[0].body.id,
      replayed: 'true',
    });
    const test = await api<ImageBody>(t.baseUrl, org.testKey, 'POST', '/v1/images', body, { 'Idempotency-Key': key });
    expect(test.status).toBe(202);
    expect(test.body.id).not.toBe(accepted[0].body.id);
    const rows = (await t.ds.query(`SELECT is_test FROM images WHERE metadata->>'k' = $1 ORDER BY is_test`, [key])) as { is_test: boolean }[];
    expect(rows).toEqual([{ is_test: false }, { is_test: true }]);
  });

  it('several relays at once send each record once (FOR UPDATE SKIP LOCKED)', async () => {
    const { OutboxRepository } = await import('../src/queue/outbox.repository.js');
    const { loadConfig } = await import('../src/config/config.js');
    // A prefix of its own: no running relay competes for these records.
    const config = loadConfig({ ...process.env, QUEUE_PREFIX: `relay_${randomUUID().slice(0, 8)}` });
    const repo = new OutboxRepository(t.ds, config);
    const aggregate = randomUUID();
    await t.ds.transaction(async (em) => {
      for (let i = 0; i < 60; i++) await repo.append(em, OutboxTopic.ImageFailed, aggregate, { imageId: aggregate, orgId: aggregate, destinations: [] });
    });
    const seen: string[] = [];
    const relay = async (): Promise<void> => {
      while (
        (await repo.relayBatch(7, async (r) => {
          seen.push(r.id);
          await sleep(5);
          return { ok: true };
        })) > 0
      );
    };
    await Promise.all([relay(), relay(), relay(), relay()]);
    expect(seen).toHaveLength(60);
    expect(new Set(seen).size).toBe(60);
    expect(await repo.backlog()).toEqual({ unsent: 0, oldestAgeMs: null });
  });
});
