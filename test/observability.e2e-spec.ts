import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { typeormOptions } from '../src/database/typeorm-options.js';
import { ENTITIES } from '../src/entities.js';
import { QUEUES } from '../src/queue/queue.constants.js';
import { startApiProcess, type ApiProcess } from './support/api-process.js';
import { startApi, type TestApp } from './support/app.js';
import { createOrg, type TestOrg } from './support/factories.js';
import { sleep, startImageServer, type ImageServer } from './support/image-server.js';
import { freePort } from './support/net/free-port.js';
import { parseMetrics, sampleValue, scrape, type Sample } from './support/prometheus.js';
import { api, type ImageBody, publishedTemplate, waitForImage } from './support/render-flow.js';
import { startWorker, type WorkerProcess } from './support/worker.js';

const METRICS_TOKEN = `metrics-${randomBytes(12).toString('hex')}`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

type LogLine = Record<string, unknown> & { msg?: string; reqId?: unknown; jobId?: unknown };

/** Every line a process wrote, each of which must be one JSON object (Node's own warnings aside). */
function logLines(output: string): { lines: LogLine[]; notJson: string[] } {
  const lines: LogLine[] = [];
  const notJson: string[] = [];
  for (const line of output.split('\n')) {
    if (line.trim() === '' || line.startsWith('(node:') || line.startsWith('(Use `node --trace')) continue;
    try {
      lines.push(JSON.parse(line) as LogLine);
    } catch {
      notJson.push(line);
    }
  }
  return { lines, notJson };
}

