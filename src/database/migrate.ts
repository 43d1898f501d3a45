import pg from 'pg';
import { DataSource } from 'typeorm';
import { typeormOptions } from './typeorm-options.js';

/** Creates the database named in the URL when it is missing (connecting to the `postgres` db). */
export async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!name) throw new Error('DATABASE_URL names no database');
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return false;
    await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
    return true;
  } catch (err) {
    // Two processes racing to create the same database: the loser sees duplicate_database, or
    // unique_violation on pg_database's name index when both passed the check at once.
    const code = (err as { code?: string }).code;
    if (code === '42P04' || code === '23505') return false;
    throw err;
  } finally {
    await client.end();
  }
}

export async function dropDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '""')}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/**
 * Renders left pending or rendering by a release before the outbox have no render request in it,
 * and the reconciler only re-drives renders requested on its own QUEUE_PREFIX: without this they
 * would never finish. Each gets a render request marked sent (its old job may still be queued:
 * the reconciler re-drives it only once no live job has its id). Idempotent; a data step, not a
 * migration, because the prefix is the installation's setting.
 */
export async function adoptUnrequestedRenders(ds: DataSource, queuePrefix: string): Promise<number> {
  const rows = (await ds.query(
    `INSERT INTO outbox (id, queue_prefix, topic, aggregate_id, payload, sent_at)
     SELECT gen_random_uuid(), $1, 'render.requested', i.id,
            jsonb_build_object('imageId', i.id, 'orgId', i.org_id, 'jobId', i.id, 'requestId', 'upgrade'), now()
       FROM images i
      WHERE i.status IN ('pending', 'rendering')
        AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.aggregate_id = i.id AND o.topic = 'render.requested')
     RETURNING id`,
    [queuePrefix],
  )) as unknown[];
  return rows.length;
}

/** Arbitrary but fixed: every process that migrates this database takes the same lock. */
const MIGRATION_LOCK = 7_245_112_901;

/**
 * Applies pending migrations under a session advisory lock, so an API, several workers and the
 * tests starting at once migrate exactly once and never race on CREATE TABLE.
 */
export async function migrate(databaseUrl: string, options: { queuePrefix?: string } = {}): Promise<string[]> {
  await ensureDatabase(databaseUrl);
  const lock = new pg.Client({ connectionString: databaseUrl });
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const ds = new DataSource(typeormOptions(databaseUrl));
    await ds.initialize();
    try {
      const ran = await ds.runMigrations({ transaction: 'each' });
      if (options.queuePrefix !== undefined) await adoptUnrequestedRenders(ds, options.queuePrefix);
      return ran.map((m) => m.name);
    } finally {
      await ds.destroy();
    }
  } finally {
    await lock.end();
  }
}
