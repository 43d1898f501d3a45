import { describe, expect, it } from '@jest/globals';
import sharp from 'sharp';
import { DEMO_OG_CARD, demoAssets } from './demo-template.js';
import { renderImage } from './render.js';
import { decode, near, NO_ASSETS } from '../../test/support/renderer-testing.js';
import { RenderError, type OutputFormat } from './types.js';

const SMALL = {
  width: 300,
  height: 150,
  background: { color: '#102030' },
  layers: [{ name: 'r', type: 'shape' as const, shape: 'rect' as const, x: 0, y: 0, width: 150, height: 150, fill_color: '#FF0000' }],
};

describe('output', () => {
  it.each<[OutputFormat, string]>([
    ['png', 'png'],
    ['jpeg', 'jpeg'],
    ['webp', 'webp'],
    ['avif', 'heif'],
  ])('encodes %s with sharp, main image and thumbnail', async (format, sharpFormat) => {
    const r = await renderImage(SMALL, [], NO_ASSETS(), { format });
    const meta = await sharp(r.buffer).metadata();
    expect(meta).toMatchObject({ format: sharpFormat, width: 300, height: 150 });
    if (format === 'avif') expect(meta.compression).toBe('av1');
    const thumb = await sharp(r.thumbnail).metadata();
    expect(thumb).toMatchObject({ format: sharpFormat, width: 300, height: 150 });
    expect(r.report).toMatchObject({ width: 300, height: 150, format, bytes: r.buffer.length });
    expect(r.report.thumbnail).toEqual({ width: 300, height: 150, format, bytes: r.thumbnail.length });
    const px = await decode(r.buffer);
    expect(near(px.at(70, 70), [255, 0, 0], 40)).toBe(true);
    expect(near(px.at(230, 70), [16, 32, 48], 40)).toBe(true);
  });

  it('multiplies the output by scale and keeps the layout', async () => {
    const r = await renderImage(SMALL, [], NO_ASSETS(), { format: 'png', scale: 2 });
    expect(await sharp(r.buffer).metadata()).toMatchObject({ width: 600, height: 300 });
    const px = await decode(r.buffer);
    expect(near(px.at(295, 150), [255, 0, 0], 0)).toBe(true);
    expect(near(px.at(305, 150), [16, 32, 48], 0)).toBe(true);
  });

  it('makes a 400 px wide thumbnail with proportional height, in the output format', async () => {
    const assets = await demoAssets();
    const r = await renderImage(DEMO_OG_CARD, [], assets, { format: 'webp', scale: 2 });
    expect(await sharp(r.thumbnail).metadata()).toMatchObject({ format: 'webp', width: 400, height: 210 });
    expect(r.report.thumbnail).toMatchObject({ width: 400, height: 210, format: 'webp' });
    const custom = await renderImage(DEMO_OG_CARD, [], assets, { format: 'png', thumbnailWidth: 200 });
    expect(custom.report.thumbnail).toMatchObject({ width: 200, height: 105 });
  });

  it('applies a visible watermark for test renders', async () => {
    const clean = await decode((await renderImage(DEMO_OG_CARD, [], await demoAssets(), { format: 'png' })).buffer);
    const marked = await decode(
      (await renderImage(DEMO_OG_CARD, [], await demoAssets(), { format: 'png', watermark: true })).buffer,
    );
    let changed = 0;
    for (let i = 0; i < clean.data.length; i += 4) {
      if (Math.abs(clean.data[i] - marked.data[i]) + Math.abs(clean.data[i + 1] - marked.data[i + 1]) > 30) changed++;
    }
    const share = changed / (clean.width * clean.height);
    expect(share).toBeGreaterThan(0.05);
    expect(share).toBeLessThan(0.6);
  });

  it('is deterministic: same inputs, same pixels', async () => {
    const assets = await demoAssets();
    const mods = [{ name: 'headline', text: 'Déterministe — مرحبا — 日本語 😀' }];
    const a = await renderImage(DEMO_OG_CARD, mods, assets, { format: 'png', scale: 1.5 });
    const b = await renderImage(DEMO_OG_CARD, mods, await demoAssets(), { format: 'png', scale: 1.5 });
    expect((await decode(a.buffer)).data.equals((await decode(b.buffer)).data)).toBe(true);
    expect(a.report).toEqual(b.report);
  });

  it('renders the demo card with its report', async () => {
    const r = await renderImage(DEMO_OG_CARD, [{ name: 'subtitle', hidden: true }], await demoAssets(), { format: 'png' });
    expect(r.report).toMatchObject({ width: 1200, height: 630, format: 'png', thumbnail: { width: 400, height: 210 } });
    expect(r.report.text.map((t) => t.layer)).toEqual(['headline']);
    const px = await decode(r.buffer);
    // Photo corner is rounded (background gradient shows), its middle is photo.
    const corner = px.at(701, 61);
    expect(corner[2]).toBeGreaterThan(corner[1]);
    expect(near(px.at(1135, 300), corner, 30)).toBe(false);
  });

  it('validates options and canvas size', async () => {
    await expect(renderImage(SMALL, [], NO_ASSETS(), { format: 'gif' as never })).rejects.toMatchObject({
      code: 'invalid_options',
    });
    const huge = { ...SMALL, width: 8192, height: 8192 };
    const e = await renderImage(huge, [], NO_ASSETS(), { format: 'png', scale: 3 }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(RenderError);
    expect(e).toMatchObject({ code: 'canvas_too_large' });
    const r = await renderImage(SMALL, [], NO_ASSETS(), { format: 'jpeg', quality: 500, scale: 9 });
    expect(r.report.width).toBe(900);
  });
});
