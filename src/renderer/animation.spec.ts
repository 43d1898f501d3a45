import { describe, expect, it } from '@jest/globals';
import type { Layer, TemplateDocument } from './document.js';
import { prepareVideo, renderImage } from './render.js';
import sharp from 'sharp';
import { count, decode, isInk, near, NO_ASSETS } from '../../test/support/renderer-testing.js';

const box = (over: Partial<Layer>): Layer =>
  ({ name: 'box', type: 'shape', shape: 'rect', x: 0, y: 40, width: 20, height: 20, fill_color: '#ff0000', ...over }) as Layer;

const doc = (layers: Layer[]): TemplateDocument => ({ width: 200, height: 100, background: { color: '#ffffff' }, layers });

const sliding = box({ keyframes: [{ t: 0, x: 0 }, { t: 1, x: 100, opacity: 1 }, { t: 2, opacity: 0.5 }] } as Partial<Layer>);

async function frameAt(d: TemplateDocument, time: number) {
  return decode((await renderImage(d, [], NO_ASSETS(), { format: 'png', time })).buffer);
}

describe('animated documents', () => {
  it('draws a keyframed layer at its interpolated position', async () => {
    const at0 = await frameAt(doc([sliding]), 0);
    expect(near(at0.at(10, 50), [255, 0, 0])).toBe(true);
    expect(near(at0.at(60, 50), [255, 255, 255])).toBe(true);
    const half = await frameAt(doc([sliding]), 0.5);
    expect(near(half.at(10, 50), [255, 255, 255])).toBe(true);
    expect(near(half.at(51, 50), [255, 0, 0])).toBe(true);
    expect(near(half.at(69, 50), [255, 0, 0])).toBe(true);
    expect(near(half.at(72, 50), [255, 255, 255])).toBe(true);
  });

  it('applies the interpolated opacity (held at the first value before its first keyframe)', async () => {
    const d = doc([box({ x: 50, keyframes: [{ t: 1, opacity: 1 }, { t: 3, opacity: 0 }] } as Partial<Layer>)]);
    expect(near((await frameAt(d, 0)).at(60, 50), [255, 0, 0])).toBe(true);
    // Half way: half red over white.
    expect(near((await frameAt(d, 2)).at(60, 50), [255, 128, 128], 3)).toBe(true);
    expect(near((await frameAt(d, 5)).at(60, 50), [255, 255, 255])).toBe(true);
  });

  it('scales and rotates around the layer centre', async () => {
    const d = doc([box({ x: 90, y: 40, keyframes: [{ t: 0, scale: 1 }, { t: 1, scale: 2, rotation: 45 }] } as Partial<Layer>)]);
    const before = await frameAt(d, 0);
    expect(near(before.at(85, 50), [255, 255, 255])).toBe(true);
    const after = await frameAt(d, 1);
    // 40x40 rotated by 45 degrees around (100, 50): its corners point up, down, left and right.
    expect(near(after.at(100, 50), [255, 0, 0])).toBe(true);
    expect(near(after.at(75, 50), [255, 0, 0])).toBe(true);
    expect(near(after.at(82, 32), [255, 255, 255])).toBe(true);
  });

  it('keeps z-order: a static layer above a moving one covers it', async () => {
    const cover = box({ name: 'cover', x: 40, y: 0, width: 40, height: 100, fill_color: '#0000ff' });
    const f = await frameAt(doc([sliding, cover]), 0.5);
    expect(near(f.at(60, 50), [0, 0, 255])).toBe(true);
  });

  it('prepares video frames: raw opaque RGBA, static layers drawn once, only the moving one per frame', async () => {
    const still = box({ name: 'still', x: 150, y: 0, width: 50, height: 20, fill_color: '#00ff00' });
    const v = await prepareVideo({ ...doc([still, sliding]), background: { color: '#00000000' } }, NO_ASSETS(), {});
    expect(v.movingLayers).toBe(1);
    const f = v.frame(0.5);
    expect(f.length).toBe(200 * 100 * 4);
    const px = (x: number, y: number) => [...f.subarray((y * 200 + x) * 4, (y * 200 + x) * 4 + 4)];
    // Transparent background flattened onto white; the static layer is there in every frame.
    expect(px(5, 5)).toEqual([255, 255, 255, 255]);
    expect(px(160, 10)).toEqual([0, 255, 0, 255]);
    expect(px(60, 50)).toEqual([255, 0, 0, 255]);
    expect(px(10, 50)).toEqual([255, 255, 255, 255]);
    const end = v.frame(2);
    expect(near([end[(50 * 200 + 110) * 4], end[(50 * 200 + 110) * 4 + 1]], [255, 128], 3)).toBe(true);
    const poster = await decode(await v.poster(0));
    expect([poster.width, poster.height]).toEqual([200, 100]);
    expect(near(poster.at(10, 50), [255, 0, 0], 20)).toBe(true);
  });

  it('renders documents without keyframes as before, whatever the time', async () => {
    const d = doc([box({ x: 10 })]);
    const a = await renderImage(d, [], NO_ASSETS(), { format: 'png' });
    const b = await renderImage(d, [], NO_ASSETS(), { format: 'png', time: 3 });
    expect(b.buffer.equals(a.buffer)).toBe(true);
  });

  it('animates text and image layers too', async () => {
    const text = { name: 'title', type: 'text', x: 0, y: 0, width: 80, height: 40, text: 'Hi', font_size: 30, keyframes: [{ t: 0, x: 0 }, { t: 1, x: 120 }] } as unknown as Layer;
    const at0 = await frameAt(doc([text]), 0);
    const at1 = await frameAt(doc([text]), 1);
    expect(count(at0, 0, 0, 80, 40, isInk)).toBeGreaterThan(20);
    expect(count(at1, 0, 0, 80, 40, isInk)).toBe(0);
    expect(count(at1, 120, 0, 200, 40, isInk)).toBe(count(at0, 0, 0, 80, 40, isInk));

    const png = await sharp({ create: { width: 10, height: 10, channels: 3, background: '#00ff00' } }).png().toBuffer();
    const image = { name: 'photo', type: 'image', x: 100, y: 50, width: 40, height: 40, image_url: 'https://example.com/p.png', keyframes: [{ t: 0, opacity: 0 }, { t: 2, opacity: 1 }] } as unknown as Layer;
    const assets = { images: new Map([['url:https://example.com/p.png', png]]), fonts: new Map() };
    const render = async (time: number) => decode((await renderImage(doc([image]), [], assets, { format: 'png', time })).buffer);
    expect(near((await render(0)).at(120, 70), [255, 255, 255])).toBe(true);
    expect(near((await render(1)).at(120, 70), [128, 255, 128], 3)).toBe(true);
    expect(near((await render(2)).at(120, 70), [0, 255, 0])).toBe(true);
  });
});
