import type { RenderDocument } from './merge.js';
import { sourceNeeds } from './merge.js';
import { RenderBudget } from './budget.js';
import { LIMITS } from './document.js';
import type { ResolvedAssets } from './types.js';

/**
 * How a render's external bytes reach the renderer: the caller supplies the port (the worker's
 * is backed by the database and storage, the offline CLI's by local files), the renderer decides
 * what to ask for and attributes failures to the layer that needed the bytes.
 */

export type AssetKind = 'image' | 'font';

export interface AssetBytes {
  bytes: Buffer;
  kind: AssetKind;
}

export interface AssetPort {
  /** An uploaded asset's bytes and kind; null when the caller has no such asset. May throw SourceError. */
  asset(id: string): Promise<AssetBytes | null>;
  /** A remote image (image_url). Throws SourceError for a refusal the render should report. */
  remoteImage(url: string): Promise<Buffer>;
  /**
   * The caller's own font assets whose family has one of these keys (font-names.ts
   * familyKey): key -> asset id. Without it, font_family names installed families only.
   */
  fontFamilies?(keys: string[]): Promise<Map<string, string>>;
}

/** A source could not be loaded; `layer` names the first layer that needed it. */
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

const KIND_NAME: Record<AssetKind, string> = { image: 'an image', font: 'a font' };

export interface ResolveOptions {
  /**
   * The render's byte budget (RenderOptions.maxDecodedBytes): loading stops with
   * render_bytes_budget_exceeded as soon as the sources loaded so far add up to more, rather than
   * holding every source in memory first. Default LIMITS.maxRenderBytes.
   */
  maxBytes?: number;
}

/** Loads every byte the document needs before drawing starts, all requests in parallel. */
export async function resolveAssets(doc: RenderDocument, port: AssetPort, options: ResolveOptions = {}): Promise<ResolvedAssets> {
  const needs = sourceNeeds(doc);
  const budget = new RenderBudget(Infinity, options.maxBytes ?? LIMITS.maxRenderBytes);
  const attributed = async <T>(layer: string, load: () => Promise<T>): Promise<T> => {
    try {
      return await load();
    } catch (err) {
      // Ports do not know layers; a refusal they raise is reported against the layer here.
      if (err instanceof SourceError && err.layer === undefined) throw new SourceError(err.code, err.message, err.transient, layer);
      throw err;
    }
  };
  const asset = async (id: string, kind: AssetKind, layer: string): Promise<Buffer> =>
    attributed(layer, async () => {
      const found = await port.asset(id);
      if (!found) throw new SourceError('asset_unavailable', `asset ${id} not found`, false);
      if (found.kind !== kind) throw new SourceError('asset_unavailable', `asset ${id} is ${KIND_NAME[found.kind]}, not ${KIND_NAME[kind]}`, false);
      return found.bytes;
    });

  const resolved: ResolvedAssets = { images: new Map(), fonts: new Map(), families: new Map() };
  const families = async (): Promise<void> => {
    if (needs.families.size === 0 || !port.fontFamilies) return;
    const found = await port.fontFamilies([...needs.families.keys()]);
    await Promise.all(
      [...needs.families].map(async ([key, layer]) => {
        const id = found.get(key);
        if (id === undefined) return;
        resolved.families!.set(key, id);
        if (resolved.fonts.has(id)) return;
        const bytes = await asset(id, 'font', layer);
        if (resolved.fonts.has(id)) return;
        budget.addBytes(bytes.length, layer);
        resolved.fonts.set(id, bytes);
      }),
    );
  };
  await Promise.all([
    families(),
    ...[...needs.images].map(async ([ref, layer]) => {
      let bytes: Buffer;
      if (ref.startsWith('asset:')) {
        bytes = await asset(ref.slice(6), 'image', layer);
      } else if (ref.startsWith('url:')) {
        bytes = await attributed(layer, () => port.remoteImage(ref.slice(4)));
      } else {
        throw new SourceError('image_unavailable', `${ref.split(':')[0]} sources are not supported`, false, layer);
      }
      budget.addBytes(bytes.length, layer);
      resolved.images.set(ref, bytes);
    }),
    ...[...needs.fonts].map(async ([id, layer]) => {
      const bytes = await asset(id, 'font', layer);
      // A family may have resolved to the same font meanwhile: it is one source, counted once.
      if (!resolved.fonts.has(id)) budget.addBytes(bytes.length, layer);
      resolved.fonts.set(id, bytes);
    }),
  ]);
  return resolved;
}
