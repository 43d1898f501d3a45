import { createHash, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { AssetEntity } from '../assets/asset.entity.js';
import { DEMO_LOGO_ASSET, DEMO_OG_CARD, DEMO_PHOTO_ASSET, demoAssets } from '../renderer/index.js';
import type { StorageDriver } from '../storage/storage.types.js';
import type { Layer } from '../renderer/index.js';
import { TemplateVersionEntity } from './template-version.entity.js';
import { TemplateEntity } from './template.entity.js';

export const DEMO_TEMPLATE_NAME = 'Open Graph card (demo)';

/**
 * Gives an org the demo Open Graph card as a published template (v1), with its photo and logo
 * uploaded as real assets. Idempotent: an org that already has the demo template keeps it.
 */
export async function seedDemoTemplate(ds: DataSource, storage: StorageDriver, orgId: string): Promise<{ templateId: string; created: boolean }> {
  const existing = await ds
    .getRepository(TemplateEntity)
    .createQueryBuilder('t')
    .where('t.org_id = :orgId', { orgId })
    .andWhere(`t.metadata ->> 'demo' = 'true'`)
    .getOne();
  if (existing) return { templateId: existing.id, created: false };

  const assets = await demoAssets();
  const ids = new Map<string, string>();
  await ds.transaction(async (em) => {
    for (const [demoId, format, contentType, width, height] of [
      [DEMO_PHOTO_ASSET, 'jpeg', 'image/jpeg', 600, 400],
      [DEMO_LOGO_ASSET, 'png', 'image/png', 120, 120],
    ] as const) {
      const body = assets.images.get(`asset:${demoId}`) as Buffer;
      const id = randomUUID();
      const key = `orgs/${orgId}/assets/${id}.${format === 'jpeg' ? 'jpg' : format}`;
      await storage.put(key, body, contentType);
      await em.getRepository(AssetEntity).insert({
        id,
        orgId,
        kind: 'image',
        format,
        contentType,
        filename: `${demoId}.${format === 'jpeg' ? 'jpg' : format}`,
        bytes: body.length,
        width,
        height,
        fontFamily: null,
        sha256: createHash('sha256').update(body).digest('hex'),
        storageKey: key,
      });
      ids.set(demoId, id);
    }
  });
  const layers = DEMO_OG_CARD.layers.map((l) => ('asset_id' in l && l.asset_id && ids.has(l.asset_id) ? { ...l, asset_id: ids.get(l.asset_id) } : l)) as Layer[];
  return ds.transaction(async (em) => {
    const t = await em.getRepository(TemplateEntity).save(
      em.getRepository(TemplateEntity).create({
        orgId,
        name: DEMO_TEMPLATE_NAME,
        width: DEMO_OG_CARD.width,
        height: DEMO_OG_CARD.height,
        background: DEMO_OG_CARD.background ?? {},
        layers,
        metadata: { demo: true },
        currentVersion: 1,
      }),
    );
    await em.getRepository(TemplateVersionEntity).insert({
      templateId: t.id,
      orgId,
      version: 1,
      name: t.name,
      width: t.width,
      height: t.height,
      background: t.background,
      layers,
    });
    return { templateId: t.id, created: true };
  });
}
