// Plain JS: Jest loads global setup outside its transform pipeline.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/**
 * One database, Redis prefix and storage directory per test run, so parallel runs and a running
 * dev server never see each other's rows or jobs. Test workers inherit process.env from here;
 * e2e helpers apply the migrations (under an advisory lock) on first use.
 */
export default async function globalSetup() {
  const run = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const base = process.env.TEST_DATABASE_BASE_URL ?? 'postgres://postgres@127.0.0.1:5432';
  const dir = mkdtempSync(join(tmpdir(), 'imtegrate-test-'));
  const dbName = `imtegrate_test_${run}`;
  Object.assign(process.env, {
    NODE_ENV: 'test',
    DATABASE_URL: `${base}/${dbName}`,
    REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0',
    QUEUE_PREFIX: `imtegrate_test_${run}`,
    STORAGE_DIR: join(dir, 'storage'),
    VAR_DIR: join(dir, 'var'),
    SIGNING_SECRET: 'test-signing-secret-0123456789abcdef0123456789',
    FETCH_ALLOW_CIDRS: '127.0.0.0/8,::1/128',
    LOG_LEVEL: 'error',
    // High enough that no spec but the rate-limit one ever meets the limiter.
    RATE_LIMIT_PER_MINUTE: '10000000',
    IMTEGRATE_TEST_DIR: dir,
  });
  const client = new pg.Client({ connectionString: `${base}/postgres` });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${dbName}"`);
  } finally {
    await client.end();
  }
}
