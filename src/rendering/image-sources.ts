import { IsNull, type DataSource } from 'typeorm';
import { AssetEntity } from '../assets/asset.entity.js';
import type { ImageFetcher } from '../outbound/image-fetcher.js';
import { SafeRequestError } from '../outbound/safe-request-error.js';
import type { StorageDriver } from '../storage/storage.types.js';
import { familyKey, RenderError, SourceError, type AssetPort } from '../renderer/index.js';

// Callers classify source failures by this class; it lives with the renderer's asset port.
export { SourceError };

export interface SourceDeps {
  ds: DataSource;
  storage: StorageDriver;
  fetcher: ImageFetcher;
}

/** A remote image through the SSRF-safe fetcher; its refusals become the render's error. */
export async function fetchRemoteImage(fetcher: ImageFetcher, url: string): Promise<Buffer> {
  try {
    return await fetcher.fetch(url);
  } catch (err) {
    if (err instanceof SafeRequestError) {
      throw new SourceError('image_unavailable', `could not fetch ${url}: ${err.code}${err.status ? ` (HTTP ${err.status})` : ''}`, err.transient);
    }
    throw err;
  }
}

/**
 * The worker's (and preview's) asset port: org assets from the database and storage
 * (re-checking the org, never trusting the template alone), remote images through the fetcher.
 */
export function storedAssets(orgId: string, deps: SourceDeps): AssetPort {
  return {
    asset: async (id) => {
      const row = await deps.ds.getRepository(AssetEntity).findOneBy({ orgId, id: id.toLowerCase(), deletedAt: IsNull() });
      if (!row) return null;
      const obj = await deps.storage.get(row.storageKey);
      if (!obj) throw new SourceError('asset_unavailable', `asset ${id} has no stored content`, false);
      return { bytes: obj.body, kind: row.kind };
    },
    remoteImage: (url) => fetchRemoteImage(deps.fetcher, url),
    // This organisation's fonts only: the one way a font_family reaches an uploaded font.
    // Compared by key in JS (case folding and NFKC are not the database collation's to decide);
    // the newest upload of a family wins, so a corrected re-upload takes over.
    fontFamilies: async (keys) => {
      const wanted = new Set(keys);
      const rows = await deps.ds.getRepository(AssetEntity).find({
        select: { id: true, fontFamily: true },
        where: { orgId, kind: 'font', deletedAt: IsNull() },
        order: { createdAt: 'DESC', id: 'DESC' },
      });
      const found = new Map<string, string>();
      for (const row of rows) {
        const key = row.fontFamily ? familyKey(row.fontFamily) : '';
        if (wanted.has(key) && !found.has(key)) found.set(key, row.id);
      }
      return found;
    },
  };
}

export function isPermanentRenderError(e: unknown): e is RenderError {
  return e instanceof RenderError && e.code !== 'render_crashed' && e.code !== 'render_timeout' && e.code !== 'render_busy';
}
