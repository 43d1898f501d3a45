import { describe, expect, it } from '@jest/globals';
import type { Layer, TemplateDocument } from './document.js';
import { renderImage } from './render.js';
import { decode, near, NO_ASSETS, type Pixels } from '../../test/support/renderer-testing.js';

const RED = [255, 0, 0];
const WHITE = [255, 255, 255];
const BLUE = [0, 0, 255];

async function draw(layers: Layer[], background: TemplateDocument['background'] = undefined, size = 200): Promise<Pixels> {
  const r = await renderImage({ width: size, height: size, background, layers }, [], NO_ASSETS(), { format: 'png' });
  return decode(r.buffer);
}

const rect = (over: Partial<Layer> & Record<string, unknown> = {}): Layer =>
  ({ name: 'r', type: 'shape', shape: 'rect', x: 50, y: 60, width: 80, height: 40, fill_color: '#FF0000', ...over }) as Layer;

describe('background', () => {
  it('defaults to white and takes a colour', async () => {
    expect(near((await draw([])).at(5, 5), WHITE, 0)).toBe(true);
    expect(near((await draw([], { color: '#0000FF' })).at(100, 100), BLUE, 0)).toBe(true);
  });

  it('draws a linear gradient with CSS angles', async () => {
    const stops = [
      { offset: 0, color: '#FF0000' },
      { offset: 1, color: '#0000FF' },
    ];
    const toRight = await draw([], { gradient: { type: 'linear', angle: 90, stops } });
    expect(near(toRight.at(0, 100), RED, 6)).toBe(true);
    expect(near(toRight.at(199, 100), BLUE, 6)).toBe(true);
    const toBottom = await draw([], { gradient: { type: 'linear', angle: 180, stops } });
    expect(near(toBottom.at(100, 0), RED, 6)).toBe(true);
    expect(near(toBottom.at(100, 199), BLUE, 6)).toBe(true);
    // 135deg: the top-left corner gets the first stop, the bottom-right corner the last.
    const diagonal = await draw([], { gradient: { type: 'linear', angle: 135, stops } });
    expect(near(diagonal.at(0, 0), RED, 6)).toBe(true);
    expect(near(diagonal.at(199, 199), BLUE, 6)).toBe(true);
  });

  it('draws a radial gradient from the centre to the corners', async () => {
    const p = await draw([], {
      gradient: {
        type: 'radial',
        stops: [
          { offset: 0, color: '#FF0000' },
          { offset: 1, color: '#0000FF' },
        ],
      },
    });
    expect(near(p.at(100, 100), RED, 6)).toBe(true);
    expect(near(p.at(0, 0), BLUE, 6)).toBe(true);
  });

  it('keeps a transparent background transparent in PNG', async () => {
    const p = await draw([rect(), rect({ x: 10, y: 150, width: 20, height: 20, opacity: 0.5 })], { color: '#00000000' });
    expect(p.at(5, 5)[3]).toBe(0);
    expect(p.at(90, 80)).toEqual([255, 0, 0, 255]);
    // Canvas pixels are premultiplied; the PNG must carry straight colour with the alpha.
    const [r, g, b, a] = p.at(20, 160);
    expect([r, g, b]).toEqual([255, 0, 0]);
    expect(Math.abs(a - 128)).toBeLessThanOrEqual(1);
  });
});

