import { afterAll, describe, expect, it } from '@jest/globals';
import type { RenderOptions } from './types.js';
import { DEMO_OG_CARD, demoAssets } from './demo-template.js';
import { RenderPool } from './pool.js';
import { renderImage } from './render.js';
import { RenderError } from './types.js';
import { decode } from '../../test/support/renderer-testing.js';
import { renamedFont } from '../../test/fixtures/fonts.js';
import type { TemplateDocument } from './document.js';

/**
 * Threads cannot run the .ts sources by themselves, so the pool is pointed at a test entry
 * that installs a TypeScript loader (pool.spec-entry.mjs). The compiled build uses the
 * default entry, dist/renderer/pool-worker.js.
 */
const entry = new URL('./pool.spec-entry.mjs', import.meta.url);

describe('RenderPool', () => {
  const pool = new RenderPool({ size: 2, entry, timeoutMs: 20_000 });
  afterAll(() => pool.close());

  it('renders in a thread with the same pixels as in-process', async () => {
    const assets = await demoAssets();
    const [threaded, local] = await Promise.all([
      pool.render(DEMO_OG_CARD, [{ name: 'headline', text: 'From a thread' }], assets, { format: 'png' }),
      renderImage(DEMO_OG_CARD, [{ name: 'headline', text: 'From a thread' }], assets, { format: 'png' }),
    ]);
    expect(Buffer.isBuffer(threaded.buffer)).toBe(true);
    expect(threaded.report).toEqual(local.report);
    expect((await decode(threaded.buffer)).data.equals((await decode(local.buffer)).data)).toBe(true);
  });

  it("keeps every thread's uploaded fonts its own while the threads evict (RENDER_FONT_CACHE_MAX 1)", async () => {
    // The font registry is one per process; a thread evicting a font must never take away a
    // font another thread is drawing with, even the same asset of the same organisation.
    const tight = new RenderPool({ size: 2, entry, timeoutMs: 20_000, fontCacheMax: 1 });
    try {
      const ids = ['7a7a7a7a-0000-4000-8000-000000000001', '7a7a7a7a-0000-4000-8000-000000000002', '7a7a7a7a-0000-4000-8000-000000000003'];
      const sources = ['DejaVuSerif.ttf', 'DejaVuSansMono.ttf', 'DejaVuSans-Bold.ttf'];
      const fonts = new Map(ids.map((id, i) => [id, renamedFont(`Pool Font ${i}`, `/usr/share/fonts/truetype/dejavu/${sources[i]}`)]));
      const doc = (id: string): TemplateDocument =>
        ({
          width: 300,
          height: 60,
          background: { color: '#ffffff' },
          layers: [{ name: 't', type: 'text', x: 5, y: 5, width: 290, height: 50, text: 'Hamburgefonts', font_size: 32, fit: 'none', font_asset_id: id }],
        }) as TemplateDocument;
      const opts = { format: 'png', fontNamespace: 'org-a' } as const;
      const assets = { images: new Map(), fonts };
      const expected = await Promise.all(ids.map(async (id) => (await decode((await renderImage(doc(id), [], assets, opts)).buffer)).data));
      const order = Array.from({ length: 24 }, (_, i) => i % ids.length);
      const results = await Promise.all(order.map((i) => tight.render(doc(ids[i]), [], assets, opts)));
      const same = await Promise.all(results.map(async (r, n) => (await decode(r.buffer)).data.equals(expected[order[n]])));
      expect(same).toEqual(order.map(() => true));
    } finally {
      await tight.close();
    }
  });

  it('rejects with the RenderError raised in the thread', async () => {
    const err = await pool
      .render(DEMO_OG_CARD, [], { images: new Map(), fonts: new Map() }, { format: 'png' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RenderError);
    expect(err).toMatchObject({ code: 'image_unavailable', layer: 'photo' });
  });

  it('replaces a crashed thread and rejects only its job', async () => {
    const assets = await demoAssets();
    const crash = pool.render(DEMO_OG_CARD, [], assets, { format: 'crash-thread' } as unknown as RenderOptions);
    await expect(crash).rejects.toMatchObject({ code: 'render_crashed' });
    const results = await Promise.all(
      [1, 2, 3].map(() => pool.render(DEMO_OG_CARD, [], assets, { format: 'jpeg' })),
    );
    expect(results.map((r) => r.report.format)).toEqual(['jpeg', 'jpeg', 'jpeg']);
  });

  it('times out a stuck render and keeps serving', async () => {
    const small = new RenderPool({ size: 1, entry, timeoutMs: 3000 });
    try {
      const assets = await demoAssets();
      const stuck = small.render(DEMO_OG_CARD, [], assets, { format: 'hang-thread' } as unknown as RenderOptions);
      const next = small.render(DEMO_OG_CARD, [], assets, { format: 'png' });
      await expect(stuck).rejects.toMatchObject({ code: 'render_timeout' });
      expect((await next).report.width).toBe(1200);
    } finally {
      await small.close();
    }
  });

  it('stops a render past its deadline with a clear error, and the next renders still work', async () => {
    const small = new RenderPool({ size: 1, entry, timeoutMs: 1500 });
    try {
      const assets = await demoAssets();
      // Warm the thread, so the deadline below is seen to count the render only.
      expect((await small.render(DEMO_OG_CARD, [], assets, { format: 'png' })).report.format).toBe('png');
      const started = Date.now();
      const err = await small
        .render(DEMO_OG_CARD, [], assets, { format: 'hang-thread' } as unknown as RenderOptions)
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RenderError);
      expect(err).toMatchObject({ code: 'render_timeout', message: 'render exceeded 1500 ms and its thread was stopped' });
      expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
      const after = await Promise.all([1, 2].map(() => small.render(DEMO_OG_CARD, [], assets, { format: 'webp' })));
      expect(after.map((r) => r.report.format)).toEqual(['webp', 'webp']);
    } finally {
      await small.close();
    }
  });

  it('stops a thread that exceeds its memory limit and replaces it', async () => {
    const small = new RenderPool({ size: 1, entry, maxMemoryMb: 64 });
    try {
      const assets = await demoAssets();
      const err = await small.render(DEMO_OG_CARD, [], assets, { format: 'oom-thread' } as unknown as RenderOptions).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'render_crashed', message: expect.stringContaining('ran out of memory') });
      expect((await small.render(DEMO_OG_CARD, [], assets, { format: 'png' })).report.width).toBe(1200);
    } finally {
      await small.close();
    }
  });

  it('refuses renders beyond its queue with render_busy and serves the admitted ones', async () => {
    const small = new RenderPool({ size: 1, entry, maxQueue: 1 });
    try {
      const assets = await demoAssets();
      await small.render(DEMO_OG_CARD, [], assets, { format: 'png' });
      const settled = await Promise.allSettled([1, 2, 3, 4].map(() => small.render(DEMO_OG_CARD, [], assets, { format: 'png' })));
      const refused = settled.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason as RenderError);
      // One on the thread, one waiting; the rest are refused at once rather than piling up.
      expect(settled.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
      expect(refused.map((e) => e.code)).toEqual(['render_busy', 'render_busy']);
    } finally {
      await small.close();
    }
  });

  it('fails jobs, without spinning, when the thread entry cannot load', async () => {
    const broken = new RenderPool({ size: 1, entry: new URL('./no-such-entry.mjs', import.meta.url) });
    try {
      const jobs = [1, 2].map(() => broken.render(DEMO_OG_CARD, [], { images: new Map(), fonts: new Map() }, { format: 'png' }));
      for (const job of jobs) await expect(job).rejects.toMatchObject({ code: 'render_crashed' });
    } finally {
      await broken.close();
    }
  });

  it('refuses work after close', async () => {
    const p = new RenderPool({ size: 1, entry });
    await p.close();
    await expect(p.render(DEMO_OG_CARD, [], { images: new Map(), fonts: new Map() }, { format: 'png' })).rejects.toThrow(
      'closed',
    );
  });
});
