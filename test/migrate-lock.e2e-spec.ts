import { afterAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { dropDatabase } from '../src/database/migrate.js';

/**
 * Upgrades run the migrations by their own command; a retried Job or two deploys at once must
 * still apply each migration exactly once. Three real migrator processes race on a fresh database.
 */
const run = promisify(execFile);
const url = new URL(process.env.DATABASE_URL as string);
url.pathname = `/${url.pathname.slice(1)}_migrate_race`;
const DB = url.toString();

afterAll(async () => {
  await dropDatabase(DB);
});

describe('the migrate command', () => {
  it('applies every migration once when three processes start together, and exits 0 in each', async () => {
    const start = () =>
      run(process.execPath, [join(process.cwd(), 'dist/database/migrate.main.js')], {
        env: { ...process.env, DATABASE_URL: DB, NODE_OPTIONS: '' },
        timeout: 120_000,
      });
    const outs = await Promise.all([start(), start(), start()]);
    const applied = outs.filter((o) => o.stdout.includes('Applied migrations:'));
    expect(applied).toHaveLength(1);
    expect(outs.filter((o) => o.stdout.includes('Database schema is up to date'))).toHaveLength(2);

    const client = new pg.Client({ connectionString: DB });
    await client.connect();
    try {
      const { rows } = await client.query<{ name: string; n: string }>('SELECT name, count(*) AS n FROM migrations GROUP BY name');
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.filter((r) => r.n !== '1')).toEqual([]);
      const names = applied[0].stdout.replace(/^.*Applied migrations: /s, '').trim().split(', ');
      expect(rows.map((r) => r.name).sort()).toEqual([...names].sort());
    } finally {
      await client.end();
    }
  });

  it('gives renders left unfinished by a release before the outbox a render request on its queue prefix, once', async () => {
    const client = new pg.Client({ connectionString: DB });
    await client.connect();
    try {
      const insert = `INSERT INTO images (org_id, template_id, template_version, status, modifications, image_metadata, is_test)
                      VALUES (gen_random_uuid(), gen_random_uuid(), 1, $1, '[]', '{}', false) RETURNING id`;
      const pending = (await client.query<{ id: string }>(insert, ['pending'])).rows[0].id;
      const done = (await client.query<{ id: string }>(insert, ['completed'])).rows[0].id;
      for (let i = 0; i < 2; i++) {
        await run(process.execPath, [join(process.cwd(), 'dist/database/migrate.main.js')], {
          env: { ...process.env, DATABASE_URL: DB, QUEUE_PREFIX: 'upgrade_spec', NODE_OPTIONS: '' },
          timeout: 120_000,
        });
      }
      const { rows } = await client.query<{ aggregate_id: string; queue_prefix: string; sent: boolean; job: string }>(
        `SELECT aggregate_id, queue_prefix, sent_at IS NOT NULL AS sent, payload->>'jobId' AS job FROM outbox WHERE topic = 'render.requested'`,
      );
      expect(rows).toEqual([{ aggregate_id: pending, queue_prefix: 'upgrade_spec', sent: true, job: pending }]);
      expect(rows.some((r) => r.aggregate_id === done)).toBe(false);
    } finally {
      await client.end();
    }
  });
});
