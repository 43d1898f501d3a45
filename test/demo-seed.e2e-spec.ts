import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { typeormOptions } from '../src/database/typeorm-options.js';
import { ENTITIES } from '../src/entities.js';
import { LocalStorageDriver } from '../src/storage/local.driver.js';
import { DEMO_TEMPLATE_NAME, seedDemoTemplate } from '../src/templates/demo-seed.js';
import { ensureMigrated } from './support/db.js';
import { createOrg } from './support/factories.js';

let ds: DataSource;
beforeAll(async () => {
  await ensureMigrated();
  ds = new DataSource(typeormOptions(process.env.DATABASE_URL as string, ENTITIES));
  await ds.initialize();
});
afterAll(async () => {
  await ds.destroy();
});

describe('seedDemoTemplate (through the assets and templates owners)', () => {
  it('stores both demo assets, publishes v1 referencing them, and is idempotent', async () => {
    const storage = new LocalStorageDriver(join(process.env.STORAGE_DIR as string, 'demo-seed'), 'http://127.0.0.1:1', process.env.SIGNING_SECRET as string);
    const org = await createOrg(ds);
    const first = await seedDemoTemplate(ds, storage, org.orgId);
    expect(first.created).toBe(true);

    const assets = (await ds.query('SELECT id, filename, format, content_type, width, height, storage_key FROM assets WHERE org_id = $1 ORDER BY filename', [
      org.orgId,
    ])) as { id: string; filename: string; format: string; content_type: string; width: number; height: number; storage_key: string }[];
    expect(assets.map(({ filename, format, content_type, width, height }) => ({ filename, format, content_type, width, height }))).toEqual([
      { filename: 'demo-logo.png', format: 'png', content_type: 'image/png', width: 120, height: 120 },
      { filename: 'demo-photo.jpg', format: 'jpeg', content_type: 'image/jpeg', width: 600, height: 400 },
    ]);
    for (const a of assets) expect((await storage.get(a.storage_key))?.size).toBeGreaterThan(0);

    const [t] = (await ds.query('SELECT name, current_version, metadata FROM templates WHERE id = $1', [first.templateId])) as {
      name: string;
      current_version: number;
      metadata: unknown;
    }[];
    expect(t).toEqual({ name: DEMO_TEMPLATE_NAME, current_version: 1, metadata: { demo: true } });
    const [v] = (await ds.query('SELECT version, layers FROM template_versions WHERE template_id = $1', [first.templateId])) as { version: number; layers: { asset_id?: string }[] }[];
    expect(v.version).toBe(1);
    expect(v.layers.map((l) => l.asset_id).filter(Boolean).sort()).toEqual(assets.map((a) => a.id).sort());

    expect(await seedDemoTemplate(ds, storage, org.orgId)).toEqual({ templateId: first.templateId, created: false });
  });
});
