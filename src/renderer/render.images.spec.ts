import { beforeAll, describe, expect, it } from '@jest/globals';
import { deflateSync, crc32 } from 'node:zlib';
import sharp from 'sharp';
import type { ImageLayer, TemplateDocument } from './document.js';
import { renderImage } from './render.js';
import { decode, near, type Pixels } from '../../test/support/renderer-testing.js';
import { RenderError } from './types.js';

const RED = [255, 0, 0];
const GREEN = [0, 255, 0];
const BLUE = [0, 0, 255];
const YELLOW = [255, 255, 0];
const WHITE = [255, 255, 255];

/** 200x100, four 50px vertical stripes: red, green, blue, yellow. No alpha channel. */
let stripes: Buffer;
/** 100x100 white. */
let white: Buffer;

beforeAll(async () => {
  const w = 200;
  const h = 100;
  const raw = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const c = [RED, GREEN, BLUE, YELLOW][Math.floor(x / 50)];
      raw.set(c, (y * w + x) * 3);
    }
  }
  stripes = await sharp(raw, { raw: { width: w, height: h, channels: 3 } }).png().toBuffer();
  white = await sharp({ create: { width: 100, height: 100, channels: 3, background: '#ffffff' } }).png().toBuffer();
});

/** Draws `bytes` as an image layer at (50,50) 100x100 on a 200x200 white canvas. */
async function draw(bytes: Buffer | undefined, over: Partial<ImageLayer> = {}, background?: TemplateDocument['background']): Promise<Pixels> {
  const images = new Map<string, Buffer>();
  if (bytes) images.set('asset:img', bytes);
  const layer: ImageLayer = { name: 'img', type: 'image', x: 50, y: 50, width: 100, height: 100, asset_id: 'img', ...over };
  const r = await renderImage({ width: 200, height: 200, background, layers: [layer] }, [], { images, fonts: new Map() }, { format: 'png' });
  return decode(r.buffer);
}

async function renderError(p: Promise<unknown>): Promise<RenderError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(RenderError);
  return e as RenderError;
}

describe('image layers: fit, crop and focus', () => {
  it('cover fills the box and crops around the centre', async () => {
    const p = await draw(stripes, { fit: 'cover' });
    expect(near(p.at(60, 100), GREEN)).toBe(true);
    expect(near(p.at(140, 100), BLUE)).toBe(true);
    expect(near(p.at(45, 100), WHITE, 0)).toBe(true);
  });

  it('cover honours focus', async () => {
    const left = await draw(stripes, { fit: 'cover', focus: 'left' });
    expect(near(left.at(60, 100), RED)).toBe(true);
    expect(near(left.at(140, 100), GREEN)).toBe(true);
    const right = await draw(stripes, { fit: 'cover', focus: 'bottom_right' });
    expect(near(right.at(60, 100), BLUE)).toBe(true);
    expect(near(right.at(140, 100), YELLOW)).toBe(true);
  });

  it('contain letterboxes with the background showing through', async () => {
    const p = await draw(stripes, { fit: 'contain' });
    expect(near(p.at(100, 60), WHITE, 0)).toBe(true);
    expect(near(p.at(100, 140), WHITE, 0)).toBe(true);
    expect(near(p.at(55, 100), RED)).toBe(true);
    expect(near(p.at(145, 100), YELLOW)).toBe(true);
  });

  it('fill stretches the whole image', async () => {
    const p = await draw(stripes, { fit: 'fill' });
    expect(near(p.at(55, 60), RED)).toBe(true);
    expect(near(p.at(145, 140), YELLOW)).toBe(true);
  });

  it('crops in source pixels before fitting', async () => {
    const p = await draw(stripes, { fit: 'fill', crop: { x: 150, y: 0, width: 50, height: 100 } });
    expect(near(p.at(55, 55), YELLOW)).toBe(true);
    expect(near(p.at(145, 145), YELLOW)).toBe(true);
  });

  it('ignores a crop outside the image instead of failing', async () => {
    const p = await draw(stripes, { fit: 'fill', crop: { x: 5000, y: 0, width: 50, height: 100 } });
    expect(near(p.at(145, 100), YELLOW)).toBe(true);
  });
});

