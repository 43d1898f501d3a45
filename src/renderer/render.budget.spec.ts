import { beforeAll, describe, expect, it } from '@jest/globals';
import sharp from 'sharp';
import { pngBomb } from '../../test/fixtures/images.js';
import { decode, near } from '../../test/support/renderer-testing.js';
import { checkDocumentBudget } from './budget.js';
import { LIMITS, type Layer, type TemplateDocument } from './document.js';
import { dataUriPayloads, measureEmbedded } from './embedded.js';
import { modifyDocument } from './merge.js';
import { renderImage } from './render.js';
import { resolveAssets } from './sources.js';
import { RenderError, type RenderOptions } from './types.js';

/** 200x200 red PNG: 40,000 decoded pixels, a few hundred bytes. */
let red: Buffer;

beforeAll(async () => {
  red = await sharp({ create: { width: 200, height: 200, channels: 3, background: '#ff0000' } }).png().toBuffer();
});

const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64');

/** A 100x100 SVG whose whole area is one embedded image (data: URI, base64). */
function svgEmbedding(payload: Buffer | string, mime: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><image href="data:${mime};base64,${b64(payload)}" width="100" height="100"/></svg>`;
}

/** A PNG nested `levels` SVGs deep (levels = 1: an SVG embedding the PNG). */
function nested(levels: number): string {
  let svg = svgEmbedding(red, 'image/png');
  for (let i = 1; i < levels; i++) svg = svgEmbedding(svg, 'image/svg+xml');
  return svg;
}

/** Draws each source as a 100x100 image layer (at scale 1, so SVGs rasterise at 72 dpi). */
function render(sources: (Buffer | string)[], options: Partial<RenderOptions> = {}) {
  const images = new Map<string, Buffer>();
  const layers: Layer[] = sources.map((src, i) => {
    images.set(`asset:a${i}`, Buffer.from(src));
    return { name: `img${i}`, type: 'image', x: i * 100, y: 0, width: 100, height: 100, asset_id: `a${i}` };
  });
  const doc: TemplateDocument = { width: 100 * sources.length, height: 100, layers };
  return renderImage(doc, [], { images, fonts: new Map() }, { format: 'png', ...options });
}

async function renderError(p: Promise<unknown>): Promise<RenderError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(RenderError);
  return e as RenderError;
}

describe('decoded-pixel budget', () => {
  // One level: the SVG's own 100x100 surface plus the 200x200 PNG it embeds.
  const ONE_LEVEL = 100 * 100 + 200 * 200;
  // Two levels: the outer surface, the embedded SVG's surface, the PNG.
  const TWO_LEVELS = 100 * 100 + 100 * 100 + 200 * 200;

  it('counts an image embedded in an SVG: just under the budget renders it, one pixel less fails', async () => {
    const svg = nested(1);
    const ok = await decode((await render([svg], { maxDecodedPixels: ONE_LEVEL })).buffer);
    // The embedded PNG was drawn, so it really was decoded.
    expect(near(ok.at(50, 50), [255, 0, 0])).toBe(true);
    const e = await renderError(render([svg], { maxDecodedPixels: ONE_LEVEL - 1 }));
    expect(e).toMatchObject({ code: 'render_pixel_budget_exceeded', layer: 'img0' });
    expect(e.message).toContain(`more than ${ONE_LEVEL - 1} pixels`);
  });

  it('counts nested SVGs recursively: a PNG inside an SVG inside the SVG pushes the sum over', async () => {
    const svg = nested(2);
    expect(await measureEmbedded(svg, 'x')).toEqual({ rasterPixels: 200 * 200, svgPixels: 100 * 100, bytes: expect.any(Number) });
    const ok = await decode((await render([svg], { maxDecodedPixels: TWO_LEVELS })).buffer);
    expect(near(ok.at(50, 50), [255, 0, 0])).toBe(true);
    expect(await renderError(render([svg], { maxDecodedPixels: TWO_LEVELS - 1 }))).toMatchObject({ code: 'render_pixel_budget_exceeded' });
    // Four levels deep: still every PNG pixel and every surface.
    const deep = await measureEmbedded(nested(4), 'x');
    expect(deep).toMatchObject({ rasterPixels: 200 * 200, svgPixels: 3 * 100 * 100 });
  });

  it('sums over the layers and names the layer that went over', async () => {
    // Two PNG layers of 40,000 pixels each: 80,000 fits, 79,999 fails on the second.
    expect((await render([red, red], { maxDecodedPixels: 80_000 })).report.width).toBe(200);
    expect(await renderError(render([red, red], { maxDecodedPixels: 79_999 }))).toMatchObject({ code: 'render_pixel_budget_exceeded', layer: 'img1' });
  });

  it('reads an embedded decompression bomb from its header and refuses it without decoding it', async () => {
    // 400 megapixels in about 50 KB: the per-image limit names it before the budget is reached.
    const e = await renderError(render([svgEmbedding(pngBomb(), 'image/png')], { maxDecodedPixels: 2_000_000_000 }));
    expect(e).toMatchObject({ code: 'image_too_large', layer: 'img0' });
    // Four embedded 30 MP images: each under the per-image limit, together over the budget.
    const big = pngBomb(5500);
    const four = `<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">${[0, 1, 2, 3]
      .map((i) => `<image href="data:image/png;base64,${b64(big)}" x="${i}" width="1" height="1"/>`)
      .join('')}</svg>`;
    expect(await renderError(render([four]))).toMatchObject({ code: 'render_pixel_budget_exceeded', layer: 'img0' });
  });

  it('finds data: URIs however the SVG spells them: xlink:href, percent-encoding, XML entities, url()', () => {
    const inner = '<svg xmlns="http://www.w3.org/2000/svg" width="2" height="2"/>';
    const svg = [
      `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">`,
      `<image xlink:href="DATA:image/png;base64,${b64(red)}"/>`,
      `<image href='data:image/svg+xml,${encodeURIComponent(inner)}'/>`,
      `<image href="data:image/svg+xml,${inner.replaceAll('<', '&lt;').replaceAll('"', '&quot;')}"/>`,
      `<rect style="fill: url( data:image/png;base64,${b64(red)})"/>`,
      `</svg>`,
    ].join('');
    const payloads = dataUriPayloads(svg);
    expect(payloads.map((p) => p.length)).toEqual([red.length, inner.length, inner.length, red.length]);
    expect(payloads[1].toString()).toBe(inner);
    expect(payloads[2].toString()).toBe(inner);
    expect(payloads[3].equals(red)).toBe(true);
  });

  it('reads `data:` inside a URI as part of it, not as another URI, and stops past the limit', () => {
    expect(dataUriPayloads('<image href="data:,data:data:)"/>').map(String)).toEqual(['data:data:)']);
    const many = `<svg>${'<image href="data:,x"/>'.repeat(LIMITS.maxEmbeddedImages + 50)}</svg>`;
    expect(dataUriPayloads(many, 10)).toHaveLength(11);
  });

  it('refuses an SVG embedding more data: URIs than the limit', async () => {
    const many = `<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">${'<image href="data:,x"/>'.repeat(LIMITS.maxEmbeddedImages + 1)}</svg>`;
    expect(await renderError(render([many]))).toMatchObject({ code: 'image_invalid', message: expect.stringContaining(`more than ${LIMITS.maxEmbeddedImages}`) });
  });

  it('refuses an embedded SVG that is not self-contained, and nesting beyond the limit', async () => {
    const external = svgEmbedding('<svg xmlns="http://www.w3.org/2000/svg"><image href="http://127.0.0.1/x.png"/></svg>', 'image/svg+xml');
    expect(await renderError(render([external]))).toMatchObject({ code: 'image_invalid', message: expect.stringContaining('embedded SVG rejected') });
    expect(await renderError(render([nested(LIMITS.maxSvgNesting + 1)]))).toMatchObject({
      code: 'image_invalid',
      message: expect.stringContaining('nested more than'),
    });
  });
});

