import { randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import type { IncomingHttpHeaders } from 'node:http';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import sharp from 'sharp';
import { verifyWebhookSignature } from '../src/webhooks/signing.js';
import { startApi, type TestApp } from './support/app.js';
import { createOrg, type TestOrg } from './support/factories.js';
import { sleep, startImageServer, type ImageServer } from './support/image-server.js';
import { cli } from './support/cli.js';
import { api, publishedTemplate } from './support/render-flow.js';
import { decode, near } from './support/renderer-testing.js';
import { startWorker, type WorkerProcess } from './support/worker.js';

const run = promisify(execFile);

// Own queue prefix; short locks and leases so a killed worker's video is taken over within seconds.
const ENV = {
  QUEUE_PREFIX: `${process.env.QUEUE_PREFIX}_videos`,
  QUEUE_LOCK_DURATION_MS: '1500',
  QUEUE_STALLED_INTERVAL_MS: '500',
  RENDER_LEASE_MS: '1500',
  RENDER_SWEEP_AFTER_MS: '1000',
  RENDER_SWEEP_INTERVAL_MS: '200',
  WEBHOOK_RETRY_SCALE: '0.001',
  MAX_PENDING_VIDEOS_PER_ORG: '3',
};

interface VideoBody {
  id: string;
  object: string;
  status: string;
  progress: number;
  result_url: string | null;
  thumbnail_url: string | null;
  duration_seconds: number;
  fps: number;
  format: string;
  error: Record<string, unknown> | null;
  video_metadata: Record<string, unknown>;
  duration_ms: number | null;
}

/** A red box slides from x=0 to x=200 over 2 s, fading from 1 to 0.5; a static blue bar on top of the right edge. */
const ANIMATED = {
  name: 'Animated card',
  width: 320,
  height: 180,
  background: { color: '#ffffff' },
  layers: [
    {
      name: 'box',
      type: 'shape',
      shape: 'rect',
      x: 0,
      y: 70,
      width: 40,
      height: 40,
      fill_color: '#ff0000',
      keyframes: [
        { t: 0, x: 0, opacity: 1 },
        { t: 2, x: 200, opacity: 0.5 },
      ],
    },
    { name: 'bar', type: 'shape', shape: 'rect', x: 300, y: 0, width: 20, height: 180, fill_color: '#0000ff' },
  ],
};

async function waitForVideo(t: TestApp, key: string, id: string, timeoutMs = 60_000): Promise<VideoBody> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await api<VideoBody>(t.baseUrl, key, 'GET', `/v1/videos/${id}`);
    if (r.body.status === 'completed' || r.body.status === 'failed') return r.body;
    if (Date.now() > deadline) throw new Error(`video ${id} still ${r.body.status} after ${timeoutMs} ms`);
    await sleep(100);
  }
}

async function ffprobe(file: string): Promise<{ stream: Record<string, string | number>; duration: number }> {
  const { stdout } = await run('ffprobe', [
    ...['-v', 'error', '-select_streams', 'v:0', '-count_frames'],
    ...['-show_entries', 'stream=codec_name,width,height,r_frame_rate,pix_fmt,nb_read_frames', '-show_entries', 'format=duration', '-of', 'json', file],
  ]);
  const j = JSON.parse(stdout) as { streams: Record<string, string | number>[]; format: { duration: string } };
  return { stream: j.streams[0], duration: Number(j.format.duration) };
}

/** The frame shown at `t` seconds, through ffmpeg (decode-accurate seek) into a PNG, read with sharp. */
async function frameAt(file: string, t: number, dir: string) {
  const out = join(dir, `frame-${t}.png`);
  await run('ffmpeg', ['-v', 'error', '-y', '-i', file, '-ss', String(t), '-frames:v', '1', out]);
  return decode(await readFile(out));
}

/** Columns of row y whose pixel is red-ish (red high, green low): the box's horizontal extent. */
function redExtent(px: Awaited<ReturnType<typeof decode>>, y: number): [number, number] {
  let from = -1;
  let to = -1;
  for (let x = 0; x < px.width; x++) {
    const [r, g, b] = px.at(x, y);
    if (r > 200 && g < 180 && b < 180) {
      if (from < 0) from = x;
      to = x;
    }
  }
  return [from, to];
}