describe('image layers: colour and shape', () => {
  it('converts to grayscale', async () => {
    const [r, g, b] = (await draw(stripes, { fit: 'fill', grayscale: true })).at(55, 100);
    expect(Math.abs(r - g) + Math.abs(g - b)).toBeLessThan(4);
    expect(r).toBeGreaterThan(40);
    expect(r).toBeLessThan(70);
  });

  it('tints toward tint_color, with its alpha as strength', async () => {
    expect(near((await draw(white, { tint_color: '#00FF00' })).at(100, 100), GREEN, 2)).toBe(true);
    expect(near((await draw(white, { tint_color: '#00FF0080' })).at(100, 100), [127, 255, 127], 3)).toBe(true);
  });

  it('rounds corners to transparency over the background', async () => {
    const p = await draw(stripes, { fit: 'fill', border_radius: 30 }, { color: '#000000' });
    expect(near(p.at(51, 51), [0, 0, 0], 0)).toBe(true);
    expect(near(p.at(148, 148), [0, 0, 0], 0)).toBe(true);
    expect(near(p.at(65, 100), RED)).toBe(true);
    expect(near(p.at(51, 85), RED)).toBe(true);
  });

  it('keeps source transparency', async () => {
    const half = await sharp({ create: { width: 100, height: 100, channels: 4, background: { r: 0, g: 0, b: 255, alpha: 0 } } })
      .composite([{ input: { create: { width: 50, height: 100, channels: 4, background: '#0000ff' } }, left: 0, top: 0 }])
      .png()
      .toBuffer();
    const p = await draw(half, {}, { color: '#FF0000' });
    expect(near(p.at(70, 100), BLUE)).toBe(true);
    expect(near(p.at(130, 100), RED)).toBe(true);
  });

  it('rotates, fades and casts a shadow', async () => {
    const turned = await draw(stripes, { fit: 'fill', rotation: 180 });
    expect(near(turned.at(55, 100), YELLOW)).toBe(true);
    const faded = await draw(white, { opacity: 0.5 }, { color: '#000000' });
    expect(near(faded.at(100, 100), [128, 128, 128], 2)).toBe(true);
    const shadowed = await draw(white, { shadow: { x: 10, y: 10, blur: 0, color: '#FF0000' } }, { color: '#000000' });
    expect(near(shadowed.at(155, 155), RED, 0)).toBe(true);
    expect(near(shadowed.at(100, 100), WHITE, 0)).toBe(true);
  });

  it('takes the first frame of an animated GIF', async () => {
    const frames = Buffer.concat([
      await sharp({ create: { width: 20, height: 20, channels: 3, background: '#ff0000' } }).raw().toBuffer(),
      await sharp({ create: { width: 20, height: 20, channels: 3, background: '#0000ff' } }).raw().toBuffer(),
    ]);
    const gif = await sharp(frames, { raw: { width: 20, height: 40, channels: 3, pageHeight: 20 } }).gif().toBuffer();
    expect((await sharp(gif).metadata()).pages).toBe(2);
    expect(near((await draw(gif)).at(100, 100), RED, 10)).toBe(true);
  });

  it('applies the EXIF orientation before crop and fit', async () => {
    // Stored landscape (red left, yellow right); orientation 6 displays it rotated 90deg
    // clockwise, so red ends up on top.
    const jpeg = await sharp(stripes).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer();
    const p = await draw(jpeg, { fit: 'fill' });
    expect(near(p.at(100, 55), RED, 30)).toBe(true);
    expect(near(p.at(100, 145), YELLOW, 30)).toBe(true);
  });

  it('draws a background image with cover', async () => {
    const r = await renderImage(
      { width: 100, height: 100, background: { asset_id: 'bg' }, layers: [] },
      [],
      { images: new Map([['asset:bg', stripes]]), fonts: new Map() },
      { format: 'png' },
    );
    const p = await decode(r.buffer);
    expect(near(p.at(10, 50), GREEN)).toBe(true);
    expect(near(p.at(90, 50), BLUE)).toBe(true);
  });
});