describe('decoded-bytes budget', () => {
  it('counts every source once and the payloads SVGs embed', async () => {
    const svg = nested(1);
    const payload = red.length;
    const total = Buffer.byteLength(svg) + payload;
    expect((await render([svg], { maxDecodedBytes: total })).report.width).toBe(100);
    const e = await renderError(render([svg], { maxDecodedBytes: total - 1 }));
    expect(e).toMatchObject({ code: 'render_bytes_budget_exceeded', layer: 'img0' });
    // Payloads are counted as they are decoded, every level: three levels hold more than two.
    const deep = nested(3);
    const { bytes: deepBytes } = await measureEmbedded(deep, 'x');
    expect(deepBytes).toBeGreaterThan(Buffer.byteLength(nested(2)) + Buffer.byteLength(nested(1)));
    expect(await measureEmbedded(deep, 'x', deepBytes)).toMatchObject({ bytes: deepBytes });
    await expect(measureEmbedded(deep, 'x', deepBytes - 1)).rejects.toMatchObject({ code: 'render_bytes_budget_exceeded', layer: 'x' });
    // The same source on two layers is one source.
    const images = new Map([['asset:a', red]]);
    const twice: Layer[] = [0, 1].map((i) => ({ name: `l${i}`, type: 'image', x: 0, y: 0, width: 10, height: 10, asset_id: 'a' }));
    const r = await renderImage({ width: 10, height: 10, layers: twice }, [], { images, fonts: new Map() }, { format: 'png', maxDecodedBytes: red.length });
    expect(r.report.width).toBe(10);
  });

  it('stops loading sources once they add up to more than the budget', async () => {
    const doc = modifyDocument(
      {
        width: 10,
        height: 10,
        layers: [
          { name: 'a', type: 'image', x: 0, y: 0, width: 5, height: 5, asset_id: 'a' },
          { name: 'b', type: 'image', x: 5, y: 0, width: 5, height: 5, asset_id: 'b' },
        ],
      },
      [],
    );
    const port = { asset: async () => ({ bytes: Buffer.alloc(600), kind: 'image' as const }), remoteImage: async () => Buffer.alloc(0) };
    expect((await resolveAssets(doc, port, { maxBytes: 1200 })).images.size).toBe(2);
    await expect(resolveAssets(doc, port, { maxBytes: 1199 })).rejects.toMatchObject({ code: 'render_bytes_budget_exceeded', layer: 'b' });
  });
});

