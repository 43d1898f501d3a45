import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { typeormOptions } from '../src/database/typeorm-options.js';
import { ENTITIES } from '../src/entities.js';
import { ensureMigrated } from './support/db.js';
import { createKey, createOrg } from './support/factories.js';
import {
  GrantNewScopes1765468800000,
  SCOPES_ADDED_1765468800000,
  SCOPES_BEFORE_1765468800000,
} from '../src/database/migrations/1765468800000-grant-new-scopes.js';
import { SCOPES, type Scope } from '../src/orgs/api-keys.js';

let ds: DataSource;
beforeAll(async () => {
  await ensureMigrated();
  ds = new DataSource(typeormOptions(process.env.DATABASE_URL as string, ENTITIES));
  await ds.initialize();
});
afterAll(async () => {
  await ds.destroy();
});

describe('migrations vs entities', () => {
  it('leaves nothing for the schema builder to change (no drift)', async () => {
    const sql = await ds.driver.createSchemaBuilder().log();
    expect(sql.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('has applied every migration', async () => {
    expect(await ds.showMigrations()).toBe(false);
  });
});

describe('template versions at the database level', () => {
  it('refuses UPDATE and DELETE on a published version, even by raw SQL', async () => {
    const [row] = (await ds.query(
      `INSERT INTO template_versions (template_id, org_id, version, name, width, height, layers)
       VALUES (gen_random_uuid(), gen_random_uuid(), 1, 'v1', 100, 100, '[]') RETURNING id`,
    )) as { id: string }[];
    await expect(ds.query(`UPDATE template_versions SET name = 'changed' WHERE id = $1`, [row.id])).rejects.toThrow(/immutable/);
    await expect(ds.query(`DELETE FROM template_versions WHERE id = $1`, [row.id])).rejects.toThrow(/immutable/);
    const [after] = (await ds.query(`SELECT name FROM template_versions WHERE id = $1`, [row.id])) as { name: string }[];
    expect(after.name).toBe('v1');
  });
});

describe('upgrading keys to the scopes of new features (GrantNewScopes1765468800000)', () => {
  it('gives a key that held every earlier scope the new ones, once, and leaves limited keys alone', async () => {
    const org = await createOrg(ds);
    const all = await createKey(ds, org.orgId, [...SCOPES_BEFORE_1765468800000] as Scope[]);
    const limited = await createKey(ds, org.orgId, ['images:read', 'webhooks:write']);
    const partly = await createKey(ds, org.orgId, [...SCOPES_BEFORE_1765468800000, 'people:read'] as Scope[]);
    const migration = new GrantNewScopes1765468800000();
    const qr = ds.createQueryRunner();
    try {
      await migration.up(qr);
      await migration.up(qr);
    } finally {
      await qr.release();
    }
    const scopesOf = async (id: string): Promise<string[]> =>
      ((await ds.query(`SELECT scopes FROM api_keys WHERE id = $1`, [id])) as { scopes: string[] }[])[0].scopes;
    expect(await scopesOf(all.id)).toEqual([...SCOPES_BEFORE_1765468800000, ...SCOPES_ADDED_1765468800000]);
    expect(await scopesOf(limited.id)).toEqual(['images:read', 'webhooks:write']);
    expect((await scopesOf(partly.id)).sort()).toEqual([...SCOPES_BEFORE_1765468800000, ...SCOPES_ADDED_1765468800000].sort());
    // Every scope a key can have today is one of the two lists: a new scope needs its own upgrade.
    expect([...SCOPES].sort()).toEqual([...SCOPES_BEFORE_1765468800000, ...SCOPES_ADDED_1765468800000].sort());
  });
});
