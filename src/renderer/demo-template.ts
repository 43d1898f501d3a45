import sharp from 'sharp';
import type { TemplateDocument } from './document.js';
import type { ResolvedAssets } from './types.js';

export const DEMO_PHOTO_ASSET = 'demo-photo';
export const DEMO_LOGO_ASSET = 'demo-logo';

/** The 1200x630 Open Graph card used by the demo, the tests and the benchmark. */
export const DEMO_OG_CARD: TemplateDocument = {
  width: 1200,
  height: 630,
  background: {
    color: '#0F172A',
    gradient: {
      type: 'linear',
      angle: 135,
      stops: [
        { offset: 0, color: '#0F172A' },
        { offset: 1, color: '#1E3A8A' },
      ],
    },
  },
  layers: [
    {
      name: 'photo',
      type: 'image',
      x: 700,
      y: 60,
      width: 440,
      height: 510,
      dynamic: true,
      asset_id: DEMO_PHOTO_ASSET,
      fit: 'cover',
      focus: 'center',
      border_radius: 28,
      shadow: { x: 0, y: 12, blur: 32, color: 'rgba(0,0,0,0.45)' },
    },
    {
      name: 'logo',
      type: 'image',
      x: 60,
      y: 60,
      width: 72,
      height: 72,
      dynamic: true,
      asset_id: DEMO_LOGO_ASSET,
      fit: 'contain',
    },
    {
      name: 'accent',
      type: 'shape',
      shape: 'rect',
      x: 60,
      y: 172,
      width: 96,
      height: 8,
      border_radius: 4,
      fill_color: '#38BDF8',
    },
    {
      name: 'headline',
      type: 'text',
      x: 60,
      y: 200,
      width: 590,
      height: 250,
      dynamic: true,
      text: 'Render beautiful Open Graph cards from one template',
      font_family: 'Noto Sans',
      font_weight: 700,
      font_size: 68,
      min_font_size: 28,
      line_height: 1.15,
      max_lines: 3,
      color: '#FFFFFF',
      fit: 'shrink',
      vertical_align: 'middle',
    },
    {
      name: 'subtitle',
      type: 'text',
      x: 60,
      y: 470,
      width: 590,
      height: 100,
      dynamic: true,
      text: 'imtegrate.dev · template-based image rendering API',
      font_size: 28,
      min_font_size: 18,
      color: '#CBD5E1',
      fit: 'wrap',
      max_lines: 2,
    },
  ],
};

let cache: Promise<{ photo: Buffer; logo: Buffer }> | undefined;

/** A deterministic pseudo-random generator (mulberry32), so fixtures are identical every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 600x400 JPEG: a sky-to-ground gradient with a sun, hills and grain (photo-like content). */
async function makePhoto(): Promise<Buffer> {
  const w = 600;
  const h = 400;
  const px = Buffer.alloc(w * h * 3);
  const rand = rng(42);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      const hill = 260 + 40 * Math.sin(x / 70) + 20 * Math.sin(x / 23);
      const sun = Math.hypot(x - 430, y - 120) < 55;
      const n = (rand() - 0.5) * 8;
      let r: number;
      let g: number;
      let b: number;
      if (sun) [r, g, b] = [255, 214, 120];
      else if (y > hill) [r, g, b] = [40 + y / 8, 110 + (y - hill) / 3, 60];
      else [r, g, b] = [90 + y / 3, 150 + y / 4, 235 - y / 6];
      px[i] = Math.max(0, Math.min(255, r + n));
      px[i + 1] = Math.max(0, Math.min(255, g + n));
      px[i + 2] = Math.max(0, Math.min(255, b + n));
    }
  }
  return sharp(px, { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 70 }).toBuffer();
}

/** 120x120 PNG with alpha: a sky-blue disc with a white "I" bar. */
async function makeLogo(): Promise<Buffer> {
  const s = 120;
  const px = Buffer.alloc(s * s * 4);
  for (let y = 0; y < s; y++) {
    for (let x = 0; x < s; x++) {
      const i = (y * s + x) * 4;
      const d = Math.hypot(x + 0.5 - s / 2, y + 0.5 - s / 2);
      const a = Math.max(0, Math.min(1, s / 2 - d));
      const bar = Math.abs(x + 0.5 - s / 2) < 9 && Math.abs(y + 0.5 - s / 2) < 34;
      [px[i], px[i + 1], px[i + 2]] = bar ? [255, 255, 255] : [56, 189, 248];
      px[i + 3] = Math.round(a * 255);
    }
  }
  return sharp(px, { raw: { width: s, height: s, channels: 4 } }).png().toBuffer();
}

/** The assets DEMO_OG_CARD refers to, built once per process with sharp (no files needed). */
export async function demoAssets(): Promise<ResolvedAssets> {
  cache ??= Promise.all([makePhoto(), makeLogo()]).then(([photo, logo]) => ({ photo, logo }));
  const { photo, logo } = await cache;
  return {
    images: new Map([
      [`asset:${DEMO_PHOTO_ASSET}`, photo],
      [`asset:${DEMO_LOGO_ASSET}`, logo],
    ]),
    fonts: new Map(),
  };
}
