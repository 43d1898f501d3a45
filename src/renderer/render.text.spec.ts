import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import type { TextLayer } from './document.js';
import { renderImage } from './render.js';
import { count, decode, isInk, NO_ASSETS, type Pixels } from '../../test/support/renderer-testing.js';
import type { RenderResult, ResolvedAssets } from './types.js';

function text(over: Partial<TextLayer>): TextLayer {
  return { name: 't', type: 'text', x: 20, y: 20, width: 360, height: 160, text: 'Hello', font_size: 40, ...over };
}

async function draw(layer: TextLayer, assets: ResolvedAssets = NO_ASSETS()): Promise<{ px: Pixels; r: RenderResult }> {
  const r = await renderImage({ width: 400, height: 200, layers: [layer] }, [], assets, { format: 'png' });
  return { px: await decode(r.buffer), r };
}

/** Columns [from, to) of the ink's horizontal extent in a band of rows. */
function inkColumns(p: Pixels, y0: number, y1: number): { from: number; to: number; cols: boolean[] } {
  const cols: boolean[] = [];
  for (let x = 0; x < p.width; x++) cols.push(count(p, x, y0, x + 1, y1, isInk) > 0);
  return { from: cols.indexOf(true), to: cols.lastIndexOf(true) + 1, cols };
}

/** Start column of the widest run of ink-free columns strictly inside the ink extent (the word space). */
function widestGap(p: Pixels): { gap: number; from: number; to: number } {
  const { from, to, cols } = inkColumns(p, 0, p.height);
  let best = -1;
  let bestLen = 0;
  for (let x = from; x < to; ) {
    if (cols[x]) {
      x++;
      continue;
    }
    let end = x;
    while (end < to && !cols[end]) end++;
    if (end - x > bestLen) [best, bestLen] = [x, end - x];
    x = end;
  }
  return { gap: best, from, to };
}

/** Rows of the image holding ink, grouped into bands (text lines). */
function inkBands(p: Pixels): number {
  let bands = 0;
  let inBand = false;
  for (let y = 0; y < p.height; y++) {
    const ink = count(p, 0, y, p.width, y + 1, isInk) > 0;
    if (ink && !inBand) bands++;
    inBand = ink;
  }
  return bands;
}