describe('layer and text budgets at render time', () => {
  const text = (name: string, t: string): Layer => ({ name, type: 'text', x: 0, y: 0, width: 100, height: 20, text: t });

  it('refuses more layers than the document model allows, even from a stored version', async () => {
    const layers = Array.from({ length: LIMITS.maxLayers + 1 }, (_, i): Layer => ({
      name: `s${i}`,
      type: 'shape',
      shape: 'rect',
      x: 0,
      y: 0,
      width: 1,
      height: 1,
    }));
    const e = await renderError(renderImage({ width: 10, height: 10, layers }, [], { images: new Map(), fonts: new Map() }, { format: 'png' }));
    expect(e).toMatchObject({ code: 'render_layer_budget_exceeded', message: expect.stringContaining(`limit is ${LIMITS.maxLayers}`) });
    // Hidden layers are not drawn, so they cost nothing.
    layers[0].hidden = true;
    expect((await renderImage({ width: 10, height: 10, layers }, [], { images: new Map(), fonts: new Map() }, { format: 'png' })).report.width).toBe(10);
  });

  it('refuses text over the per-layer limit instead of cutting it, counting characters as the API does', async () => {
    const e = await renderError(
      renderImage({ width: 100, height: 20, layers: [text('ok', 'a'), text('long', 'a'.repeat(LIMITS.maxTextLength + 1))] }, [], { images: new Map(), fonts: new Map() }, { format: 'png' }),
    );
    expect(e).toMatchObject({ code: 'render_text_budget_exceeded', layer: 'long' });
    // 10,000 emoji are 20,000 UTF-16 units and 10,000 characters: within the limit.
    expect(() => checkDocumentBudget([text('emoji', '😀'.repeat(LIMITS.maxTextLength))])).not.toThrow();
    expect(() => checkDocumentBudget([text('emoji', '😀'.repeat(LIMITS.maxTextLength) + 'a')])).toThrow(RenderError);
  });
});
