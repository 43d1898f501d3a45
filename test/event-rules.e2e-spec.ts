import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import Stripe from 'stripe';
import { signWebhookBody, verifyWebhookSignature } from '../src/webhooks/signing.js';
import { solidImage } from './fixtures/images.js';
import { RulesRepository } from '../src/events/rules.repository.js';
import { startApi, type TestApp } from './support/app.js';
import { createOrg, type TestOrg } from './support/factories.js';
import { sendPng, sleep, startImageServer, type ImageServer } from './support/image-server.js';
import { api, publishedTemplate, waitForImage } from './support/render-flow.js';
import { startWorker, type WorkerProcess } from './support/worker.js';

// Own queue prefix (the schedules queue must hold only this spec's repeatable jobs); webhook retries shrunk.
const MAX_RULES = 20;
const ENV = {
  QUEUE_PREFIX: `${process.env.QUEUE_PREFIX}_rules`,
  WEBHOOK_RETRY_SCALE: '0.001',
  INGEST_RATE_LIMIT_PER_MINUTE: '40',
  INGEST_MAX_BODY_BYTES: '65536',
  // The schedule test fires every second; the default would refuse it (every 60 s at most).
  EVENT_SCHEDULE_MIN_INTERVAL_SECONDS: '1',
  MAX_EVENT_RULES_PER_ORG: String(MAX_RULES),
};

interface Run {
  id: string;
  rule_id: string;
  event_id: string | null;
  scheduled_at: string | null;
  status: 'matched' | 'skipped' | 'failed';
  reason: string | null;
  modifications: Record<string, unknown>[] | null;
  image_id: string | null;
  error: { code: string; message: string; path?: string } | null;
}
interface IngestBody {
  id: string;
  event_id: string;
  type: string;
  replayed: boolean;
  runs: Run[];
}
interface Source {
  id: string;
  type: string;
  ingest_url: string;
  secret?: string;
}
interface Coded {
  detail: { code: string; errors: { name: string; reason: string }[] };
}
interface List<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  next_cursor: string | null;
}
interface Received {
  headers: IncomingHttpHeaders;
  raw: string;
}

async function post(url: string, raw: string, headers: Record<string, string>): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: raw });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

