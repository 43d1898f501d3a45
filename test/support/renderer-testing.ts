import sharp from 'sharp';

/**
 * Helpers for specs (and e2e tests elsewhere): decode an encoded image to straight RGBA and
 * read pixels, so tests assert on pixels, never on file bytes.
 */
export interface Pixels {
  width: number;
  height: number;
  data: Buffer;
  /** [r, g, b, a] at integer coordinates (clamped to the image). */
  at(x: number, y: number): [number, number, number, number];
}

export async function decode(image: Buffer): Promise<Pixels> {
  const { data, info } = await sharp(image).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const { width, height } = info;
  return {
    width,
    height,
    data,
    at(x, y) {
      const cx = Math.max(0, Math.min(width - 1, Math.round(x)));
      const cy = Math.max(0, Math.min(height - 1, Math.round(y)));
      const i = (cy * width + cx) * 4;
      return [data[i], data[i + 1], data[i + 2], data[i + 3]];
    },
  };
}

/** Each channel within `tolerance` of the expected colour (alpha ignored when omitted). */
export function near(actual: number[], expected: number[], tolerance = 8): boolean {
  return expected.every((v, i) => Math.abs(actual[i] - v) <= tolerance);
}

/** Pixels in a rectangle (inclusive-exclusive) that satisfy `test`. */
export function count(p: Pixels, x0: number, y0: number, x1: number, y1: number, test: (px: number[]) => boolean): number {
  let n = 0;
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (test(p.at(x, y))) n++;
  return n;
}

/** Ink = noticeably darker than white. */
export const isInk = (px: number[]) => px[0] + px[1] + px[2] < 600;

export const NO_ASSETS = (): { images: Map<string, Buffer>; fonts: Map<string, Buffer> } => ({
  images: new Map(),
  fonts: new Map(),
});
