import type { DataSource } from 'typeorm';
import { AssetStore } from '../assets/assets.service.js';
import { DEMO_LOGO_ASSET, DEMO_OG_CARD, DEMO_PHOTO_ASSET, demoAssets } from '../renderer/index.js';
import type { StorageDriver } from '../storage/storage.types.js';
import type { Layer } from '../renderer/index.js';
import { TemplatesService } from './templates.service.js';

export const DEMO_TEMPLATE_NAME = 'Open Graph card (demo)';

/**
 * Gives an org the demo Open Graph card as a published template (v1), with its photo and logo
 * uploaded as real assets. Idempotent: an org that already has the demo template keeps it.
 * Writes go through the tables' owners (AssetStore, TemplatesService), built here on the bare
 * DataSource because the admin CLI and the benchmark run outside Nest.
 */
export async function seedDemoTemplate(ds: DataSource, storage: StorageDriver, orgId: string): Promise<{ templateId: string; created: boolean }> {
  const templates = new TemplatesService(ds);
  const existing = await templates.findDemo(orgId);
  if (existing) return { templateId: existing.id, created: false };

  const assets = await demoAssets();
  const store = new AssetStore(ds, storage);
  const ids = new Map<string, string>();
  for (const [demoId, ext] of [
    [DEMO_PHOTO_ASSET, 'jpg'],
    [DEMO_LOGO_ASSET, 'png'],
  ] as const) {
    const body = assets.images.get(`asset:${demoId}`) as Buffer;
    const row = await store.store(orgId, { buffer: body, originalname: `${demoId}.${ext}`, size: body.length });
    ids.set(demoId, row.id);
  }
  const layers = DEMO_OG_CARD.layers.map((l) => ('asset_id' in l && l.asset_id && ids.has(l.asset_id) ? { ...l, asset_id: ids.get(l.asset_id) } : l)) as Layer[];
  const t = await templates.seedPublished(orgId, {
    name: DEMO_TEMPLATE_NAME,
    width: DEMO_OG_CARD.width,
    height: DEMO_OG_CARD.height,
    background: DEMO_OG_CARD.background ?? {},
    layers,
    metadata: { demo: true },
  });
  return { templateId: t.id, created: true };
}