describe('videos', () => {
  let t: TestApp;
  let worker: WorkerProcess;
  let receiver: ImageServer;
  let org: TestOrg;
  let secret: string;
  let templateId: string;
  let dir: string;
  const received: { headers: IncomingHttpHeaders; raw: string }[] = [];

  beforeAll(async () => {
    t = await startApi(ENV);
    worker = await startWorker(ENV);
    receiver = await startImageServer();
    dir = await mkdtemp(join(tmpdir(), 'videos-e2e-'));
    org = await createOrg(t.ds);
    [{ signing_secret: secret }] = (await t.ds.query('SELECT signing_secret FROM organizations WHERE id = $1', [org.orgId])) as { signing_secret: string }[];
    templateId = await publishedTemplate(t.baseUrl, org.liveKey, ANIMATED);
    receiver.route('/hook', async (req, res) => {
      let raw = '';
      for await (const chunk of req) raw += chunk;
      received.push({ headers: req.headers, raw });
      res.writeHead(204).end();
    });
  }, 60_000);

  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await receiver?.close();
    await t?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('renders a keyframed template to a valid H.264 MP4 whose frames show the animation, with a poster and a signed video.completed', async () => {
    const request = { template_id: templateId, duration_seconds: 3, fps: 30, poster_time: 1, webhook_url: receiver.url('/hook'), metadata: { run: 'e2e' } };
    const post = await api<VideoBody>(t.baseUrl, org.liveKey, 'POST', '/v1/videos', request, { 'Idempotency-Key': 'video-e2e-1' });
    expect(post.status).toBe(202);
    expect(post.body).toMatchObject({ object: 'video', status: 'pending', progress: 0, duration_seconds: 3, fps: 30, format: 'mp4', result_url: null });
    // The same key and body replays the answer: no second video.
    const again = await api<VideoBody>(t.baseUrl, org.liveKey, 'POST', '/v1/videos', request, { 'Idempotency-Key': 'video-e2e-1' });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.id).toBe(post.body.id);

    const done = await waitForVideo(t, org.liveKey, post.body.id);
    expect(done.error).toBeNull();
    expect(done.status).toBe('completed');
    expect(done.progress).toBe(1);
    expect(done.video_metadata).toMatchObject({ frames: 90, width: 320, height: 180, codec: 'h264', moving_layers: 1 });

    const res = await fetch(done.result_url as string);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('video/mp4');
    const file = join(dir, 'clip.mp4');
    await writeFile(file, Buffer.from(await res.arrayBuffer()));
    const probe = await ffprobe(file);
    expect(probe.stream).toMatchObject({ codec_name: 'h264', width: 320, height: 180, r_frame_rate: '30/1', pix_fmt: 'yuv420p' });
    expect(Number(probe.stream.nb_read_frames)).toBe(90);
    expect(Math.abs(probe.duration - 3)).toBeLessThanOrEqual(1 / 30 + 1e-6);

    // x = 200 t / 2 and opacity = 1 - t / 4 until t = 2, then held.
    for (const [at, x, opacity] of [
      [0.5, 50, 0.875],
      [1, 100, 0.75],
      [2.5, 200, 0.5],
    ] as const) {
      const px = await frameAt(file, at, dir);
      const [from, to] = redExtent(px, 90);
      expect(Math.abs(from - x)).toBeLessThanOrEqual(2);
      expect(Math.abs(to - (x + 39))).toBeLessThanOrEqual(2);
      const fade = Math.round(255 * (1 - opacity));
      expect(near(px.at(x + 20, 90), [255, fade, fade], 16)).toBe(true);
      // The static bar is in every frame, untouched by the box.
      expect(near(px.at(310, 90), [0, 0, 255], 16)).toBe(true);
    }

    const thumb = await fetch(done.thumbnail_url as string);
    const meta = await sharp(Buffer.from(await thumb.arrayBuffer())).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: 320, height: 180 });
    // The poster is the frame at poster_time = 1 s: the box at x = 100.
    const poster = await decode(Buffer.from(await (await fetch(done.thumbnail_url as string)).arrayBuffer()));
    expect(Math.abs(redExtent(poster, 90)[0] - 100)).toBeLessThanOrEqual(2);

    for (let i = 0; i < 100 && received.length === 0; i++) await sleep(100);
    expect(received).toHaveLength(1);
    const hook = received[0];
    expect(hook.headers['x-imtegrate-event']).toBe('video.completed');
    expect(verifyWebhookSignature(secret, hook.raw, hook.headers['x-imtegrate-signature'] as string)).toBe(true);
    const event = JSON.parse(hook.raw) as { type: string; data: VideoBody & { metadata: unknown } };
    expect(event.type).toBe('video.completed');
    expect(event.data).toMatchObject({ id: done.id, object: 'video', status: 'completed', metadata: { run: 'e2e' } });

    const list = await api<{ object: string; data: VideoBody[] }>(t.baseUrl, org.liveKey, 'GET', '/v1/videos?limit=5');
    expect(list.body.object).toBe('list');
    expect(list.body.data.map((v) => v.id)).toContain(done.id);
    // Another org sees nothing.
    const other = await createOrg(t.ds);
    expect((await api(t.baseUrl, other.liveKey, 'GET', `/v1/videos/${done.id}`)).status).toBe(404);
  }, 120_000);

  it('a worker killed mid-video: the video is taken over and still completes', async () => {
    const bigger = await publishedTemplate(t.baseUrl, org.liveKey, { ...ANIMATED, name: 'Bigger', width: 1280, height: 720 });
    const post = await api<VideoBody>(t.baseUrl, org.liveKey, 'POST', '/v1/videos', { template_id: bigger, duration_seconds: 8, fps: 30 });
    expect(post.status).toBe(202);
    let mid: VideoBody | undefined;
    for (let i = 0; i < 600; i++) {
      mid = (await api<VideoBody>(t.baseUrl, org.liveKey, 'GET', `/v1/videos/${post.body.id}`)).body;
      if (mid.status !== 'pending' && (mid.status !== 'rendering' || mid.progress > 0.05)) break;
      await sleep(50);
    }
    expect(mid?.status).toBe('rendering');
    expect(mid?.progress).toBeLessThan(1);
    await worker.stop('SIGKILL');
    worker = await startWorker(ENV);
    const done = await waitForVideo(t, org.liveKey, post.body.id, 120_000);
    expect(done.status).toBe('completed');
    const [{ attempts }] = (await t.ds.query('SELECT attempts FROM videos WHERE id = $1', [post.body.id])) as { attempts: number }[];
    expect(attempts).toBeGreaterThanOrEqual(2);
    const file = join(dir, 'taken-over.mp4');
    await writeFile(file, Buffer.from(await (await fetch(done.result_url as string)).arrayBuffer()));
    const probe = await ffprobe(file);
    expect(probe.stream).toMatchObject({ codec_name: 'h264', width: 1280, height: 720 });
    expect(Number(probe.stream.nb_read_frames)).toBe(240);
  }, 180_000);

  it('refuses a clip over 60 s and a template larger than 1080p, naming the field', async () => {
    const long = await api<{ detail: { loc: string[] }[] }>(t.baseUrl, org.liveKey, 'POST', '/v1/videos', { template_id: templateId, duration_seconds: 61, fps: 30 });
    expect(long.status).toBe(422);
    expect(long.body.detail[0].loc).toEqual(['body', 'duration_seconds']);
    const fps = await api<{ detail: { loc: string[] }[] }>(t.baseUrl, org.liveKey, 'POST', '/v1/videos', { template_id: templateId, duration_seconds: 2, fps: 25 });
    expect(fps.status).toBe(422);
    expect(fps.body.detail[0].loc).toEqual(['body', 'fps']);
    const uhd = await publishedTemplate(t.baseUrl, org.liveKey, { ...ANIMATED, name: '4K', width: 3840, height: 2160 });
    const big = await api<{ detail: { code: string; errors: { name: string; reason: string }[] } }>(t.baseUrl, org.liveKey, 'POST', '/v1/videos', {
      template_id: uhd,
      duration_seconds: 2,
      fps: 30,
    });
    expect(big.status).toBe(400);
    expect(big.body.detail.code).toBe('video_too_large');
    expect(big.body.detail.errors[0]).toMatchObject({ name: 'template_id', reason: expect.stringContaining('1920x1080') });
  });

  it('answers 429 beyond MAX_PENDING_VIDEOS_PER_ORG pending videos of one organisation, and takes one again when there is room', async () => {
    const busy = await createOrg(t.ds);
    const tpl = await publishedTemplate(t.baseUrl, busy.liveKey, ANIMATED);
    // Pending videos no worker will pick up: touched in the future, so the reconciler leaves them.
    const ids = Array.from({ length: 3 }, () => randomUUID());
    for (const id of ids) {
      await t.ds.query(
        `INSERT INTO videos (id, org_id, template_id, template_version, duration_seconds, fps, is_test, updated_at)
         VALUES ($1, $2, $3, 1, 1, 24, false, now() + interval '1 hour')`,
        [id, busy.orgId, tpl],
      );
    }
    const body = { template_id: tpl, duration_seconds: 0.5, fps: 24 };
    const refused = await api(t.baseUrl, busy.liveKey, 'POST', '/v1/videos', body);
    expect([refused.status, refused.body]).toEqual([429, { detail: 'Too many videos pending for this organisation' }]);
    // Another organisation is not held back by it.
    expect((await api(t.baseUrl, org.liveKey, 'POST', '/v1/videos', { ...body, template_id: templateId })).status).toBe(202);
    await t.ds.query('DELETE FROM videos WHERE id = ANY($1)', [ids.slice(0, 1)]);
    expect((await api(t.baseUrl, busy.liveKey, 'POST', '/v1/videos', body)).status).toBe(202);
    await t.ds.query('DELETE FROM videos WHERE id = ANY($1)', [ids]);
  });

  it('answers 201 with the finished video within Prefer: wait, and lists by status', async () => {
    const res = await api<VideoBody>(t.baseUrl, org.liveKey, 'POST', '/v1/videos', { template_id: templateId, duration_seconds: 0.5, fps: 24, format: 'webm' }, { Prefer: 'wait=30' });
    expect(res.status).toBe(201);
    expect(res.headers.get('preference-applied')).toBe('wait=30');
    expect(res.body).toMatchObject({ status: 'completed', progress: 1, format: 'webm', video_metadata: { frames: 12, codec: 'vp9' } });
    const file = join(dir, 'short.webm');
    const body = await fetch(res.body.result_url as string);
    expect(body.headers.get('content-type')).toContain('video/webm');
    await writeFile(file, Buffer.from(await body.arrayBuffer()));
    expect((await ffprobe(file)).stream).toMatchObject({ codec_name: 'vp9', width: 320, height: 180, pix_fmt: 'yuv420p' });
    const completed = await api<{ data: VideoBody[] }>(t.baseUrl, org.liveKey, 'GET', '/v1/videos?status=completed&limit=100');
    expect(completed.body.data.map((v) => v.id)).toContain(res.body.id);
    const pending = await api<{ data: VideoBody[] }>(t.baseUrl, org.liveKey, 'GET', '/v1/videos?status=pending&limit=100');
    expect(pending.body.data.map((v) => v.id)).not.toContain(res.body.id);
  }, 60_000);

  it('previews one frame of an animated template at a time t', async () => {
    const res = await fetch(`${t.baseUrl}/v1/templates/${templateId}/preview`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${org.liveKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ t: 1 }),
    });
    expect(res.status).toBe(200);
    const px = await decode(Buffer.from(await res.arrayBuffer()));
    expect(redExtent(px, 90)).toEqual([100, 139]);
    // Half red over white: opacity 0.75 at t = 1.
    expect(near(px.at(120, 90), [255, 64, 64], 2)).toBe(true);
  });

  it('renders a video offline: npm run cli -- render --video', async () => {
    await writeFile(join(dir, 't.json'), JSON.stringify(ANIMATED));
    const out = join(dir, 'offline.mp4');
    const r = await cli(['render', '--template', join(dir, 't.json'), '--video', '--duration', '3', '--fps', '30', '--out', out, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ width: 320, height: 180, format: 'mp4', codec: 'h264', frames: 90, fps: 30 });
    const probe = await ffprobe(out);
    expect(probe.stream).toMatchObject({ codec_name: 'h264', width: 320, height: 180, r_frame_rate: '30/1', pix_fmt: 'yuv420p' });
    expect(Math.abs(probe.duration - 3)).toBeLessThanOrEqual(1 / 30 + 1e-6);
    const bad = await cli(['render', '--template', join(dir, 't.json'), '--video', '--duration', '61', '--out', out]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('--duration');
  });

  it('refuses unsorted keyframes when the template is saved, naming the layer', async () => {
    const bad = { ...ANIMATED, layers: [{ ...ANIMATED.layers[0], keyframes: [{ t: 1, x: 0 }, { t: 0.5, x: 10 }] }] };
    const res = await api<{ detail: { code: string; errors: { name: string; reason: string }[] } }>(t.baseUrl, org.liveKey, 'POST', '/v1/templates', bad);
    expect(res.status).toBe(400);
    expect(res.body.detail.code).toBe('invalid_template');
    expect(res.body.detail.errors).toEqual([{ name: 'box', reason: expect.stringContaining('keyframes[1].t (0.5) must be greater than keyframes[0].t (1)') }]);
  });

  it('re-drives a video whose job was lost (Redis flushed): the reconciler re-enqueues it and it completes', async () => {
    const [{ id }] = (await t.ds.query(
      `INSERT INTO videos (org_id, template_id, template_version, duration_seconds, fps, updated_at) VALUES ($1, $2, 1, 1, 24, now() - interval '1 hour') RETURNING id`,
      [org.orgId, templateId],
    )) as { id: string }[];
    // The sent render request every product-written row has; its job never reached this Redis.
    await t.ds.query(
      `INSERT INTO outbox (id, queue_prefix, topic, aggregate_id, payload, sent_at) VALUES (gen_random_uuid(), $1, 'video.render.requested', $2, $3, now())`,
      [ENV.QUEUE_PREFIX, id, JSON.stringify({ videoId: id, orgId: org.orgId, jobId: id, requestId: 'test' })],
    );
    const done = await waitForVideo(t, org.liveKey, id, 30_000);
    expect(done.status).toBe('completed');
    const jobs = (await t.ds.query(`SELECT coalesce(payload->>'eventType', topic) AS topic, payload->>'jobId' AS job FROM outbox WHERE aggregate_id = $1 ORDER BY created_at`, [id])) as { topic: string; job: string | null }[];
    // The lost request, the reconciler's with a job id of its own, then the completion event.
    expect(jobs).toEqual([
      { topic: 'video.render.requested', job: id },
      { topic: 'video.render.requested', job: expect.stringMatching(new RegExp(`^${id}:`)) },
      { topic: 'video.completed', job: null },
    ]);
  }, 60_000);

  // Last: it replaces the worker with one whose deadline is one second.
  it('a video past VIDEO_TIMEOUT_MS fails with video_timeout, cleans up and sends video.failed', async () => {
    await worker.stop('SIGKILL');
    worker = await startWorker({ ...ENV, VIDEO_TIMEOUT_MS: '1000' });
    const failed: { headers: IncomingHttpHeaders; raw: string }[] = [];
    receiver.route('/hook-failed', async (req, res) => {
      let raw = '';
      for await (const chunk of req) raw += chunk;
      failed.push({ headers: req.headers, raw });
      res.writeHead(204).end();
    });
    const bigger = await publishedTemplate(t.baseUrl, org.liveKey, { ...ANIMATED, name: 'Slow', width: 1280, height: 720 });
    const post = await api<VideoBody>(t.baseUrl, org.liveKey, 'POST', '/v1/videos', { template_id: bigger, duration_seconds: 30, fps: 60, webhook_url: receiver.url('/hook-failed') });
    expect(post.status).toBe(202);
    const done = await waitForVideo(t, org.liveKey, post.body.id, 60_000);
    expect(done.status).toBe('failed');
    expect(done.error).toMatchObject({ code: 'video_timeout', message: expect.stringContaining('deadline') });
    expect(done.result_url).toBeNull();
    expect((await readdir(tmpdir())).filter((n) => n.startsWith(`imtegrate-video-${done.id}.`))).toEqual([]);
    for (let i = 0; i < 100 && failed.length === 0; i++) await sleep(100);
    expect(failed.map((f) => f.headers['x-imtegrate-event'])).toEqual(['video.failed']);
    expect(verifyWebhookSignature(secret, failed[0].raw, failed[0].headers['x-imtegrate-signature'] as string)).toBe(true);
  }, 120_000);
});
