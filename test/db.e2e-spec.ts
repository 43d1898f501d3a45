import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { typeormOptions } from '../src/database/typeorm-options.js';
import { ENTITIES } from '../src/entities.js';
import { ensureMigrated } from './support/db.js';

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
