import sharp, { type Sharp } from 'sharp';
import { RenderError, type OutputFormat } from './types.js';

/**
 * Encoding is sharp's job, never Skia's: Skia's PNG encoder measured about 8x slower than
 * sharp on the same pixels (47 ms vs 6 ms for a flat 1200x630 card).
 */

/** Largest side each encoder accepts. */
export const MAX_SIDE: Record<OutputFormat, number> = { png: 32767, jpeg: 65500, webp: 16383, avif: 16384 };

export const DEFAULT_QUALITY: Record<OutputFormat, number> = { png: 100, jpeg: 85, webp: 85, avif: 60 };

/**
 * zlib level for PNG. Measured on the demo card (1200x630, photo + gradient), filter none:
 * level 6: 26 ms / 304 KiB, level 3: 19 ms / 365 KiB, level 2: 16 ms / 425 KiB, level 1:
 * 11 ms / 589 KiB. Level 3 keeps the whole PNG render under the 45 ms budget; 6 does not.
 */
export const PNG_COMPRESSION_LEVEL = 3;

interface EncodeOptions {
  format: OutputFormat;
  quality?: number;
}

/** Canvas pixels as canvas.data() returns them: premultiplied RGBA. */
export interface CanvasPixels {
  data: Buffer;
  width: number;
  height: number;
}

/**
 * Settings chosen by measurement on the demo card (1200x630 with a photo, 2 cores): PNG
 * without adaptive filtering is 2.5-3x faster than with it (level 6: 30 ms vs 80 ms) and on
 * this content even smaller (see PNG_COMPRESSION_LEVEL);
 * WebP effort 2 and AVIF effort 0 keep those formats within a few times PNG's cost
 * (AVIF effort 2 was 330 ms). mozjpeg stays off (slower, marginal gain at q85).
 */
function encoder(img: Sharp, o: EncodeOptions): Sharp {
  const q = o.quality ?? DEFAULT_QUALITY[o.format];
  switch (o.format) {
    case 'png':
      return img.png({ compressionLevel: PNG_COMPRESSION_LEVEL, adaptiveFiltering: false });
    case 'jpeg':
      return img.jpeg({ quality: q, mozjpeg: false, chromaSubsampling: '4:2:0' });
    case 'webp':
      return img.webp({ quality: q, effort: 2 });
    case 'avif':
      return img.avif({ quality: q, effort: 0 });
  }
}

/**
 * On an opaque canvas premultiplied equals straight alpha, so the alpha channel is simply
 * dropped (smaller, faster PNGs); otherwise sharp un-premultiplies. JPEG has no alpha: a
 * translucent canvas is flattened onto white.
 */
function source(px: CanvasPixels, opaque: boolean, format: OutputFormat): Sharp {
  let img = sharp(px.data, { raw: { width: px.width, height: px.height, channels: 4, premultiplied: !opaque } });
  if (opaque) img = img.removeAlpha();
  else if (format === 'jpeg') img = img.flatten({ background: '#ffffff' });
  return img;
}

export async function encode(px: CanvasPixels, opaque: boolean, o: EncodeOptions): Promise<Buffer> {
  try {
    return await encoder(source(px, opaque, o.format), o).toBuffer();
  } catch (e) {
    throw new RenderError('encode_failed', `encoding ${o.format} failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}
