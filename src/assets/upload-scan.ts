import { createHash } from 'node:crypto';
import { isRenderError, measureEmbedded, readFontInfo, svgUnsafeReason } from '../renderer/index.js';
import { nameContradicts, sniff } from './sniff.js';

export const ASSET_LIMITS = {
  imageBytes: 20 * 1024 * 1024,
  fontBytes: 10 * 1024 * 1024,
  filenameLength: 255,
} as const;

/** What the bytes alone say about an upload, or the 4xx it gets. Plain data: it crosses threads. */
export type ScanOutcome =
  | {
      ok: true;
      kind: 'image' | 'font';
      format: string;
      contentType: string;
      fontFamily: string | null;
      sha256: string;
      /** An SVG's embedded (data: URI) images, measured from their headers (scanUploadFully). */
      embedded?: { svgPixels: number; rasterPixels: number };
    }
  | { ok: false; status: number; code: string; message: string };

const refuse = (code: string, message: string, status = 400): Exclude<ScanOutcome, { ok: true }> => ({ ok: false, status, code, message });

/**
 * The CPU-bound part of inspecting an upload: sniffing, the font parse (fontkit) and the SVG
 * safety check. Synchronous and free of I/O so that it can run in an inspection thread
 * (InspectPool) instead of on the API's event loop; sharp's header read and test decode stay
 * with the caller, since sharp already works off the JS thread.
 */
export function scanUpload(bytes: Buffer, filename: string): ScanOutcome {
  const ok = scanContent(bytes, filename);
  // Hashing 20 MB is tens of ms of synchronous work too: done here, with the rest.
  return ok.ok ? { ...ok, sha256: createHash('sha256').update(bytes).digest('hex') } : ok;
}

function scanContent(bytes: Buffer, filename: string): Exclude<ScanOutcome, { ok: true }> | Omit<Extract<ScanOutcome, { ok: true }>, 'sha256'> {
  const sniffed = sniff(bytes);
  if (!sniffed) return refuse('unsupported_media_type', 'Upload a PNG, JPEG, WebP, GIF, AVIF or SVG image, or a TTF, OTF or WOFF2 font', 415);
  if (nameContradicts(filename, sniffed.format)) {
    return refuse('asset_type_mismatch', `The file is named "${filename}" but its content is ${sniffed.format.toUpperCase()}`);
  }
  if (sniffed.kind === 'font') {
    if (bytes.length > ASSET_LIMITS.fontBytes) return refuse('asset_too_large', `Fonts may be at most ${ASSET_LIMITS.fontBytes} bytes`, 413);
    const info = readFontInfo(bytes);
    if (!info.ok) return refuse('invalid_font', info.reason);
    return { ok: true, kind: 'font', format: sniffed.format, contentType: sniffed.contentType, fontFamily: info.family };
  }
  if (sniffed.format === 'svg') {
    const reason = svgUnsafeReason(bytes.toString('utf8'));
    if (reason) return refuse('unsafe_svg', reason);
  }
  return { ok: true, kind: 'image', format: sniffed.format, contentType: sniffed.contentType, fontFamily: null };
}

/**
 * scanUpload, and for an SVG the measurement of the images it embeds (data: URIs, nested SVGs
 * recursively; each checked and measured from its header with sharp): finding and decoding the
 * payloads is a pass over the whole text, so it belongs with the rest of the scan, off the
 * API's event loop.
 */
export async function scanUploadFully(bytes: Buffer, filename: string): Promise<ScanOutcome> {
  const scanned = scanUpload(bytes, filename);
  if (!scanned.ok || scanned.format !== 'svg') return scanned;
  try {
    const { svgPixels, rasterPixels } = await measureEmbedded(bytes.toString('utf8'), 'file');
    return { ...scanned, embedded: { svgPixels, rasterPixels } };
  } catch (e) {
    if (!isRenderError(e)) throw e;
    return refuse(e.code === 'image_too_large' ? 'image_too_large' : 'unsafe_svg', e.message);
  }
}

/**
 * Runs scanUploadFully somewhere: in an inspection thread (InspectPool) or, offline, in-process.
 * The bytes may be moved to the thread rather than copied; the caller continues with the
 * `bytes` of the answer (the same content) and must not use the buffer it passed in.
 */
export type UploadScanner = (bytes: Buffer, filename: string) => Promise<{ outcome: ScanOutcome; bytes: Buffer }>;

export const inProcessScanner: UploadScanner = async (bytes, filename) => ({ outcome: await scanUploadFully(bytes, filename), bytes });