/** A real 20000x20000 1-bit PNG (400 MP), about 50 KB compressed. */
function pngBomb(): Buffer {
  const side = 20000;
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body) >>> 0);
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // greyscale
  const rows = deflateSync(Buffer.alloc(side * (1 + side / 8)), { level: 9 });
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', rows), chunk('IEND', Buffer.alloc(0))]);
}

describe('untrusted image bytes', () => {
  it('refuses a decompression bomb from its header, without decoding', async () => {
    const bomb = pngBomb();
    expect(bomb.length).toBeLessThan(100_000);
    const started = performance.now();
    const e = await renderError(draw(bomb));
    // Informational only (no timing assertion): decoding 400 MP would take seconds and ~400 MB.
    process.stdout.write(`bomb refused in ${(performance.now() - started).toFixed(1)} ms\n`);
    expect(e.code).toBe('image_too_large');
    expect(e.layer).toBe('img');
  }, 10_000);

  it('reports a missing source as image_unavailable', async () => {
    expect(await renderError(draw(undefined))).toMatchObject({ code: 'image_unavailable', layer: 'img' });
  });

  it('refuses corrupt and truncated images', async () => {
    expect((await renderError(draw(Buffer.from('definitely not an image')))).code).toBe('image_invalid');
    const jpeg = await sharp(stripes).jpeg().toBuffer();
    expect((await renderError(draw(jpeg.subarray(0, jpeg.length >> 1)))).code).toBe('image_invalid');
    expect((await renderError(draw(Buffer.alloc(0)))).code).toBe('image_invalid');
  });

  const svg = (body: string, head = '') =>
    Buffer.from(`${head}<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="100" height="100">${body}</svg>`);

  it.each([
    ['an http image', svg('<image href="http://127.0.0.1:9/x.png" width="10" height="10"/>')],
    ['an xlink:href file', svg('<image xlink:href="file:///etc/passwd" width="10" height="10"/>')],
    ['a relative reference', svg("<use href='other.svg#a'/>")],
    ['an entity-encoded URL', svg('<image href="&#104;ttp://127.0.0.1/x.png"/>')],
    ['a CSS url()', svg('<rect width="10" height="10" style="fill: url(http://127.0.0.1/p.svg#g)"/>')],
    ['@import', svg('<style>@import "http://127.0.0.1/x.css";</style>')],
    ['an external entity', svg('<text>&x;</text>', '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>')],
    ['an xml-stylesheet', svg('', '<?xml-stylesheet href="http://127.0.0.1/s.css"?>')],
  ])('refuses an SVG with %s', async (_what, bytes) => {
    expect(await renderError(draw(bytes))).toMatchObject({ code: 'image_invalid', layer: 'img' });
  });

  it('rasterises a self-contained SVG (fragment and data: references) at the layer size', async () => {
    const dot = (await sharp({ create: { width: 4, height: 4, channels: 3, background: '#0000ff' } }).png().toBuffer()).toString('base64');
    const bytes = svg(
      `<defs><rect id="r" width="50" height="100" fill="#ff0000"/></defs><use href="#r"/>` +
        `<image x="50" y="0" width="50" height="100" preserveAspectRatio="none" href="data:image/png;base64,${dot}"/>`,
    );
    const p = await draw(bytes, { fit: 'fill', width: 100, height: 100 });
    expect(near(p.at(60, 100), RED, 0)).toBe(true);
    expect(near(p.at(140, 100), BLUE, 20)).toBe(true);
    // Vectors stay sharp at the edge between the halves.
    expect(near(p.at(98, 100), RED, 0)).toBe(true);
  });
});
