import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { typeormOptions } from '../src/database/typeorm-options.js';
import { VerifiedKeys } from '../src/orgs/auth/verified-keys.js';
import { startApi, type TestApp } from './support/app.js';
import { cli } from './support/cli.js';
import { bearer, createOrg, type TestOrg } from './support/factories.js';

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((res) => setTimeout(res, 25));
  }
}

describe('the verified-key cache across API processes', () => {
  let a: TestApp;
  let b: TestApp;
  let org: TestOrg;
  const status = async (app: TestApp, key: string) => (await fetch(`${app.baseUrl}/v1/images`, { headers: bearer(key) })).status;

  beforeAll(async () => {
    // A long TTL: only the invalidation, never expiry, can make these keys stop working.
    a = await startApi({ API_KEY_CACHE_TTL_MS: '3600000' });
    b = await startApi({ API_KEY_CACHE_TTL_MS: '3600000' });
    org = await createOrg(a.ds);
    for (const app of [a, b]) await until('the key-change subscription is up', async () => app.app.get(VerifiedKeys).active);
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  it('a key revoked with the CLI is refused at once by both API processes, though both had it cached', async () => {
    const created = JSON.parse((await cli(['keys:create', '--org', org.orgId, '--json'])).stdout) as { id: string; key: string };
    expect([await status(a, created.key), await status(b, created.key)]).toEqual([200, 200]);
    // Served from the cache now: the row is read once per process, then not again.
    expect([await status(a, created.key), await status(b, created.key)]).toEqual([200, 200]);
    const revoked = await cli(['keys:revoke', created.id, '--org', org.orgId, '--json']);
    expect(revoked.code).toBe(0);
    expect(revoked.stderr).toBe('');
    expect([await status(b, created.key), await status(a, created.key)]).toEqual([401, 401]);
  });

  it('a cached key keeps working while the database is not asked again, and other keys are not dropped by a revocation', async () => {
    const one = JSON.parse((await cli(['keys:create', '--org', org.orgId, '--json'])).stdout) as { id: string; key: string };
    const two = JSON.parse((await cli(['keys:create', '--org', org.orgId, '--json'])).stdout) as { id: string; key: string };
    expect(await status(a, one.key)).toBe(200);
    expect(await status(a, two.key)).toBe(200);
    // Revoked behind the cache's back (no announcement): the cached answer stands until its TTL...
    await a.ds.query('UPDATE api_keys SET revoked_at = now() WHERE id = $1', [two.id]);
    expect(await status(a, two.key)).toBe(200);
    // ...and the announcement of another key's change leaves it alone, while that key is re-read.
    expect((await cli(['keys:revoke', one.id, '--org', org.orgId])).code).toBe(0);
    expect(await status(a, one.key)).toBe(401);
    expect(await status(a, two.key)).toBe(200);
  });
});

describe('last_used_at', () => {
  const lastUsed = async (t: TestApp, keyId: string) =>
    ((await t.ds.query('SELECT last_used_at FROM api_keys WHERE id = $1', [keyId])) as { last_used_at: Date | null }[])[0].last_used_at;
  const keyIdOf = async (t: TestApp, orgId: string) =>
    ((await t.ds.query(`SELECT id FROM api_keys WHERE org_id = $1 AND mode = 'live'`, [orgId])) as { id: string }[])[0].id;

  it('is not written on the request path, and is flushed on shutdown', async () => {
    const t = await startApi({ LAST_USED_FLUSH_MS: '600000' });
    let closed = false;
    try {
      const org = await createOrg(t.ds);
      const id = await keyIdOf(t, org.orgId);
      const before = new Date();
      for (let i = 0; i < 3; i++) expect((await fetch(`${t.baseUrl}/v1/images`, { headers: bearer(org.liveKey) })).status).toBe(200);
      expect(await lastUsed(t, id)).toBeNull();
      const ds = t.ds;
      // The flush runs while the app shuts down, before its pool closes; read it back on a new one.
      await t.close();
      closed = true;
      const check = new DataSource(typeormOptions(process.env.DATABASE_URL as string));
      await check.initialize();
      try {
        const [row] = (await check.query('SELECT last_used_at FROM api_keys WHERE id = $1', [id])) as { last_used_at: Date | null }[];
        expect(row.last_used_at).not.toBeNull();
        expect((row.last_used_at as Date).getTime()).toBeGreaterThanOrEqual(before.getTime() - 1000);
      } finally {
        await check.destroy();
      }
      expect(ds.isInitialized).toBe(false);
    } finally {
      if (!closed) await t.close();
    }
  });

  it('is flushed every LAST_USED_FLUSH_MS while the API runs', async () => {
    const t = await startApi({ LAST_USED_FLUSH_MS: '200' });
    try {
      const org = await createOrg(t.ds);
      const id = await keyIdOf(t, org.orgId);
      expect((await fetch(`${t.baseUrl}/v1/images`, { headers: bearer(org.liveKey) })).status).toBe(200);
      await until('last_used_at is written', async () => (await lastUsed(t, id)) !== null);
    } finally {
      await t.close();
    }
  });
});
