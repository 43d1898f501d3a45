import { In, IsNull, type DataSource } from 'typeorm';
import { AssetEntity } from '../assets/asset.entity.js';
import type { ImageFetcher } from '../outbound/image-fetcher.js';
import { SafeRequestError } from '../outbound/safe-request-error.js';
import type { StorageDriver } from '../storage/storage.types.js';
import type { Modification, TemplateDocument } from '../renderer/document.js';
import { applyModifications, collectSources, imageRef } from '../renderer/merge.js';
import { RenderError, type ResolvedAssets } from '../renderer/types.js';

export interface SourceDeps {
  ds: DataSource;
  storage: StorageDriver;
  fetcher: ImageFetcher;
}

/** A source failed; `layer` names the first layer that needed it so the error can say which. */
export class SourceError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly transient: boolean,
    readonly layer?: string,
  ) {
    super(message);
  }
}

/** Which layer (or `background`) first asks for each source ref. */
function layerForRef(doc: TemplateDocument, mods: readonly Modification[]): Map<string, string> {
  const out = new Map<string, string>();
  if (doc.background) {
    const ref = imageRef(doc.background);
    if (ref) out.set(ref, 'background');
  }
  for (const l of applyModifications(doc, mods)) {
    const ref = l.type === 'image' ? imageRef(l) : null;
    if (ref && !out.has(ref)) out.set(ref, l.name);
    if (l.type === 'text' && l.font_asset_id && !out.has(`font:${l.font_asset_id}`)) out.set(`font:${l.font_asset_id}`, l.name);
  }
  return out;
}

/**
 * Loads every byte a render needs before drawing: org assets from storage (re-checking the org,
 * never trusting the template alone) and remote images through the SSRF-safe fetcher.
 */
export async function resolveSources(orgId: string, doc: TemplateDocument, mods: readonly Modification[], deps: SourceDeps): Promise<ResolvedAssets> {
  const { images, fonts } = collectSources(doc, mods);
  const layerOf = layerForRef(doc, mods);
  const assetIds = [...images.filter((r) => r.startsWith('asset:')).map((r) => r.slice(6)), ...fonts];
  const rows = assetIds.length
    ? await deps.ds.getRepository(AssetEntity).findBy({ orgId, id: In(assetIds.map((a) => a.toLowerCase())), deletedAt: IsNull() })
    : [];
  const byId = new Map(rows.map((r) => [r.id, r]));

  const loadAsset = async (id: string, layer: string | undefined): Promise<Buffer> => {
    const row = byId.get(id.toLowerCase());
    if (!row) throw new SourceError('asset_unavailable', `asset ${id} not found`, false, layer);
    const obj = await deps.storage.get(row.storageKey);
    if (!obj) throw new SourceError('asset_unavailable', `asset ${id} has no stored content`, false, layer);
    return obj.body;
  };

  const resolved: ResolvedAssets = { images: new Map(), fonts: new Map() };
  await Promise.all([
    ...images.map(async (ref) => {
      const layer = layerOf.get(ref);
      if (ref.startsWith('asset:')) {
        resolved.images.set(ref, await loadAsset(ref.slice(6), layer));
      } else if (ref.startsWith('url:')) {
        try {
          resolved.images.set(ref, await deps.fetcher.fetch(ref.slice(4)));
        } catch (err) {
          if (err instanceof SafeRequestError) {
            throw new SourceError('image_unavailable', `could not fetch ${ref.slice(4)}: ${err.code}${err.status ? ` (HTTP ${err.status})` : ''}`, err.transient, layer);
          }
          throw err;
        }
      } else {
        throw new SourceError('image_unavailable', `${ref.split(':')[0]} sources are not supported`, false, layer);
      }
    }),
    ...fonts.map(async (id) => {
      resolved.fonts.set(id, await loadAsset(id, layerOf.get(`font:${id}`)));
    }),
  ]);
  return resolved;
}

export function isPermanentRenderError(e: unknown): e is RenderError {
  return e instanceof RenderError && e.code !== 'render_crashed' && e.code !== 'render_timeout';
}