describe('text layers', () => {
  it('draws Latin text inside its box, aligned left, centre and right', async () => {
    const left = await draw(text({ text: 'Hello', align: 'left' }));
    const l = inkColumns(left.px, 0, 200);
    expect(l.from).toBeGreaterThanOrEqual(20);
    expect(l.from).toBeLessThan(30);
    const right = inkColumns((await draw(text({ text: 'Hello', align: 'right' }))).px, 0, 200);
    expect(right.to).toBeLessThanOrEqual(381);
    expect(right.to).toBeGreaterThan(370);
    const centre = inkColumns((await draw(text({ text: 'Hello', align: 'center' }))).px, 0, 200);
    expect(Math.abs((centre.from + centre.to) / 2 - 200)).toBeLessThan(4);
    expect(left.r.report.text).toEqual([{ layer: 't', font_size_used: 40, lines: 1, truncated: false, missing_glyphs: [], font_fallback: false }]);
  });

  it('honours vertical_align and padding', async () => {
    const rows = (p: Pixels) => {
      const ys = [];
      for (let y = 0; y < 200; y++) if (count(p, 0, y, 400, y + 1, isInk) > 0) ys.push(y);
      return { top: ys[0], bottom: ys[ys.length - 1] };
    };
    const top = rows((await draw(text({ vertical_align: 'top', padding: 10 }))).px);
    const bottom = rows((await draw(text({ vertical_align: 'bottom', padding: 10 }))).px);
    const middle = rows((await draw(text({ vertical_align: 'middle' }))).px);
    expect(top.top).toBeGreaterThanOrEqual(30);
    expect(top.top).toBeLessThan(50);
    expect(bottom.bottom).toBeLessThanOrEqual(170);
    expect(bottom.bottom).toBeGreaterThan(150);
    expect(Math.abs((middle.top + middle.bottom) / 2 - 100)).toBeLessThan(8);
  });

  it('renders Arabic right to left: the first logical word is drawn at the right', async () => {
    // "لا" (short) then a long word. Right to left, the short word sits at the right end and
    // the gap between the words is near the right; left to right it would be near the left.
    const { px, r } = await draw(text({ text: 'لا مستشفياتهم', align: 'left', fit: 'none' }));
    const { gap, from, to } = widestGap(px);
    expect(gap).toBeGreaterThan(from + (to - from) / 2);
    expect(r.report.text[0].missing_glyphs).toEqual([]);
  });

  it('lays out an RTL paragraph with an RTL base direction (Latin run on the left)', async () => {
    // Logical order: a short Arabic word, then a long Latin word. With an RTL base the
    // Arabic word is at the right end, so the gap between the words is near the right.
    const { px } = await draw(text({ text: 'لا abcdefghij', fit: 'none' }));
    const { gap, from, to } = widestGap(px);
    expect(to).toBeGreaterThan(370);
    expect(gap).toBeGreaterThan(from + (to - from) * 0.6);
  });

  it('defaults RTL text to right alignment and shapes Hebrew', async () => {
    const { px } = await draw(text({ text: 'שלום עולם' }));
    const { from, to } = inkColumns(px, 0, 200);
    expect(to).toBeGreaterThan(370);
    expect(from).toBeGreaterThan(150);
  });

  it('wraps Japanese between characters without spaces', async () => {
    const { px, r } = await draw(
      text({ text: '日本語の文章は空白なしで折り返されます', width: 200, height: 170, fit: 'wrap', font_size: 30 }),
    );
    const t = r.report.text[0];
    expect(t.lines).toBeGreaterThanOrEqual(3);
    expect(t.truncated).toBe(false);
    expect(inkBands(px)).toBe(t.lines);
    // Each line is filled to the box, not broken at an arbitrary word boundary.
    const firstLine = inkColumns(px, 20, 20 + 36);
    expect(firstLine.to).toBeGreaterThan(190);
    expect(firstLine.to).toBeLessThanOrEqual(221);
  });

  it('draws colour emoji', async () => {
    const { px, r } = await draw(text({ text: '😀🚀', font_size: 60 }));
    const coloured = count(px, 0, 0, 400, 200, ([red, g, b]) => Math.max(red, g, b) - Math.min(red, g, b) > 80);
    expect(coloured).toBeGreaterThan(200);
    expect(r.report.text[0].missing_glyphs).toEqual([]);
  });

  it('falls back per character across scripts in one line', async () => {
    const { r } = await draw(text({ text: 'Hi مرحبا 日本 😀', fit: 'none' }));
    expect(r.report.text[0].missing_glyphs).toEqual([]);
  });

  it('reports characters that no font has', async () => {
    const { r } = await draw(text({ text: 'A\uE000B\u{10FFFD}\uE000' }));
    expect(r.report.text[0].missing_glyphs).toEqual(['\uE000', '\u{10FFFD}']);
  });

  it('shrinks to fit and reports the size used', async () => {
    const { px, r } = await draw(
      text({ text: 'A rather long headline that cannot fit at the requested size', font_size: 80, min_font_size: 10 }),
    );
    const t = r.report.text[0];
    expect(t.font_size_used).toBeLessThan(80);
    expect(t.font_size_used).toBeGreaterThanOrEqual(10);
    expect(t.truncated).toBe(false);
    const ink = inkColumns(px, 0, 200);
    expect(ink.from).toBeGreaterThanOrEqual(19);
    expect(ink.to).toBeLessThanOrEqual(381);
  });

  it('truncates with an ellipsis when even min_font_size does not fit', async () => {
    const long = 'word '.repeat(200);
    const { r } = await draw(text({ text: long, font_size: 40, min_font_size: 30, max_lines: 2 }));
    expect(r.report.text[0]).toMatchObject({ font_size_used: 30, lines: 2, truncated: true });
  });

  it('respects max_lines when wrapping', async () => {
    const { px, r } = await draw(text({ text: 'one two three four five six seven eight', fit: 'wrap', font_size: 30, width: 150, max_lines: 2 }));
    expect(r.report.text[0]).toMatchObject({ lines: 2, truncated: true, font_size_used: 30 });
    expect(inkBands(px)).toBe(2);
  });

  it('keeps fit=none on one line, clipped to the box', async () => {
    const { px, r } = await draw(text({ text: 'This line is far too long for the box', fit: 'none', width: 150 }));
    expect(r.report.text[0]).toMatchObject({ lines: 1, truncated: true });
    expect(inkColumns(px, 0, 200).to).toBeLessThanOrEqual(171);
  });

  it('justifies all lines but the last to the full width', async () => {
    const { px } = await draw(
      text({ text: 'aa bb cc dd ee ff gg hh ii jj kk ll', fit: 'wrap', font_size: 30, align: 'justify', line_height: 1.5 }),
    );
    expect(inkColumns(px, 20, 65).to).toBeGreaterThan(372);
  });

  it('applies letter spacing, background, stroke and shadow', async () => {
    const plain = inkColumns((await draw(text({ text: 'Hello' }))).px, 0, 200);
    const spaced = inkColumns((await draw(text({ text: 'Hello', letter_spacing: 10 }))).px, 0, 200);
    expect(spaced.to - spaced.from).toBeGreaterThan(plain.to - plain.from + 35);
    const bg = (await draw(text({ text: 'x', background_color: '#00FF00' }))).px;
    expect(bg.at(370, 170)).toEqual([0, 255, 0, 255]);
    const stroked = (await draw(text({ text: 'I', color: '#FFFFFF', stroke: { width: 3, color: '#FF0000' }, font_size: 80 }))).px;
    expect(count(stroked, 0, 0, 400, 200, ([r, g, b]) => r > 200 && g < 60 && b < 60)).toBeGreaterThan(100);
    const shadowed = (await draw(text({ text: 'I', color: '#FFFFFF', shadow: { x: 8, y: 0, blur: 0, color: '#0000FF' }, font_size: 80 }))).px;
    expect(count(shadowed, 0, 0, 400, 200, ([r, g, b]) => b > 200 && r < 60 && g < 60)).toBeGreaterThan(100);
  });

  it('uses a custom font from the assets and fails clearly without it', async () => {
    const serif = readFileSync('/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf');
    const assets = { images: new Map(), fonts: new Map([['font-serif', serif]]) };
    const custom = (await draw(text({ text: 'Hamburgefonstiv', font_asset_id: 'font-serif', fit: 'none' }), assets)).px;
    const fallback = (await draw(text({ text: 'Hamburgefonstiv', fit: 'none' }))).px;
    expect(custom.data.equals(fallback.data)).toBe(false);
    await expect(draw(text({ font_asset_id: 'missing-font' }))).rejects.toMatchObject({
      code: 'font_unavailable',
      layer: 't',
    });
  });
});
