import { readFile, stat, writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { createAddressPolicy } from '../outbound/address-policy.js';
import { createImageFetcher } from '../outbound/image-fetcher.js';
import { validateModifications } from '../templates/modifications.js';
import { checkTemplateRules } from '../templates/template-rules.js';
import { fetchRemoteImage } from '../rendering/image-sources.js';
import { encodeVideo, VideoEncodeError } from '../videos/ffmpeg.js';
import {
  familyKey,
  modifyDocument,
  prepareVideo,
  readFontInfo,
  renderDocument,
  resolveAssets,
  type AssetPort,
  type Modification,
  type OutputFormat,
  type RenderReport,
  type TemplateDocument,
} from '../renderer/index.js';

export interface OfflineRenderArgs {
  template: string;
  modifications?: string;
  out: string;
  /** `<asset_id>=<path>` pairs standing in for uploaded assets. */
  assets: string[];
  format?: string;
  scale?: number;
  /** Seconds: the frame of an animated template to draw (images). */
  time?: number;
  /** Render a video (MP4, or WebM for a .webm --out) instead of an image. */
  video?: { durationSeconds: number; fps: number; ffmpegPath: string; timeoutMs: number };
  fetchAllowCidrs: readonly string[];
}

/** What `cli render --video` wrote. */
export interface OfflineVideoReport {
  width: number;
  height: number;
  format: 'mp4' | 'webm';
  codec: string;
  frames: number;
  fps: number;
  bytes: number;
  /** Wall time of drawing and encoding. */
  ms: number;
}

const FORMATS: Record<string, OutputFormat> = { '.png': 'png', '.jpg': 'jpeg', '.jpeg': 'jpeg', '.webp': 'webp', '.avif': 'avif' };

export class OfflineRenderError extends Error {}

/**
 * `cli render`: a template file plus modifications to an image file, with no database, Redis or
 * server. Uploaded assets are stood in for by local files; remote images go through the same
 * SSRF-safe fetcher as the worker.
 */
export async function renderOffline(a: OfflineRenderArgs): Promise<RenderReport | OfflineVideoReport> {
  const readJson = async (path: string, what: string): Promise<unknown> => {
    try {
      return JSON.parse(await readFile(path, 'utf8'));
    } catch (err) {
      throw new OfflineRenderError(`cannot read ${what} ${path}: ${(err as Error).message}`);
    }
  };
  const raw = (await readJson(a.template, 'template')) as Partial<TemplateDocument>;
  if (!raw || typeof raw !== 'object' || !Number.isInteger(raw.width) || !Number.isInteger(raw.height) || !Array.isArray(raw.layers)) {
    throw new OfflineRenderError('the template must be a JSON object with integer width and height and a layers array');
  }
  const doc = raw as TemplateDocument;
  const mods = (a.modifications ? await readJson(a.modifications, 'modifications') : []) as Modification[];
  if (!Array.isArray(mods)) throw new OfflineRenderError('the modifications file must hold a JSON array');

  const files = new Map<string, string>();
  for (const pair of a.assets) {
    const [id, path] = pair.split('=');
    if (!id || !path) throw new OfflineRenderError(`--asset takes <asset_id>=<path>, got "${pair}"`);
    files.set(id.toLowerCase(), path);
  }
  const kindOf = (id: string) => {
    const p = files.get(id);
    if (!p) return undefined;
    return /\.(ttf|otf|woff2)$/i.test(p) ? ('font' as const) : ('image' as const);
  };
  const problems = [...checkTemplateRules(doc, { assetKind: kindOf }), ...validateModifications(doc, mods, { assetKind: kindOf }).problems];
  if (problems.length) throw new OfflineRenderError(problems.map((p) => `${p.name}: ${p.reason}`).join('\n'));

  const format = (a.format as OutputFormat | undefined) ?? FORMATS[extname(a.out).toLowerCase()] ?? 'png';
  const fetcher = createImageFetcher({ policy: createAddressPolicy({ allowCidrs: a.fetchAllowCidrs }) });
  // Asset ids map to the files given on the command line.
  const port: AssetPort = {
    asset: async (id) => {
      const path = files.get(id.toLowerCase());
      const kind = kindOf(id.toLowerCase());
      return path && kind ? { bytes: await readFile(path), kind } : null;
    },
    remoteImage: (url) => fetchRemoteImage(fetcher, url),
    // The fonts given on the command line answer to their family names, as uploads do.
    fontFamilies: async (keys) => {
      const found = new Map<string, string>();
      for (const [id, path] of files) {
        if (kindOf(id) !== 'font') continue;
        const info = readFontInfo(await readFile(path));
        const key = info.ok && info.family ? familyKey(info.family) : '';
        if (keys.includes(key) && !found.has(key)) found.set(key, id);
      }
      return found;
    },
  };
  const rendered = modifyDocument(doc, mods);
  const assets = await resolveAssets(rendered, port);
  if (a.video) return renderVideoOffline(rendered, assets, a, a.video);
  const out = await renderDocument(rendered, assets, { format, scale: a.scale ?? 1, ...(a.time !== undefined ? { time: a.time } : {}) });
  await writeFile(a.out, out.buffer);
  return out.report;
}

async function renderVideoOffline(
  doc: ReturnType<typeof modifyDocument>,
  assets: Awaited<ReturnType<typeof resolveAssets>>,
  a: OfflineRenderArgs,
  v: NonNullable<OfflineRenderArgs['video']>,
): Promise<OfflineVideoReport> {
  const started = Date.now();
  const format = extname(a.out).toLowerCase() === '.webm' ? 'webm' : 'mp4';
  const frames = await prepareVideo(doc, assets, { scale: a.scale ?? 1 });
  if (frames.width % 2 || frames.height % 2) throw new OfflineRenderError(`a video needs an even width and height (got ${frames.width}x${frames.height})`);
  try {
    const out = await encodeVideo({
      frames,
      durationSeconds: v.durationSeconds,
      fps: v.fps,
      format,
      outPath: a.out,
      ffmpegPath: v.ffmpegPath,
      deadline: started + v.timeoutMs,
    });
    return { width: out.width, height: out.height, format, codec: out.codec, frames: out.frames, fps: v.fps, bytes: (await stat(a.out)).size, ms: Date.now() - started };
  } catch (err) {
    if (err instanceof VideoEncodeError) throw new OfflineRenderError(`${err.code}: ${err.message}`);
    throw err;
  }
}
