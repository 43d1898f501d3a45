import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import sharp from 'sharp';
import { LIMITS } from '../src/renderer/index.js';
import { startApi, type TestApp } from './support/app.js';
import { bearer, createOrg, type TestOrg } from './support/factories.js';
import { pngBomb } from './fixtures/images.js';
import { sendPng, startImageServer, type ImageServer } from './support/image-server.js';
import { api, type ImageBody, publishedTemplate, waitForImage } from './support/render-flow.js';
import { startWorker, type WorkerProcess } from './support/worker.js';

// Own queue prefix: the other e2e files' workers must not pick these jobs up.
const QUEUE = { QUEUE_PREFIX: `${process.env.QUEUE_PREFIX}_budgets`, RENDER_BACKOFF_MS: '100' };
// Small budgets, so small fixtures cross them: 60,000 decoded pixels, 20,000 bytes of sources.
const BUDGETS = { RENDER_MAX_DECODED_PIXELS: '60000', RENDER_MAX_DECODED_BYTES: '20000' };

/** A PNG `levels` SVGs deep; every SVG is 100x100 and wholly covered by what it embeds. */
function nestedSvg(png: Buffer, levels: number): Buffer {
  const wrap = (payload: Buffer, mime: string) =>
    Buffer.from(
      `<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><image href="data:${mime};base64,${payload.toString('base64')}" width="100" height="100"/></svg>`,
    );
  let svg = wrap(png, 'image/png');
  for (let i = 1; i < levels; i++) svg = wrap(svg, 'image/svg+xml');
  return svg;
}

const PHOTO_TEMPLATE = {
  name: 'budget card',
  width: 100,
  height: 100,
  layers: [{ name: 'photo', type: 'image', x: 0, y: 0, width: 100, height: 100, fit: 'fill', dynamic: true }],
};

async function rowAttempts(t: TestApp, id: string): Promise<number> {
  const [{ attempts }] = (await t.ds.query('SELECT attempts FROM images WHERE id = $1', [id])) as { attempts: number }[];
  return attempts;
}