describe('event rules, sources and schedules', () => {
  let t: TestApp;
  const workers: WorkerProcess[] = [];
  let server: ImageServer;
  let org: TestOrg;
  let other: TestOrg;
  let orgSecret: string;
  let templateId: string;
  const received: Received[] = [];
  const stripeSecret = `whsec_${randomBytes(24).toString('hex')}`;
  let stripe: Source;

  const count = async (sql: string, params: unknown[]): Promise<number> => ((await t.ds.query(sql, params)) as { n: number }[])[0].n;
  const rule = (body: Record<string, unknown>) => api<{ id: string } & Coded>(t.baseUrl, org.liveKey, 'POST', '/v1/event-rules', { name: 'r', template_id: templateId, ...body });
  const runsOf = async (ruleId: string): Promise<Run[]> => (await api<List<Run>>(t.baseUrl, org.liveKey, 'GET', `/v1/event-rules/${ruleId}/runs?limit=100`)).body.data;
  const stripeEvent = (id: string, object: Record<string, unknown>, type = 'checkout.session.completed'): string =>
    JSON.stringify({ id, object: 'event', type, created: Math.floor(Date.now() / 1000), data: { object } });
  const sendStripe = (payload: string, secret = stripeSecret) =>
    post(stripe.ingest_url, payload, { 'Stripe-Signature': Stripe.webhooks.generateTestHeaderString({ payload, secret }) });

  beforeAll(async () => {
    t = await startApi(ENV);
    // Two workers: renders, deliveries and schedule ticks are shared between them.
    workers.push(await startWorker(ENV), await startWorker(ENV));
    server = await startImageServer();
    const avatar = await solidImage('png', 40, 40, '#00ff00');
    server.route('/avatar.png', (_req, res) => sendPng(res, avatar));
    server.route('/dest', async (req, res) => {
      let raw = '';
      for await (const chunk of req) raw += chunk;
      received.push({ headers: req.headers, raw });
      res.writeHead(204).end();
    });
    org = await createOrg(t.ds);
    other = await createOrg(t.ds);
    [{ signing_secret: orgSecret }] = (await t.ds.query('SELECT signing_secret FROM organizations WHERE id = $1', [org.orgId])) as { signing_secret: string }[];
    templateId = await publishedTemplate(t.baseUrl, org.liveKey);
    const created = await api<Source>(t.baseUrl, org.liveKey, 'POST', '/v1/event-sources', { type: 'stripe', name: 'Stripe', secret: stripeSecret });
    expect(created.status).toBe(201);
    stripe = created.body;
  }, 120_000);
  afterAll(async () => {
    for (const w of workers) await w.stop();
    await server?.close();
    await t?.close();
  });

  it('a signed Stripe event fires its rule once: the mapped values render, the destination gets the signed image.completed, a replay renders nothing more', async () => {
    expect(stripe).toMatchObject({ type: 'stripe', secret: stripeSecret, ingest_url: `${t.baseUrl}/v1/ingest/${stripe.id}` });
    const r = await rule({
      event_type: 'stripe.checkout.session.completed',
      mapping: { headline: '$.data.object.customer_details.name', photo: { image_url: '$.data.object.metadata.avatar' } },
      filter: [{ path: '$.data.object.mode', equals: 'payment' }],
      destination_url: server.url('/dest'),
    });
    expect(r.status).toBe(201);
    const payload = stripeEvent(`evt_${randomUUID()}`, { mode: 'payment', customer_details: { name: 'Ada Lovelace' }, metadata: { avatar: server.url('/avatar.png') } });

    const first = await sendStripe(payload);
    expect(first.status).toBe(200);
    const body = first.body as IngestBody;
    expect(body).toMatchObject({ type: 'stripe.checkout.session.completed', replayed: false });
    expect(body.runs).toHaveLength(1);
    const [run] = body.runs;
    expect(run).toMatchObject({ rule_id: r.body.id, status: 'matched', event_id: body.event_id });
    const image = await waitForImage(t.baseUrl, org.liveKey, run.image_id as string);
    expect(image.status).toBe('completed');
    const stored = (await t.ds.query('SELECT modifications, webhook_url FROM images WHERE id = $1', [image.id])) as { modifications: unknown; webhook_url: string }[];
    // jsonb keeps no key order (the mapping's layers come back in its own order).
    expect(stored[0].modifications).toEqual(
      expect.arrayContaining([
        { name: 'headline', text: 'Ada Lovelace' },
        { name: 'photo', image_url: server.url('/avatar.png') },
      ]),
    );
    expect(run.modifications).toHaveLength(2);
    expect(stored[0].webhook_url).toBe(server.url('/dest'));

    for (let i = 0; i < 200 && received.length === 0; i++) await sleep(25);
    expect(received).toHaveLength(1);
    const [delivery] = received;
    expect(verifyWebhookSignature(orgSecret, delivery.raw, delivery.headers['x-imtegrate-signature'] as string)).toBe(true);
    expect(JSON.parse(delivery.raw)).toMatchObject({ type: 'image.completed', data: { id: image.id, status: 'completed' } });

    const imagesBefore = await count('SELECT count(*)::int AS n FROM images WHERE org_id = $1', [org.orgId]);
    const replay = await sendStripe(payload);
    expect(replay.status).toBe(200);
    expect(replay.body).toMatchObject({ id: body.id, replayed: true, runs: [{ id: run.id, image_id: run.image_id }] });
    await sleep(300);
    expect(await count('SELECT count(*)::int AS n FROM images WHERE org_id = $1', [org.orgId])).toBe(imagesBefore);
    expect(await runsOf(r.body.id)).toHaveLength(1);
    expect(await count('SELECT count(*)::int AS n FROM ingested_events WHERE source_id = $1', [stripe.id])).toBe(1);
  });

  it('a bad or missing Stripe signature is a 401 and records nothing', async () => {
    const before = await count('SELECT count(*)::int AS n FROM ingested_events WHERE source_id = $1', [stripe.id]);
    const payload = stripeEvent(`evt_${randomUUID()}`, { mode: 'payment', customer_details: { name: 'Mallory' } });
    expect((await sendStripe(payload, `whsec_${randomBytes(24).toString('hex')}`)).status).toBe(401);
    expect((await post(stripe.ingest_url, payload, {})).status).toBe(401);
    // Signed, then altered: the signature is over the exact bytes.
    const header = Stripe.webhooks.generateTestHeaderString({ payload, secret: stripeSecret });
    expect((await post(stripe.ingest_url, payload.replace('Mallory', 'Eve'), { 'Stripe-Signature': header })).status).toBe(401);
    expect(await count('SELECT count(*)::int AS n FROM ingested_events WHERE source_id = $1', [stripe.id])).toBe(before);
  });

  it('the same event sent three times at once is recorded once and renders once', async () => {
    const r = await rule({ event_type: 'stripe.charge.succeeded', mapping: { headline: '$.data.object.description' } });
    expect(r.status).toBe(201);
    const payload = stripeEvent(`evt_${randomUUID()}`, { description: 'Concurrent' }, 'charge.succeeded');
    const answers = await Promise.all([sendStripe(payload), sendStripe(payload), sendStripe(payload)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(answers.filter((a) => !(a.body as IngestBody).replayed)).toHaveLength(1);
    expect(new Set(answers.map((a) => (a.body as IngestBody).runs[0]?.image_id)).size).toBe(1);
    const runs = await runsOf(r.body.id);
    expect(runs).toHaveLength(1);
    expect(await count(`SELECT count(*)::int AS n FROM images WHERE org_id = $1 AND metadata->>'event_rule_id' = $2`, [org.orgId, r.body.id])).toBe(1);
  });

  it('refuses a Stripe signature older than the five-minute tolerance, and bodies over INGEST_MAX_BODY_BYTES', async () => {
    const payload = stripeEvent(`evt_${randomUUID()}`, { mode: 'payment' });
    const old = Stripe.webhooks.generateTestHeaderString({ payload, secret: stripeSecret, timestamp: Math.floor(Date.now() / 1000) - 600 });
    expect((await post(stripe.ingest_url, payload, { 'Stripe-Signature': old })).status).toBe(401);
    const big = stripeEvent(`evt_${randomUUID()}`, { pad: 'x'.repeat(70_000) });
    expect((await sendStripe(big)).status).toBe(413);
    expect((await fetch(stripe.ingest_url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: payload })).status).toBe(415);
  });

  it('rate-limits each source on its own (INGEST_RATE_LIMIT_PER_MINUTE), before reading the body', async () => {
    const created = await api<Source>(t.baseUrl, org.liveKey, 'POST', '/v1/event-sources', { type: 'webhook', name: 'noisy' });
    const statuses: number[] = [];
    for (let i = 0; i < 41; i++) statuses.push((await post(created.body.ingest_url, '{}', {})).status);
    expect(statuses.slice(0, 40).every((s) => s === 401)).toBe(true);
    expect(statuses[40]).toBe(429);
    // Another source is not affected.
    expect((await post(stripe.ingest_url, '{}', {})).status).toBe(401);
  });

  it('a filter that does not hold skips the run, saying why; a mapped path without a value fails it, naming the path, with no render', async () => {
    const r = await rule({ event_type: 'stripe.invoice.paid', mapping: { headline: '$.data.object.customer_name' }, filter: [{ path: '$.data.object.paid', equals: true }] });
    expect(r.status).toBe(201);
    const imagesBefore = await count('SELECT count(*)::int AS n FROM images WHERE org_id = $1', [org.orgId]);

    const skipped = await sendStripe(stripeEvent(`evt_${randomUUID()}`, { paid: false, customer_name: 'Ada' }, 'invoice.paid'));
    expect(skipped.status).toBe(200);
    expect((skipped.body as IngestBody).runs).toEqual([expect.objectContaining({ status: 'skipped', image_id: null, reason: 'filter $.data.object.paid: false is not true' })]);

    const failed = await sendStripe(stripeEvent(`evt_${randomUUID()}`, { paid: true }, 'invoice.paid'));
    expect(failed.status).toBe(200);
    const [run] = (failed.body as IngestBody).runs;
    expect(run).toMatchObject({ status: 'failed', image_id: null, error: { code: 'mapping_path_missing', path: '$.data.object.customer_name' } });
    expect(run.reason).toContain('$.data.object.customer_name');
    expect(await count('SELECT count(*)::int AS n FROM images WHERE org_id = $1', [org.orgId])).toBe(imagesBefore);
    expect((await runsOf(r.body.id)).map((x) => x.status)).toEqual(['failed', 'skipped']);
  });

  it('a webhook source verifies the hex HMAC-SHA256 of the raw body; its secret is shown once', async () => {
    const created = await api<Source>(t.baseUrl, org.liveKey, 'POST', '/v1/event-sources', { type: 'webhook', name: 'Shop' });
    expect(created.status).toBe(201);
    const secret = created.body.secret as string;
    expect(secret.length).toBeGreaterThanOrEqual(32);
    const read = await api<Source>(t.baseUrl, org.liveKey, 'GET', `/v1/event-sources/${created.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body).not.toHaveProperty('secret');
    const r = await rule({ event_type: 'order.paid', mapping: { headline: '$.customer.name' } });
    expect(r.status).toBe(201);

    const raw = JSON.stringify({ id: `ord_${randomUUID()}`, type: 'order.paid', customer: { name: 'Grace' } });
    const ok = await post(created.body.ingest_url, raw, { 'X-Imtegrate-Signature': signWebhookBody(secret, raw) });
    expect(ok.status).toBe(200);
    const [run] = (ok.body as IngestBody).runs;
    expect(run).toMatchObject({ rule_id: r.body.id, status: 'matched', modifications: [{ name: 'headline', text: 'Grace' }] });
    expect((await waitForImage(t.baseUrl, org.liveKey, run.image_id as string)).status).toBe('completed');

    // The type may come from a header; the id from X-Event-Id.
    const raw2 = JSON.stringify({ customer: { name: 'Linus' } });
    const headers = { 'X-Imtegrate-Signature': signWebhookBody(secret, raw2), 'X-Event-Type': 'order.paid', 'X-Event-Id': 'order-2' };
    expect((await post(created.body.ingest_url, raw2, headers)).body).toMatchObject({ event_id: 'order-2', replayed: false });
    expect((await post(created.body.ingest_url, raw2, headers)).body).toMatchObject({ event_id: 'order-2', replayed: true });

    // A disabled rule does not fire.
    expect((await api(t.baseUrl, org.liveKey, 'PATCH', `/v1/event-rules/${r.body.id}`, { enabled: false })).body).toMatchObject({ enabled: false });
    const raw3 = JSON.stringify({ id: `ord_${randomUUID()}`, type: 'order.paid', customer: { name: 'Ken' } });
    expect((await post(created.body.ingest_url, raw3, { 'X-Imtegrate-Signature': signWebhookBody(secret, raw3) })).body).toMatchObject({ replayed: false, runs: [] });

    expect((await post(created.body.ingest_url, raw, { 'X-Imtegrate-Signature': signWebhookBody('wrong-secret', raw) })).status).toBe(401);
    expect((await post(created.body.ingest_url, raw, {})).status).toBe(401);
    expect((await post(`${t.baseUrl}/v1/ingest/${randomUUID()}`, raw, { 'X-Imtegrate-Signature': signWebhookBody(secret, raw) })).status).toBe(404);
  });

  it('refuses at creation a rule that could not render, naming the field', async () => {
    const bad = async (body: Record<string, unknown>): Promise<[number, string, string[]]> => {
      const res = await rule(body);
      return [res.status, res.body.detail?.code, (res.body.detail?.errors ?? []).map((e) => e.name)];
    };
    expect(await bad({ event_type: 'x', mapping: { box: { fill_color: '$.c' } } })).toEqual([400, 'invalid_rule', ['mapping.box']]);
    expect(await bad({ event_type: 'x', mapping: { headline: '$.a[' } })).toEqual([400, 'invalid_rule', ['mapping.headline']]);
    expect(await bad({ event_type: 'x', mapping: { photo: { stroke: '$.a' } } })).toEqual([400, 'invalid_rule', ['mapping.photo.stroke']]);
    expect(await bad({ event_type: 'x', filter: [{ path: 'nope', equals: 1 }] })).toEqual([400, 'invalid_rule', ['filter[0].path']]);
    expect(await bad({ schedule: { cron: '61 * * * *', timezone: 'Mars/Olympus' } })).toEqual([400, 'invalid_rule', ['schedule.timezone', 'schedule.cron']]);
    expect(await bad({ schedule: { cron: '0 9 * * 1' }, mapping: { headline: '$.data.object.name' } })).toEqual([400, 'invalid_rule', ['mapping.headline']]);
    expect(await bad({})).toEqual([400, 'invalid_rule', ['event_type']]);
    expect(await bad({ event_type: 'x', schedule: { cron: '* * * * *' } })).toEqual([400, 'invalid_rule', ['event_type']]);
    expect(await bad({ event_type: 'x', destination_url: 'http://10.0.0.7/hook' })).toEqual([400, 'invalid_webhook_url', ['destination_url']]);
    expect(await bad({ event_type: 'x', template_id: randomUUID() })).toEqual([400, 'template_not_found', ['template_id']]);
    const draft = await api<{ id: string }>(t.baseUrl, org.liveKey, 'POST', '/v1/templates', { name: 'draft', width: 10, height: 10, layers: [] });
    expect(await bad({ event_type: 'x', template_id: draft.body.id })).toEqual([400, 'template_not_published', ['template_id']]);
  });

  it('a per-second schedule fires at most once per tick with two workers, and stops when disabled', async () => {
    const r = await rule({ schedule: { cron: '* * * * * *', timezone: 'UTC' }, mapping: { headline: '$.scheduled_at' } });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ event_type: null, schedule: { cron: '* * * * * *', timezone: 'UTC' } });
    let runs: Run[] = [];
    for (let i = 0; i < 200 && runs.length < 3; i++) {
      await sleep(100);
      runs = await runsOf(r.body.id);
    }
    expect(runs.length).toBeGreaterThanOrEqual(3);
    const ticks = runs.map((x) => x.scheduled_at as string);
    expect(new Set(ticks).size).toBe(ticks.length);
    for (const run of runs) {
      expect(run).toMatchObject({ status: 'matched', event_id: null });
      expect(new Date(run.scheduled_at as string).getUTCMilliseconds()).toBe(0);
      expect(run.modifications).toEqual([{ name: 'headline', text: run.scheduled_at }]);
    }
    expect(await count('SELECT count(*)::int - count(DISTINCT scheduled_at)::int AS n FROM event_rule_runs WHERE rule_id = $1', [r.body.id])).toBe(0);

    // The rule's repeatable job follows the rule: replaced when the cron changes, removed when disabled or deleted.
    const redis = new Redis(t.config.redis);
    const repeatKey = `${t.config.queuePrefix}:schedules:repeat`;
    const repeatables = async (): Promise<string[]> => redis.zrange(repeatKey, 0, -1);
    try {
      expect(await repeatables()).toEqual([expect.stringContaining(r.body.id)]);
      const yearly = await api(t.baseUrl, org.liveKey, 'PATCH', `/v1/event-rules/${r.body.id}`, { schedule: { cron: '0 0 1 1 *', timezone: 'Europe/Paris' } });
      expect(yearly.status).toBe(200);
      for (let i = 0; i < 50 && !(await repeatables()).join().includes('0 0 1 1 *'); i++) await sleep(100);
      expect(await repeatables()).toEqual([expect.stringContaining('0 0 1 1 *')]);
      await sleep(1500);
      const settled = (await runsOf(r.body.id)).length;
      await sleep(2000);
      expect((await runsOf(r.body.id)).length).toBe(settled);

      const off = await api(t.baseUrl, org.liveKey, 'PATCH', `/v1/event-rules/${r.body.id}`, { enabled: false });
      expect(off.status).toBe(200);
      for (let i = 0; i < 50 && (await repeatables()).length > 0; i++) await sleep(100);
      expect(await repeatables()).toEqual([]);
      expect((await api(t.baseUrl, org.liveKey, 'PATCH', `/v1/event-rules/${r.body.id}`, { enabled: true })).status).toBe(200);
      for (let i = 0; i < 50 && (await repeatables()).length === 0; i++) await sleep(100);
      expect(await repeatables()).toHaveLength(1);
      expect((await api(t.baseUrl, org.liveKey, 'DELETE', `/v1/event-rules/${r.body.id}`)).status).toBe(204);
      for (let i = 0; i < 50 && (await repeatables()).length > 0; i++) await sleep(100);
      expect(await repeatables()).toEqual([]);
    } finally {
      redis.disconnect();
    }
    expect((await api(t.baseUrl, org.liveKey, 'GET', `/v1/event-rules/${r.body.id}`)).status).toBe(404);
  });

  it("another organisation's rules, sources and runs are 404", async () => {
    const r = await rule({ event_type: 'x.y', mapping: { headline: '$.a' } });
    const list = await api<List<{ id: string }>>(t.baseUrl, other.liveKey, 'GET', '/v1/event-rules');
    expect(list.body).toMatchObject({ object: 'list', data: [], has_more: false });
    expect((await api<List<{ id: string }>>(t.baseUrl, other.liveKey, 'GET', '/v1/event-sources')).body.data).toEqual([]);
    for (const [method, path, body] of [
      ['GET', `/v1/event-rules/${r.body.id}`],
      ['GET', `/v1/event-rules/${r.body.id}/runs`],
      ['PATCH', `/v1/event-rules/${r.body.id}`, { name: 'mine' }],
      ['DELETE', `/v1/event-rules/${r.body.id}`],
      ['GET', `/v1/event-sources/${stripe.id}`],
    ] as [string, string, unknown?][]) {
      expect([method, path, (await api(t.baseUrl, other.liveKey, method, path, body)).status]).toEqual([method, path, 404]);
    }
    expect((await api(t.baseUrl, org.liveKey, 'GET', `/v1/event-rules/${r.body.id}`)).status).toBe(200);
  });

  it('caps the rules of an organisation at MAX_EVENT_RULES_PER_ORG, exactly under concurrent creates; deleting one makes room', async () => {
    const capped = await createOrg(t.ds);
    const tpl = await publishedTemplate(t.baseUrl, capped.liveKey);
    const create = () => api<{ id: string } & Coded>(t.baseUrl, capped.liveKey, 'POST', '/v1/event-rules', { name: 'c', template_id: tpl, event_type: 'x' });
    const answers = await Promise.all(Array.from({ length: MAX_RULES + 5 }, create));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(MAX_RULES);
    const refused = answers.filter((a) => a.status !== 201);
    expect(refused.map((a) => [a.status, a.body.detail?.code, a.body.detail?.errors?.map((e) => e.name)])).toEqual(
      Array.from({ length: 5 }, () => [400, 'too_many_rules', ['event_rules']]),
    );
    expect(await count('SELECT count(*)::int AS n FROM event_rules WHERE org_id = $1', [capped.orgId])).toBe(MAX_RULES);
    // Another organisation's rules are counted apart.
    expect((await rule({ event_type: 'x' })).status).toBe(201);
    const gone = answers.find((a) => a.status === 201)!.body.id;
    expect((await api(t.baseUrl, capped.liveKey, 'DELETE', `/v1/event-rules/${gone}`)).status).toBe(204);
    expect((await create()).status).toBe(201);
    expect((await create()).status).toBe(400);
  });

  it('the retention sweep deletes ingested events and rule runs older than EVENT_RETENTION_DAYS and keeps the rest', async () => {
    const aged = await createOrg(t.ds);
    const source = randomUUID();
    const ruleId = randomUUID();
    for (const days of [120, 91, 89, 1]) {
      const [{ id }] = (await t.ds.query(
        `INSERT INTO ingested_events (org_id, source_id, event_id, type, payload, created_at) VALUES ($1, $2, $3, 'x', '{}', now() - $4::interval) RETURNING id`,
        [aged.orgId, source, `evt_${days}`, `${days} days`],
      )) as { id: string }[];
      await t.ds.query(
        `INSERT INTO event_rule_runs (org_id, rule_id, ingested_event_id, event_id, status, created_at) VALUES ($1, $2, $3, $4, 'skipped', now() - $5::interval)`,
        [aged.orgId, ruleId, id, `evt_${days}`, `${days} days`],
      );
    }
    const left = async (table: string): Promise<string[]> =>
      ((await t.ds.query(`SELECT event_id FROM ${table} WHERE org_id = $1 ORDER BY event_id`, [aged.orgId])) as { event_id: string }[]).map((r) => r.event_id);
    // Other organisations' rows of that age go too (none of this suite's are that old).
    expect(await t.app.get(RulesRepository).pruneOlderThan(90)).toBeGreaterThanOrEqual(4);
    expect(await left('ingested_events')).toEqual(['evt_1', 'evt_89']);
    expect(await left('event_rule_runs')).toEqual(['evt_1', 'evt_89']);
  });

  it('lists rules with the envelope and a keyset cursor', async () => {
    const page = await api<List<{ id: string }>>(t.baseUrl, org.liveKey, 'GET', '/v1/event-rules?limit=2');
    expect(page.body).toMatchObject({ object: 'list', has_more: true });
    expect(page.body.data).toHaveLength(2);
    const next = await api<List<{ id: string }>>(t.baseUrl, org.liveKey, 'GET', `/v1/event-rules?limit=2&cursor=${page.body.next_cursor as string}`);
    expect(next.body.data.map((x) => x.id)).not.toContain(page.body.data[0].id);
  });
});

