import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import sharp from 'sharp';
import { startApi, type TestApp } from './support/app.js';
import { createOrg } from './support/factories.js';
import { sendPng, startImageServer, type ImageServer } from './support/image-server.js';
import { api, publishedTemplate } from './support/render-flow.js';

/** A template with three dynamic photo slots, so one request can name three remote images. */
const THREE_PHOTOS = {
  name: 'three photos',
  width: 300,
  height: 100,
  layers: ['p1', 'p2', 'p3'].map((name, i) => ({ name, type: 'image', x: i * 100, y: 0, width: 100, height: 100, dynamic: true })),
};

describe('URL pre-flight bounds at POST /v1/images', () => {
  let t: TestApp;
  let images: ImageServer;
  let key: string;
  let templateId: string;
  let png: Buffer;

  beforeAll(async () => {
    // Two distinct URLs and a budget that fits two of these PNGs but not three.
    png = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#0af' } }).png({ compressionLevel: 0 }).toBuffer();
    t = await startApi({ PREFLIGHT_MAX_URLS: '2', PREFLIGHT_MAX_TOTAL_BYTES: String(Math.max(1024, Math.floor(png.length * 2.5))) });
    images = await startImageServer();
    for (const n of [1, 2, 3]) images.route(`/${n}.png`, (_req, res) => sendPng(res, png));
    key = (await createOrg(t.ds)).liveKey;
    templateId = await publishedTemplate(t.baseUrl, key, THREE_PHOTOS);
  });
  afterAll(async () => {
    await images?.close();
    await t?.close();
  });

  const post = (urls: string[]) =>
    api<{ detail: { code: string; errors: { name: string; reason: string }[] } }>(t.baseUrl, key, 'POST', '/v1/images', {
      template_id: templateId,
      modifications: urls.map((u, i) => ({ name: `p${i + 1}`, image_url: u })),
    });

  it('accepts as many distinct URLs as the setting allows, and the same URL twice counts once', async () => {
    expect((await post([images.url('/1.png'), images.url('/2.png')])).status).toBe(202);
    expect((await post([images.url('/1.png'), images.url('/2.png'), images.url('/1.png')])).status).toBe(202);
  });

  it('refuses one more distinct URL with a 400 naming the layer, before fetching anything', async () => {
    const before = images.hits('/3.png');
    const res = await post([images.url('/1.png'), images.url('/2.png'), images.url('/3.png')]);
    expect([res.status, res.body.detail.code, res.body.detail.errors.map((e) => e.name)]).toEqual([400, 'invalid_modification', ['p3']]);
    expect(res.body.detail.errors[0].reason).toContain('at most 2 distinct remote image URLs');
    expect(images.hits('/3.png')).toBe(before);
  });
});