async function until(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

describe('metrics and logs of the real API and worker processes', () => {
  const env = { QUEUE_PREFIX: `${process.env.QUEUE_PREFIX}_obs`, METRICS_TOKEN, WEBHOOK_RETRY_SCALE: '0.001' };
  let apiProc: ApiProcess;
  let worker: WorkerProcess;
  let workerMetrics: string;
  let ds: DataSource;
  let receiver: ImageServer;
  let org: TestOrg;
  let orgSecret: string;
  let templateId: string;
  const hooks: string[] = [];

  beforeAll(async () => {
    const healthPort = await freePort();
    workerMetrics = `http://127.0.0.1:${healthPort}/metrics`;
    [apiProc, worker] = await Promise.all([startApiProcess(env), startWorker({ ...env, WORKER_HEALTH_PORT: String(healthPort), HOST: '127.0.0.1' })]);
    ds = await new DataSource(typeormOptions(process.env.DATABASE_URL as string, ENTITIES)).initialize();
    org = await createOrg(ds);
    [{ signing_secret: orgSecret }] = (await ds.query('SELECT signing_secret FROM organizations WHERE id = $1', [org.orgId])) as { signing_secret: string }[];
    templateId = await publishedTemplate(apiProc.baseUrl, org.liveKey);
    receiver = await startImageServer();
    receiver.route('/hook', async (req, res) => {
      let raw = '';
      for await (const chunk of req) raw += chunk;
      hooks.push(raw);
      res.writeHead(204).end();
    });
  });
  afterAll(async () => {
    await Promise.all([apiProc?.stop(), worker?.stop()]);
    await receiver?.close();
    await ds?.destroy();
  });

  let requestId: string;
  let image: ImageBody;

  it('a render moves the API request counters and the worker render, queue-wait and webhook counters and histograms', async () => {
    const [apiBefore, workerBefore] = await Promise.all([scrape(`${apiProc.baseUrl}/metrics`, METRICS_TOKEN), scrape(workerMetrics, METRICS_TOKEN)]);
    expect([apiBefore.status, workerBefore.status]).toEqual([200, 200]);

    requestId = `obs-${randomUUID()}`;
    const post = await api<ImageBody>(apiProc.baseUrl, org.liveKey, 'POST', '/v1/images', { template_id: templateId, webhook_url: receiver.url('/hook') }, { 'X-Request-Id': requestId });
    expect(post.status).toBe(202);
    expect(post.headers.get('x-request-id')).toBe(requestId);
    image = await waitForImage(apiProc.baseUrl, org.liveKey, post.body.id);
    expect(image.status).toBe('completed');
    await until('the webhook', () => hooks.length >= 1);
    // The signed download, so the access log has a signed URL to (not) show.
    const file = await fetch(image.result_url as string);
    expect(file.status).toBe(200);

    const [apiAfter, workerAfter] = await Promise.all([scrape(`${apiProc.baseUrl}/metrics`, METRICS_TOKEN), scrape(workerMetrics, METRICS_TOKEN)]);
    expect(apiAfter.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    const moved = (before: Sample[], after: Sample[], name: string, labels: Record<string, string>): number =>
      sampleValue(after, name, labels) - sampleValue(before, name, labels);
    const a = (name: string, labels: Record<string, string>) => moved(apiBefore.samples, apiAfter.samples, name, labels);
    const w = (name: string, labels: Record<string, string>) => moved(workerBefore.samples, workerAfter.samples, name, labels);
    expect({
      posts: a('imtegrate_http_requests_total', { method: 'POST', route: '/v1/images', status: '202' }),
      postLatency: a('imtegrate_http_request_duration_seconds_count', { method: 'POST', route: '/v1/images', status: '202' }),
      postLatencyBucket: a('imtegrate_http_request_duration_seconds_bucket', { method: 'POST', route: '/v1/images', status: '202', le: '+Inf' }),
      polls: a('imtegrate_http_requests_total', { method: 'GET', route: '/v1/images/:image_id', status: '200' }) > 0,
      download: a('imtegrate_http_requests_total', { method: 'GET', route: '/v1/files/*path', status: '200' }),
      renders: w('imtegrate_renders_total', { status: 'completed', format: 'png' }),
      renderTime: w('imtegrate_render_duration_seconds_count', { status: 'completed', format: 'png' }),
      renderTimeSum: w('imtegrate_render_duration_seconds_sum', { status: 'completed', format: 'png' }) > 0,
      renderWait: w('imtegrate_queue_wait_seconds_count', { queue: 'render' }),
      webhookWait: w('imtegrate_queue_wait_seconds_count', { queue: 'webhooks' }),
      delivered: w('imtegrate_webhook_deliveries_total', { outcome: 'delivered' }),
    }).toEqual({
      posts: 1,
      postLatency: 1,
      postLatencyBucket: 1,
      polls: true,
      download: 1,
      renders: 1,
      renderTime: 1,
      renderTimeSum: true,
      renderWait: 1,
      webhookWait: 1,
      delivered: 1,
    });
    // Queue depth per queue and state, read at scrape time, and the default process metrics, on both.
    for (const samples of [apiAfter.samples, workerAfter.samples]) {
      const depth = samples.filter((s) => s.name === 'imtegrate_queue_jobs').map((s) => `${s.labels.queue}/${s.labels.state}`);
      // Every queue the processes register, in each state.
      expect(depth.sort()).toEqual(QUEUES.flatMap((q) => ['active', 'delayed', 'failed', 'waiting'].map((st) => `${q}/${st}`)).sort());
      for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_seconds']) {
        expect({ name, present: samples.some((s) => s.name === name) }).toEqual({ name, present: true });
      }
    }
  });

  it('writes one JSON line per event, and the request id of the render is on its API lines and on every worker line of its render and webhook jobs', async () => {
    await until('the POST access line', () => logLines(apiProc.output()).lines.some((l) => l.reqId === requestId && l.msg === 'request completed'));
    await until('the webhook delivery line', () => logLines(worker.output()).lines.some((l) => l.reqId === requestId && /delivered/.test(l.msg ?? '')));
    const apiLog = logLines(apiProc.output());
    const workerLog = logLines(worker.output());
    expect({ api: apiLog.notJson, worker: workerLog.notJson }).toEqual({ api: [], worker: [] });

    const apiLines = apiLog.lines.filter((l) => l.reqId === requestId);
    expect(apiLines.map((l) => [l.msg, (l.req as { method?: string; url?: string }).method, (l.req as { url?: string }).url, (l.res as { statusCode?: number }).statusCode])).toEqual([
      ['request completed', 'POST', '/v1/images', 202],
    ]);

    // Every worker line that names this image belongs to one of its jobs and carries the request id.
    const aboutImage = workerLog.lines.filter((l) => (l.msg ?? '').includes(image.id));
    expect(aboutImage.length).toBeGreaterThanOrEqual(3);
    // A webhook job's id is its delivery id (derived from the event and the destination).
    expect(aboutImage.map((l) => ({ reqId: l.reqId, jobId: l.jobId }))).toEqual(
      aboutImage.map((l) => ({ reqId: requestId, jobId: l.queue === 'webhooks' ? expect.stringMatching(UUID) : image.id })),
    );
    const messages = workerLog.lines.filter((l) => l.reqId === requestId).map((l) => `${String(l.queue)}: ${(l.msg ?? '').replace(/ completed in \d+ ms$/, ' completed in N ms')}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        `render: render ${image.id} started (attempt 1)`,
        `render: render ${image.id} completed in N ms`,
        expect.stringMatching(new RegExp(`^webhooks: webhook [0-9a-f-]{36} \\(image\\.completed for ${image.id}\\) delivered on attempt 1$`)),
      ]),
    );
  });

  it('takes a sane X-Request-Id as it is and replaces one that is too long or not printable ASCII', async () => {
    const ask = async (id: string) => (await fetch(`${apiProc.baseUrl}/healthz`, { headers: { 'X-Request-Id': id } })).headers.get('x-request-id');
    const longest = 'r'.repeat(128);
    expect(await ask(longest)).toBe(longest);
    expect(await ask('A-b_c.d:e/f+g=h@1')).toBe('A-b_c.d:e/f+g=h@1');
    for (const bad of ['r'.repeat(129), 'has space', 'tab\there', 'caf\u00e9']) {
      const got = await ask(bad);
      expect({ bad, got: UUID.test(got ?? '') }).toEqual({ bad, got: true });
    }
    const minted = await fetch(`${apiProc.baseUrl}/healthz`);
    expect(minted.headers.get('x-request-id')).toMatch(UUID);
  });

  it('labels requests no route serves as one "unmatched" route: a raw path never becomes a label value', async () => {
    const junk = `no-such-${randomUUID()}`;
    for (const path of [`/${junk}`, `/v1/${junk}/x`, `/v1/images/${junk}/more`]) {
      const res = await fetch(`${apiProc.baseUrl}${path}`);
      expect(await res.text()).toBe('{"detail":"Not Found"}');
    }
    const after = await scrape(`${apiProc.baseUrl}/metrics`, METRICS_TOKEN);
    expect(after.text).not.toContain(junk);
    expect(sampleValue(after.samples, 'imtegrate_http_requests_total', { route: 'unmatched', method: 'GET', status: '404' })).toBeGreaterThanOrEqual(3);
    // A 405 is counted under the route that exists at that path.
    const wrong = await fetch(`${apiProc.baseUrl}/v1/images/${randomUUID()}`, { method: 'DELETE' });
    expect(wrong.status).toBe(405);
    const again = await scrape(`${apiProc.baseUrl}/metrics`, METRICS_TOKEN);
    expect(sampleValue(again.samples, 'imtegrate_http_requests_total', { route: '/v1/images/:image_id', method: 'DELETE', status: '405' })).toBe(1);
  });

  it('answers /metrics only with the bearer token when METRICS_TOKEN is set, on both processes', async () => {
    for (const url of [`${apiProc.baseUrl}/metrics`, workerMetrics]) {
      for (const auth of [undefined, 'Bearer wrong-token', `Basic ${METRICS_TOKEN}`, `Bearer ${METRICS_TOKEN}x`]) {
        const res = await fetch(url, { headers: auth === undefined ? {} : { Authorization: auth } });
        expect({ url, auth, status: res.status, challenge: res.headers.get('www-authenticate'), body: await res.text() }).toEqual({
          url,
          auth,
          status: 401,
          challenge: 'Bearer',
          body: '{"detail":"Not authenticated"}',
        });
      }
      expect((await scrape(url, METRICS_TOKEN)).status).toBe(200);
    }
  });

  it('the worker health port also answers /healthz and /readyz (no token: probes carry none)', async () => {
    const base = workerMetrics.replace(/\/metrics$/, '');
    const [health, ready, other] = await Promise.all(['/healthz', '/readyz', '/nope'].map((p) => fetch(`${base}${p}`)));
    expect([health.status, await health.text()]).toEqual([200, '{"status":"ok"}']);
    expect([ready.status, await ready.json()]).toEqual([200, { status: 'ok', checks: { database: 'ok', redis: 'ok' } }]);
    expect([other.status, await other.text()]).toEqual([404, '{"detail":"Not Found"}']);
  });

  it('writes no API key, signing secret, metrics token or signed query string into any log line', async () => {
    const signature = new URL(image.result_url as string).searchParams.get('signature') as string;
    expect(signature).toMatch(/^[0-9a-f]{16,}$/);
    const secrets = {
      liveKey: org.liveKey,
      orgSigningSecret: orgSecret,
      signingSecret: process.env.SIGNING_SECRET as string,
      metricsToken: METRICS_TOKEN,
      signature,
    };
    // The API buffers its access lines (LOG_FLUSH_MS): wait for the download's line before reading.
    const downloadPath = new URL(image.result_url as string).pathname;
    const downloadLine = (output: string): LogLine | undefined =>
      logLines(output).lines.find((l) => ((l.req as { url?: string } | undefined)?.url ?? '').startsWith(downloadPath));
    await until('the download access line', () => downloadLine(apiProc.output()) !== undefined);
    const logs = { api: apiProc.output(), worker: worker.output() };
    const leaks = Object.entries(logs).flatMap(([proc, text]) =>
      Object.entries(secrets).flatMap(([what, secret]) => (text.includes(secret) ? [`${what} in the ${proc} log`] : [])),
    );
    expect(leaks).toEqual([]);
    expect(logs.api).not.toContain('signature=');
    // The download is logged, with its query replaced.
    expect((downloadLine(logs.api)?.req as { url?: string } | undefined)?.url).toBe(`${downloadPath}?[Redacted]`);
    // Authorization was sent on every API call: shown as present, never with its value.
    const post = logLines(logs.api).lines.find((l) => l.reqId === requestId);
    expect((post?.req as { headers?: Record<string, string> }).headers?.authorization).toBe('[Redacted]');
  });

  it('the Grafana dashboard is valid JSON whose every metric exists in the /metrics output', async () => {
    const dashboard = JSON.parse(readFileSync(resolve(process.cwd(), 'deploy/grafana/imtegrate.json'), 'utf8')) as { panels: Panel[] };
    interface Panel {
      type: string;
      targets?: { expr: string }[];
      panels?: Panel[];
    }
    const exprs = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]).flatMap((p) => (p.targets ?? []).map((t) => t.expr));
    expect(exprs.length).toBeGreaterThan(10);
    const referenced = new Set(exprs.flatMap((e) => e.match(/\b(?:imtegrate|process|nodejs)_[a-z0-9_]+/g) ?? []));
    const [apiText, workerText] = await Promise.all([scrape(`${apiProc.baseUrl}/metrics`, METRICS_TOKEN), scrape(workerMetrics, METRICS_TOKEN)]);
    const exposed = new Set([...parseMetrics(apiText.text), ...parseMetrics(workerText.text)].map((s) => s.name));
    expect([...referenced].filter((name) => !exposed.has(name))).toEqual([]);
    // Every metric family of ours is on the dashboard.
    for (const family of ['imtegrate_http_requests_total', 'imtegrate_http_request_duration_seconds_bucket', 'imtegrate_renders_total', 'imtegrate_render_duration_seconds_bucket', 'imtegrate_queue_wait_seconds_bucket', 'imtegrate_queue_jobs', 'imtegrate_webhook_deliveries_total']) {
      expect({ family, onDashboard: referenced.has(family) }).toEqual({ family, onDashboard: true });
    }
  });
});

describe('the queue dashboard (/admin/queues)', () => {
  let off: TestApp;
  let on: TestApp;
  const user = 'ops';
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const basic = (u: string, p: string) => ({ Authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}` });

  beforeAll(async () => {
    off = await startApi();
    on = await startApi({ QUEUE_DASHBOARD_USER: user, QUEUE_DASHBOARD_PASSWORD: password });
  });
  afterAll(async () => {
    await off?.close();
    await on?.close();
  });

  it('is a 404 in our error shape when its settings are unset', async () => {
    for (const path of ['/admin/queues', '/admin/queues/', '/admin/queues/api/queues']) {
      const res = await fetch(`${off.baseUrl}${path}`, { headers: basic(user, password) });
      expect({ path, status: res.status, body: await res.text() }).toEqual({ path, status: 404, body: '{"detail":"Not Found"}' });
    }
  });

  it('asks for basic auth (401) without credentials or with wrong ones', async () => {
    for (const headers of [{}, basic(user, 'wrong'), basic('other', password), basic(user, `${password}x`), { Authorization: `Bearer ${password}` }]) {
      const res = await fetch(`${on.baseUrl}/admin/queues`, { headers });
      expect({ status: res.status, challenge: res.headers.get('www-authenticate'), body: await res.text() }).toEqual({
        status: 401,
        challenge: 'Basic realm="Imtegrate queues", charset="UTF-8"',
        body: '{"detail":"Not authenticated"}',
      });
    }
  });

  it('serves bull-board for every queue with the credentials', async () => {
    const page = await fetch(`${on.baseUrl}/admin/queues`, { headers: basic(user, password) });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const queues = await fetch(`${on.baseUrl}/admin/queues/api/queues`, { headers: basic(user, password) });
    expect(queues.status).toBe(200);
    const body = (await queues.json()) as { queues: { name: string }[] };
    expect(body.queues.map((q) => q.name).sort()).toEqual([...QUEUES].sort());
  });

  it('serves /metrics without a token when METRICS_TOKEN is unset', async () => {
    const res = await scrape(`${off.baseUrl}/metrics`);
    expect(res.status).toBe(200);
    expect(res.samples.some((s) => s.name === 'imtegrate_http_requests_total')).toBe(true);
  });
});
