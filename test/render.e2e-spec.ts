import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import sharp from 'sharp';
import { buildSignedFileUrl } from '../src/storage/url-signing.js';
import { solidImage } from './fixtures/images.js';
import { startApi, type TestApp } from './support/app.js';
import { createOrg, type TestOrg } from './support/factories.js';
import { sendPng, sleep, startImageServer, type ImageServer } from './support/image-server.js';
import { api, type ImageBody, publishedTemplate, waitForImage } from './support/render-flow.js';
import { startWorker, type WorkerProcess } from './support/worker.js';

async function pixel(png: Buffer, x: number, y: number): Promise<[number, number, number]> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const i = (y * info.width + x) * info.channels;
  return [data[i], data[i + 1], data[i + 2]];
}

describe('rendering end to end (API + a real worker process)', () => {
  let t: TestApp;
  let worker: WorkerProcess;
  let images: ImageServer;
  let org: TestOrg;
  let templateId: string;
  let blue: Buffer;
  const call = <T>(method: string, path: string, body?: unknown, headers?: Record<string, string>) => api<T>(t.baseUrl, org.liveKey, method, path, body, headers);

  beforeAll(async () => {
    t = await startApi();
    worker = await startWorker({ RENDER_BACKOFF_MS: '100' });
    images = await startImageServer();
    org = await createOrg(t.ds);
    templateId = await publishedTemplate(t.baseUrl, org.liveKey);
    blue = await solidImage('png', 60, 40, '#0000ff');
    images.route('/blue.png', (_req, res) => sendPng(res, blue));
  });
  afterAll(async () => {
    await worker?.stop();
    await images?.close();
    await t?.close();
  });

  it('POST answers 202 pending, then the render completes with a downloadable PNG of the right size and pixels', async () => {
    const post = await call<ImageBody>('POST', '/v1/images', {
      template_id: templateId,
      modifications: [
        { name: 'headline', text: 'Hi there' },
        { name: 'photo', image_url: images.url('/blue.png') },
      ],
    });
    expect(post.status).toBe(202);
    expect(post.body).toMatchObject({ status: 'pending', result_url: null, template_version: 1 });
    const done = await waitForImage(t.baseUrl, org.liveKey, post.body.id);
    expect(done).toMatchObject({ status: 'completed', error: null });
    expect(done.duration_ms).toEqual(expect.any(Number));
    expect(new Date(done.completed_at as string).getTime()).toBeGreaterThanOrEqual(new Date(done.started_at as string).getTime());
    expect(done.image_metadata).toMatchObject({ width: 320, height: 160, format: 'png', thumbnail: { width: expect.any(Number) } });

    const file = await fetch(done.result_url as string);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('image/png');
    expect(file.headers.get('etag')).toBeTruthy();
    expect(file.headers.get('cache-control')).toMatch(/max-age=\d+/);
    const png = Buffer.from(await file.arrayBuffer());
    expect(Number(file.headers.get('content-length'))).toBe(png.length);
    expect(await sharp(png).metadata()).toMatchObject({ format: 'png', width: 320, height: 160 });
    expect(await pixel(png, 50, 80)).toEqual([255, 0, 0]);
    const [r, g, b] = await pixel(png, 265, 115);
    expect(b).toBeGreaterThan(200);
    expect(r + g).toBeLessThan(40);
    expect((await pixel(png, 315, 5)).every((c) => c > 240)).toBe(true);

    const again = await fetch(done.result_url as string, { headers: { 'If-None-Match': file.headers.get('etag') as string } });
    expect(again.status).toBe(304);
    const thumb = await fetch(done.thumbnail_url as string);
    expect(thumb.status).toBe(200);
  });

  it('Prefer: wait=N answers 201 with the finished image when it completes in time', async () => {
    const res = await call<ImageBody>('POST', '/v1/images', { template_id: templateId, modifications: [{ name: 'headline', text: 'Fast' }] }, { Prefer: 'wait=10' });
    expect(res.status).toBe(201);
    expect(res.headers.get('preference-applied')).toBe('wait=10');
    expect(res.body.status).toBe('completed');
    expect(res.body.result_url).toMatch(/^http/);
  });

  it('Prefer: wait=N answers 202 when the render takes longer', async () => {
    images.route('/slow.png', async (_req, res, n) => {
      if (n > 1) await sleep(2500);
      sendPng(res, blue);
    });
    const res = await call<ImageBody>('POST', '/v1/images', { template_id: templateId, modifications: [{ name: 'photo', image_url: images.url('/slow.png') }] }, { Prefer: 'wait=1' });
    expect(res.status).toBe(202);
    expect(['pending', 'rendering']).toContain(res.body.status);
    expect((await waitForImage(t.baseUrl, org.liveKey, res.body.id)).status).toBe('completed');
  });

  it.each([
    ['wait=31', 'wait must be a whole number of seconds from 0 to 30'],
    ['wait=soon', 'wait must be a whole number of seconds from 0 to 30'],
  ])('refuses Prefer: %s with a 422 on the header', async (prefer, error) => {
    const res = await call<{ detail: unknown[] }>('POST', '/v1/images', { template_id: templateId }, { Prefer: prefer });
    expect(res.status).toBe(422);
    expect(res.body.detail).toEqual([{ type: 'value_error', loc: ['header', 'prefer'], msg: `Value error, ${error}`, input: prefer, ctx: { error } }]);
  });

  it('replays an Idempotency-Key with the same body and refuses another body with 409', async () => {
    const body = { template_id: templateId, modifications: [{ name: 'headline', text: 'Once' }] };
    const first = await call<ImageBody>('POST', '/v1/images', body, { 'Idempotency-Key': 'order-42' });
    const second = await call<ImageBody>('POST', '/v1/images', { modifications: body.modifications, template_id: templateId }, { 'Idempotency-Key': 'order-42' });
    expect(first.status).toBe(202);
    expect(second.body.id).toBe(first.body.id);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    const [{ count }] = (await t.ds.query(`SELECT count(*)::int AS count FROM images WHERE org_id = $1 AND modifications @> '[{"text":"Once"}]'`, [org.orgId])) as { count: number }[];
    expect(count).toBe(1);
    const conflict = await call<{ detail: { code: string } }>('POST', '/v1/images', { ...body, modifications: [{ name: 'headline', text: 'Twice' }] }, { 'Idempotency-Key': 'order-42' });
    expect(conflict.status).toBe(409);
    expect(conflict.body.detail.code).toBe('idempotency_conflict');
    // Keys are per organisation: another org may use the same key freely.
    const otherOrg = await createOrg(t.ds);
    const theirTemplate = await publishedTemplate(t.baseUrl, otherOrg.liveKey);
    const theirs = await api<ImageBody>(t.baseUrl, otherOrg.liveKey, 'POST', '/v1/images', { template_id: theirTemplate }, { 'Idempotency-Key': 'order-42' });
    expect(theirs.status).toBe(202);
    expect(theirs.body.id).not.toBe(first.body.id);
  });

  it('fails the render with an error object when the remote image breaks after the request was accepted', async () => {
    images.route('/gone.png', (_req, res, n) => (n === 1 ? sendPng(res, blue) : res.writeHead(404).end()));
    const post = await call<ImageBody>('POST', '/v1/images', { template_id: templateId, modifications: [{ name: 'photo', image_url: images.url('/gone.png') }] });
    expect(post.status).toBe(202);
    const done = await waitForImage(t.baseUrl, org.liveKey, post.body.id);
    expect(done.status).toBe('failed');
    expect(done.error).toMatchObject({ code: 'image_unavailable', layer: 'photo', message: expect.stringContaining('404') });
    expect(done.result_url).toBeNull();
    expect(images.hits('/gone.png')).toBe(2);
  });

  it('retries a transient remote failure, then completes', async () => {
    images.route('/flaky.png', (_req, res, n) => (n === 2 ? res.writeHead(503).end() : sendPng(res, blue)));
    const post = await call<ImageBody>('POST', '/v1/images', { template_id: templateId, modifications: [{ name: 'photo', image_url: images.url('/flaky.png') }] });
    const done = await waitForImage(t.baseUrl, org.liveKey, post.body.id);
    expect(done.status).toBe('completed');
    expect(images.hits('/flaky.png')).toBe(3);
    const [{ attempts }] = (await t.ds.query('SELECT attempts FROM images WHERE id = $1', [post.body.id])) as { attempts: number }[];
    expect(attempts).toBe(2);
  });

  it('refuses unreachable, non-image and forbidden URLs with 400 before queueing', async () => {
    images.route('/text', (_req, res) => res.writeHead(200, { 'content-type': 'image/png' }).end('not an image'));
    const cases = [
      [images.url('/missing.png'), 'HTTP 404'],
      [images.url('/text'), 'did not return a supported image'],
      ['http://169.254.169.254/latest/meta-data', 'not publicly routable'],
      ['ftp://example.com/x.png', 'scheme "ftp"'],
    ];
    for (const [url, why] of cases) {
      const res = await call<{ detail: { code: string; errors: { name: string; reason: string }[] } }>('POST', '/v1/images', {
        template_id: templateId,
        modifications: [{ name: 'photo', image_url: url }],
      });
      expect([url, res.status, res.body.detail.code]).toEqual([url, 400, 'invalid_modification']);
      expect(res.body.detail.errors[0]).toEqual({ name: 'photo', reason: expect.stringContaining(why) });
    }
    const [{ count }] = (await t.ds.query(`SELECT count(*)::int AS count FROM images WHERE org_id = $1 AND status = 'pending'`, [org.orgId])) as { count: number }[];
    expect(count).toBe(0);
  });

  it('refuses modifications that do not fit the template with 400 invalid_modification', async () => {
    const res = await call<{ detail: unknown }>('POST', '/v1/images', {
      template_id: templateId,
      modifications: [{ name: 'box', fill_color: '#000' }, { name: 'nope', text: 'x' }, { name: 'headline', color: 'reddish' }],
    });
    expect(res.status).toBe(400);
    expect(res.body.detail).toEqual({
      code: 'invalid_modification',
      errors: [
        { name: 'box', reason: expect.stringContaining('not dynamic') },
        { name: 'nope', reason: expect.stringContaining('unknown layer') },
        { name: 'headline', reason: expect.stringContaining('color must be a colour') },
      ],
    });
  });

  it('refuses another org’s template, an unpublished one and a missing version', async () => {
    const stranger = await createOrg(t.ds);
    const theirs = await api<{ detail: { code: string } }>(t.baseUrl, stranger.liveKey, 'POST', '/v1/images', { template_id: templateId });
    expect([theirs.status, theirs.body.detail.code]).toEqual([400, 'template_not_found']);
    const draft = await call<{ id: string }>('POST', '/v1/templates', { name: 'draft', width: 10, height: 10, layers: [] });
    const unpublished = await call<{ detail: { code: string } }>('POST', '/v1/images', { template_id: draft.body.id });
    expect([unpublished.status, unpublished.body.detail.code]).toEqual([400, 'template_not_published']);
    const missing = await call<{ detail: { code: string } }>('POST', '/v1/images', { template_id: templateId, template_version: 9 });
    expect([missing.status, missing.body.detail.code]).toEqual([400, 'template_version_not_found']);
  });

  it('refuses a scale whose output would exceed 40 megapixels with 400 before queueing', async () => {
    const big = await publishedTemplate(t.baseUrl, org.liveKey, { name: 'big', width: 4000, height: 4000, layers: [] });
    const ok = await call<ImageBody>('POST', '/v1/images', { template_id: big, scale: 1 });
    expect(ok.status).toBe(202);
    const res = await call<{ detail: { code: string; errors: { name: string }[] } }>('POST', '/v1/images', { template_id: big, scale: 2 });
    expect([res.status, res.body.detail.code, res.body.detail.errors[0].name]).toEqual([400, 'canvas_too_large', 'scale']);
  });

  it('hides renders from other organisations', async () => {
    const post = await call<ImageBody>('POST', '/v1/images', { template_id: templateId });
    const stranger = await createOrg(t.ds);
    const res = await api(t.baseUrl, stranger.liveKey, 'GET', `/v1/images/${post.body.id}`);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ detail: 'Image not found' });
  });

  it('refuses tampered and expired download URLs with 403', async () => {
    const res = await call<ImageBody>('POST', '/v1/images', { template_id: templateId }, { Prefer: 'wait=10' });
    const url = new URL(res.body.result_url as string);
    const sig = url.searchParams.get('signature') as string;
    const tampered = new URL(url);
    tampered.searchParams.set('signature', (sig[0] === 'a' ? 'b' : 'a') + sig.slice(1));
    expect((await fetch(tampered)).status).toBe(403);
    const otherKey = new URL(url);
    otherKey.pathname = otherKey.pathname.replace(/\.png$/, '.thumb.png');
    expect((await fetch(otherKey)).status).toBe(403);
    const longer = new URL(url);
    longer.searchParams.set('expires', String(Number(url.searchParams.get('expires')) + 1));
    expect((await fetch(longer)).status).toBe(403);
    const key = decodeURIComponent(url.pathname.replace('/v1/files/', ''));
    const expired = buildSignedFileUrl(t.baseUrl, t.config.signingSecret, key, Math.floor(Date.now() / 1000) - 5);
    const r = await fetch(expired);
    expect(r.status).toBe(403);
    expect(await r.json()).toEqual({ detail: 'Signature expired' });
    expect((await fetch(url)).status).toBe(200);
  });

  it('watermarks test-key renders', async () => {
    const live = await call<ImageBody>('POST', '/v1/images', { template_id: templateId }, { Prefer: 'wait=10' });
    const test = await api<ImageBody>(t.baseUrl, org.testKey, 'POST', '/v1/images', { template_id: templateId }, { Prefer: 'wait=10' });
    expect(test.status).toBe(201);
    const a = await sharp(Buffer.from(await (await fetch(live.body.result_url as string)).arrayBuffer())).raw().toBuffer();
    const b = await sharp(Buffer.from(await (await fetch(test.body.result_url as string)).arrayBuffer())).raw().toBuffer();
    expect(a.length).toBe(b.length);
    expect(a.equals(b)).toBe(false);
  });

  it('logs start and end of each job with its id and duration', () => {
    expect(worker.output()).toMatch(/render [0-9a-f-]{36} started/);
    expect(worker.output()).toMatch(/render [0-9a-f-]{36} completed in \d+ ms/);
  });
});