describe('shape layers', () => {
  it('fills a rect exactly where it is placed', async () => {
    const p = await draw([rect()]);
    expect(near(p.at(51, 61), RED, 0)).toBe(true);
    expect(near(p.at(128, 98), RED, 0)).toBe(true);
    expect(near(p.at(48, 80), WHITE, 0)).toBe(true);
    expect(near(p.at(132, 80), WHITE, 0)).toBe(true);
    expect(near(p.at(90, 58), WHITE, 0)).toBe(true);
    expect(near(p.at(90, 102), WHITE, 0)).toBe(true);
  });

  it('rounds rect corners with border_radius', async () => {
    const p = await draw([rect({ border_radius: 20 })]);
    expect(near(p.at(51, 61), WHITE, 0)).toBe(true);
    expect(near(p.at(90, 80), RED, 0)).toBe(true);
    expect(near(p.at(70, 61), RED, 0)).toBe(true);
  });

  it('rotates around the layer centre', async () => {
    // A 120x20 bar centred at (100,100); rotated 90deg it becomes 20x120.
    const bar = rect({ x: 40, y: 90, width: 120, height: 20 });
    const flat = await draw([bar]);
    expect(near(flat.at(45, 100), RED, 0)).toBe(true);
    expect(near(flat.at(100, 45), WHITE, 0)).toBe(true);
    const turned = await draw([{ ...bar, rotation: 90 } as Layer]);
    expect(near(turned.at(45, 100), WHITE, 0)).toBe(true);
    expect(near(turned.at(100, 45), RED, 0)).toBe(true);
    expect(near(turned.at(100, 100), RED, 0)).toBe(true);
  });

  it('blends with opacity', async () => {
    const p = await draw([rect({ opacity: 0.5 })]);
    expect(near(p.at(90, 80), [255, 128, 128], 2)).toBe(true);
  });

  it('fades fill and stroke together (no darker overlap)', async () => {
    const p = await draw([rect({ opacity: 0.5, stroke_color: '#FF0000', stroke_width: 10 })]);
    // Fill and stroke are the same red: isolated opacity gives one uniform 50% red.
    expect(near(p.at(53, 80), [255, 128, 128], 2)).toBe(true);
    expect(near(p.at(90, 80), [255, 128, 128], 2)).toBe(true);
  });

  it('draws an ellipse whose bounding-box corners stay background', async () => {
    const p = await draw([{ ...rect({ x: 20, y: 40, width: 160, height: 120 }), shape: 'ellipse' } as Layer]);
    expect(near(p.at(100, 100), RED, 0)).toBe(true);
    expect(near(p.at(22, 42), WHITE, 0)).toBe(true);
    expect(near(p.at(178, 158), WHITE, 0)).toBe(true);
    expect(near(p.at(25, 100), RED, 0)).toBe(true);
  });

  it('draws a line from (x,y) to (x+width, y+height)', async () => {
    const p = await draw([
      { name: 'l', type: 'shape', shape: 'line', x: 20, y: 20, width: 160, height: 160, stroke_color: '#0000FF', stroke_width: 6 },
    ]);
    expect(near(p.at(100, 100), BLUE, 0)).toBe(true);
    expect(near(p.at(40, 40), BLUE, 0)).toBe(true);
    expect(near(p.at(160, 40), WHITE, 0)).toBe(true);
  });

  it('strokes inside the box and fills with a gradient', async () => {
    const p = await draw([
      rect({
        x: 20,
        y: 20,
        width: 160,
        height: 160,
        fill_color: undefined,
        fill_gradient: { type: 'linear', angle: 90, stops: [{ offset: 0, color: '#00FF00' }, { offset: 1, color: '#FFFF00' }] },
        stroke_color: '#0000FF',
        stroke_width: 10,
      }),
    ]);
    expect(near(p.at(22, 100), BLUE, 0)).toBe(true);
    expect(near(p.at(18, 100), WHITE, 0)).toBe(true);
    expect(near(p.at(35, 100), [0, 255, 0], 30)).toBe(true);
    expect(near(p.at(165, 100), [255, 255, 0], 30)).toBe(true);
  });

  it('casts a shadow', async () => {
    const p = await draw([rect({ shadow: { x: 10, y: 10, blur: 0, color: '#000000' } })]);
    expect(near(p.at(135, 105), [0, 0, 0], 0)).toBe(true);
    expect(near(p.at(90, 80), RED, 0)).toBe(true);
  });

  it('never crashes on odd values', async () => {
    const p = await draw([
      rect({ x: 'a', width: -5 } as never),
      rect({ fill_color: 'nonsense', stroke_width: 'x', rotation: Infinity, opacity: 7 } as never),
      { name: 'q', type: 'shape', shape: 'hexagon', x: 0, y: 0, width: 10, height: 10, fill_color: '#0000FF' } as never,
    ]);
    expect(near(p.at(5, 5), BLUE, 0)).toBe(true);
  });
});