describe('per-render budgets on a real worker', () => {
  let t: TestApp;
  let images: ImageServer;
  let org: TestOrg;
  let templateId: string;
  let worker: WorkerProcess | undefined;
  const call = <T>(method: string, path: string, body?: unknown) => api<T>(t.baseUrl, org.liveKey, method, path, body);

  const uploadAsset = async (bytes: Buffer, filename: string): Promise<string> => {
    const form = new FormData();
    form.append('file', new Blob([bytes]), filename);
    const res = await fetch(`${t.baseUrl}/v1/assets`, { method: 'POST', headers: bearer(org.liveKey), body: form });
    if (res.status !== 201) throw new Error(`upload failed: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { id: string }).id;
  };

  const renderPhoto = async (modification: Record<string, unknown>): Promise<ImageBody> => {
    const post = await call<ImageBody>('POST', '/v1/images', { template_id: templateId, modifications: [{ name: 'photo', ...modification }] });
    expect(post.status).toBe(202);
    return waitForImage(t.baseUrl, org.liveKey, post.body.id, 60_000);
  };

  beforeAll(async () => {
    // The API keeps the default budgets (uploads are checked against them); the first worker
    // has smaller ones, as after an operator lowered them: what was stored may then not fit.
    t = await startApi(QUEUE);
    images = await startImageServer();
    org = await createOrg(t.ds);
    templateId = await publishedTemplate(t.baseUrl, org.liveKey, PHOTO_TEMPLATE);
  });
  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await images?.close();
    await t?.close();
  });

  describe('with small pixel and byte budgets', () => {
    let red: Buffer;

    beforeAll(async () => {
      worker = await startWorker({ ...QUEUE, ...BUDGETS });
      // 150x150 = 22,500 pixels and a few hundred bytes.
      red = await sharp({ create: { width: 150, height: 150, channels: 3, background: '#ff0000' } }).png().toBuffer();
    });
    afterAll(async () => {
      await worker?.stop();
      worker = undefined;
    });

    it('renders an SVG with a nested data: PNG that fits the pixel budget', async () => {
      // Outer surface 10,000 + inner surface 10,000 + PNG 22,500 = 42,500 <= 60,000.
      const id = await uploadAsset(nestedSvg(red, 2), 'fits.svg');
      const done = await renderPhoto({ asset_id: id });
      expect(done).toMatchObject({ status: 'completed', error: null });
      const png = Buffer.from(await (await fetch(done.result_url as string)).arrayBuffer());
      const { data } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      // The nested PNG was really drawn: the centre is red.
      expect([...data.subarray((50 * 100 + 50) * 3, (50 * 100 + 50) * 3 + 3)]).toEqual([255, 0, 0]);
    });

    it('fails with render_pixel_budget_exceeded once nesting pushes the sum over, without a retry', async () => {
      // The SVG above twice, side by side: 10,000 + 2 x 42,500 = 95,000 > 60,000.
      const inner = nestedSvg(red, 2).toString('base64');
      const svg = Buffer.from(
        `<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">` +
          `<image href="data:image/svg+xml;base64,${inner}" width="50" height="100"/>` +
          `<image href="data:image/svg+xml;base64,${inner}" x="50" width="50" height="100"/></svg>`,
      );
      const id = await uploadAsset(svg, 'over.svg');
      const done = await renderPhoto({ asset_id: id });
      expect(done.status).toBe('failed');
      expect(done.error).toEqual({
        code: 'render_pixel_budget_exceeded',
        layer: 'photo',
        message: expect.stringContaining('more than 60000 pixels'),
      });
      expect(done.result_url).toBeNull();
      const attempts = await rowAttempts(t, done.id);
      expect(attempts).toBe(1);
    });

    it('fails with render_bytes_budget_exceeded when the fetched source is larger than the byte budget', async () => {
      // 100x100 noise: 10,000 pixels (well within the pixel budget) but about 30 KB.
      const noise = await sharp(Buffer.from(Array.from({ length: 100 * 100 * 3 }, (_, i) => (i * 7919) % 251)), { raw: { width: 100, height: 100, channels: 3 } })
        .png({ compressionLevel: 0 })
        .toBuffer();
      expect(noise.length).toBeGreaterThan(20_000);
      images.route('/noise.png', (_req, res) => sendPng(res, noise));
      const done = await renderPhoto({ image_url: images.url('/noise.png') });
      expect(done.status).toBe('failed');
      expect(done.error).toEqual({ code: 'render_bytes_budget_exceeded', layer: 'photo', message: expect.stringContaining('20000 bytes') });
      expect(await rowAttempts(t, done.id)).toBe(1);
    });

    it('answers a preview over the (default) budget with a 400 naming the code and the layer', async () => {
      // A 100x100 SVG embedding a 30-megapixel PNG (a few KB): it uploads, being within every limit
      // alone, but four layers drawing it add up to 121 megapixels, over the default 100.
      const id = await uploadAsset(nestedSvg(pngBomb(5500), 1), 'heavy.svg');
      const layers = [0, 1, 2, 3].map((i) => ({ name: `p${i}`, type: 'image', x: i * 25, y: 0, width: 25, height: 25, asset_id: id }));
      const quad = await call<{ id: string }>('POST', '/v1/templates', { name: 'quad', width: 100, height: 25, layers });
      expect(quad.status).toBe(201);
      const res = await call<{ detail: unknown }>('POST', `/v1/templates/${quad.body.id}/preview`, {});
      expect(res.status).toBe(400);
      expect(res.body.detail).toEqual({
        code: 'render_pixel_budget_exceeded',
        errors: [{ name: 'p3', reason: expect.stringContaining(`more than ${LIMITS.maxRenderPixels} pixels`) }],
      });
    });
  });

  describe('a render past its deadline', () => {
    beforeAll(async () => {
      worker = await startWorker({ ...QUEUE, RENDER_TIMEOUT_MS: '1000', RENDER_ATTEMPTS: '5' });
    });

    it('is attempted twice, not RENDER_ATTEMPTS times, and fails with render_timeout', async () => {
      // The most text the model allows, every layer fitted by shrinking: tens of seconds of
      // layout on the JS thread (about 250 ms a layer measured on a quiet machine), so every run
      // is stopped at its 1 s deadline.
      const layers = Array.from({ length: LIMITS.maxLayers }, (_, i) => ({
        name: `t${i}`,
        type: 'text',
        x: 0,
        y: 0,
        width: 300,
        height: 100,
        font_size: 200,
        min_font_size: 1,
        fit: 'shrink',
        text: Array.from({ length: 2000 }, (_, j) => `w${i}x${j}`).join(' ').slice(0, LIMITS.maxTextLength),
      }));
      const slow = await publishedTemplate(t.baseUrl, org.liveKey, { name: 'slow', width: 300, height: 100, layers });
      const post = await call<ImageBody>('POST', '/v1/images', { template_id: slow });
      expect(post.status).toBe(202);
      const done = await waitForImage(t.baseUrl, org.liveKey, post.body.id, 60_000);
      expect(done.status).toBe('failed');
      expect(done.error).toEqual({ code: 'render_timeout', message: 'render exceeded 1000 ms and its thread was stopped' });
      expect(await rowAttempts(t, done.id)).toBe(2);
      const log = worker!.output();
      expect(log).toContain(`render ${done.id} attempt 1 failed transiently (render_timeout)`);
      expect(log).not.toContain(`render ${done.id} started (attempt 3)`);
      expect(log).toContain(`render ${done.id} attempt 2 failed (render_timeout); not retried`);
    });
  });
});
