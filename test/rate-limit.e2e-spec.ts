import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { LEASE_FROM_LIMIT, leaseSize, type RateDecision, RateLimiter } from '../src/rate-limit/rate-limiter.js';
import { startApi, type TestApp } from './support/app.js';
import { cli } from './support/cli.js';
import { bearer, createOrg, insertImage, type TestOrg } from './support/factories.js';
import { freePort } from './support/net/free-port.js';
import { publishedTemplate } from './support/render-flow.js';

const rateHeaders = (res: Response) => ({
  limit: res.headers.get('ratelimit-limit'),
  remaining: res.headers.get('ratelimit-remaining'),
  reset: res.headers.get('ratelimit-reset'),
});

describe('rate limits per key, shared through Redis', () => {
  let t: TestApp;
  let org: TestOrg;
  const get = (key: string, path = '/v1/images') => fetch(`${t.baseUrl}${path}`, { headers: bearer(key) });

  beforeAll(async () => {
    t = await startApi();
    org = await createOrg(t.ds);
  });
  afterAll(async () => {
    await t.close();
  });

  async function cliKey(args: string[]): Promise<{ id: string; key: string; rate_limit_per_minute: number | null }> {
    const r = await cli(['keys:create', '--org', org.orgId, ...args, '--json']);
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout) as { id: string; key: string; rate_limit_per_minute: number | null };
  }

  it('a key created with --rate-limit 5 gets 429 with the headers on its sixth request, and another key is unaffected', async () => {
    const limited = await cliKey(['--rate-limit', '5']);
    expect(limited.rate_limit_per_minute).toBe(5);
    const other = await cliKey([]);
    for (let i = 0; i < 5; i++) {
      const res = await get(limited.key);
      expect(res.status).toBe(200);
      expect(rateHeaders(res)).toEqual({ limit: '5', remaining: String(4 - i), reset: expect.stringMatching(/^[1-9]\d*$/) });
    }
    const sixth = await get(limited.key);
    expect(sixth.status).toBe(429);
    expect(await sixth.text()).toBe('{"detail":"Rate limit exceeded"}');
    expect(rateHeaders(sixth)).toMatchObject({ limit: '5', remaining: '0' });
    const retryAfter = Number(sixth.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(sixth.headers.get('ratelimit-reset')).toBe(String(retryAfter));

    const fine = await get(other.key);
    expect(fine.status).toBe(200);
    expect(rateHeaders(fine)).toMatchObject({ limit: t.config.rateLimit.perMinute.toString(), remaining: String(t.config.rateLimit.perMinute - 1) });
  });

  it('every authenticated answer carries the headers (404, 403, 422), a 401 none', async () => {
    const k = await cliKey(['--rate-limit', '100', '--scopes', 'images:read']);
    const missing = await get(k.key, '/v1/images/00000000-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    expect(rateHeaders(missing).remaining).toBe('99');
    const forbidden = await fetch(`${t.baseUrl}/v1/templates`, { headers: bearer(k.key) });
    expect(forbidden.status).toBe(403);
    // A write costs 2 (none here: GET is a read), whatever the scope check says after.
    expect(rateHeaders(forbidden).remaining).toBe('98');
    const invalid = await get(k.key, '/v1/images/not-a-uuid');
    expect(invalid.status).toBe(422);
    expect(rateHeaders(invalid).remaining).toBe('97');
    const anonymous = await fetch(`${t.baseUrl}/v1/images`);
    expect(anonymous.status).toBe(401);
    expect(rateHeaders(anonymous)).toEqual({ limit: null, remaining: null, reset: null });
  });

  it('a render costs 10 points and a write 2', async () => {
    const k = await cliKey(['--rate-limit', '100']);
    // The guard runs before validation, so even a 422 render request is counted as a render.
    const render = await fetch(`${t.baseUrl}/v1/images`, { method: 'POST', headers: { ...bearer(k.key), 'content-type': 'application/json' }, body: '{}' });
    expect(render.status).toBe(422);
    expect(rateHeaders(render).remaining).toBe('90');
    const write = await fetch(`${t.baseUrl}/v1/templates`, { method: 'POST', headers: { ...bearer(k.key), 'content-type': 'application/json' }, body: '{}' });
    expect(write.status).toBe(422);
    expect(rateHeaders(write).remaining).toBe('88');
  });

  it('keys:update changes a key\'s limit at once: 0 is unlimited (no headers), default is RATE_LIMIT_PER_MINUTE', async () => {
    const k = await cliKey(['--rate-limit', '1']);
    expect((await get(k.key)).status).toBe(200);
    expect((await get(k.key)).status).toBe(429);
    const up = await cli(['keys:update', k.id, '--org', org.orgId, '--rate-limit', '0', '--json']);
    expect(up.code).toBe(0);
    expect(JSON.parse(up.stdout)).toMatchObject({ id: k.id, rate_limit_per_minute: 0 });
    const free = await get(k.key);
    expect(free.status).toBe(200);
    expect(rateHeaders(free)).toEqual({ limit: null, remaining: null, reset: null });
    expect((await cli(['keys:update', k.id, '--org', org.orgId, '--rate-limit', 'default'])).code).toBe(0);
    const byDefault = await get(k.key);
    expect(byDefault.status).toBe(200);
    expect(rateHeaders(byDefault).limit).toBe(String(t.config.rateLimit.perMinute));
    const bad = await cli(['keys:update', k.id, '--org', org.orgId, '--rate-limit', '-3']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--rate-limit');
  });

  it('RATE_LIMIT_PER_MINUTE is the default of keys without their own limit; the count is shared by every API process', async () => {
    const [a, b] = [await startApi({ RATE_LIMIT_PER_MINUTE: '3' }), await startApi({ RATE_LIMIT_PER_MINUTE: '3' })];
    try {
      const o = await createOrg(a.ds);
      const statuses = [];
      for (const app of [a, b, a, b]) statuses.push((await fetch(`${app.baseUrl}/v1/images`, { headers: bearer(o.liveKey) })).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('the cap on pending renders per organisation', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApi({ MAX_PENDING_RENDERS_PER_ORG: '2' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers 429 with its own detail once the org has MAX_PENDING_RENDERS_PER_ORG pending, and counts only pending ones', async () => {
    // Backlogs are rows without jobs, so a worker of another spec in this run cannot drain them.
    const post = async (key: string) => {
      const templateId = await publishedTemplate(t.baseUrl, key);
      return fetch(`${t.baseUrl}/v1/images`, { method: 'POST', headers: { ...bearer(key), 'content-type': 'application/json' }, body: JSON.stringify({ template_id: templateId, modifications: [] }) });
    };
    const below = await createOrg(t.ds);
    await insertImage(t.ds, below.orgId, { status: 'completed' });
    await insertImage(t.ds, below.orgId, { status: 'rendering' });
    await insertImage(t.ds, below.orgId, { status: 'failed' });
    await insertImage(t.ds, below.orgId, { status: 'pending' });
    expect((await post(below.liveKey)).status).toBe(202);

    const full = await createOrg(t.ds);
    await insertImage(t.ds, full.orgId, { status: 'pending' });
    await insertImage(t.ds, full.orgId, { status: 'pending', isTest: true });
    const refused = await post(full.liveKey);
    expect(refused.status).toBe(429);
    expect(await refused.json()).toEqual({ detail: 'Too many renders pending for this organisation' });
    // Live and test renders count together; another org's backlog is its own.
    expect((await post(full.testKey)).status).toBe(429);
    const fresh = await createOrg(t.ds);
    expect((await post(fresh.liveKey)).status).toBe(202);
  });
});

describe('large limits are leased: one Redis call per lease, the limit still shared', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    [a, b] = [await startApi({ RATE_LIMIT_PER_MINUTE: '400' }), await startApi({ RATE_LIMIT_PER_MINUTE: '400' })];
  });
  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
  });

  it('two processes spending one key never pass more than its limit together, and call Redis once per lease', async () => {
    expect(leaseSize(400)).toBe(4);
    expect(leaseSize(LEASE_FROM_LIMIT - 1)).toBe(1);
    const [la, lb] = [a.app.get(RateLimiter), b.app.get(RateLimiter)];
    const key = randomUUID();
    const calls0 = la.redisCalls + lb.redisCalls;
    const decisions: RateDecision[] = [];
    // In waves of 20 concurrent requests on each process, so leases are shared within a process.
    for (let wave = 0; wave < 11; wave++) {
      decisions.push(...(await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? la : lb).consume(key, null, 1)))));
    }
    const allowed = decisions.filter((d) => d.kind === 'allowed').length;
    expect(decisions.filter((d) => d.kind !== 'allowed' && d.kind !== 'limited')).toEqual([]);
    // Never above the limit; below it by at most the lease the other process held at the end.
    expect(allowed).toBeLessThanOrEqual(400);
    expect(allowed).toBeGreaterThanOrEqual(400 - leaseSize(400));
    // Spent: each process refuses once what it still holds is gone.
    for (const l of [la, lb]) for (let i = 0; i < leaseSize(400); i++) await l.consume(key, null, 1);
    expect(await la.consume(key, null, 1)).toMatchObject({ kind: 'limited', remaining: 0 });
    expect(await lb.consume(key, null, 1)).toMatchObject({ kind: 'limited', remaining: 0 });
    // About one call per lease while far from the end, one per request near it; far below one per request.
    expect(la.redisCalls + lb.redisCalls - calls0).toBeLessThan(160);
  });

  it('one process alone shows the exact remaining count', async () => {
    const l = a.app.get(RateLimiter);
    const key = randomUUID();
    const seen: number[] = [];
    for (let i = 0; i < 10; i++) {
      const d = await l.consume(key, null, 1);
      if (d.kind === 'allowed') seen.push(d.remaining);
    }
    expect(seen).toEqual(Array.from({ length: 10 }, (_, i) => 399 - i));
    const render = await l.consume(key, null, 10);
    expect(render).toMatchObject({ kind: 'allowed', remaining: 380 });
  });
});

describe('when the limiter\'s Redis is unreachable it fails open, logs and counts', () => {
  const silent: Socket[] = [];
  let blackHole: Server;
  beforeAll(async () => {
    // Accepts connections and never answers: a hung Redis, not a refused one.
    blackHole = createServer((s) => silent.push(s));
    await new Promise<void>((res) => blackHole.listen(0, '127.0.0.1', () => res()));
  });
  afterAll(async () => {
    for (const s of silent) s.destroy();
    await new Promise((res) => blackHole.close(res));
  });

  it.each([
    ['a closed port', async () => `redis://127.0.0.1:${await freePort()}/0`],
    ['a Redis that never answers', async () => `redis://127.0.0.1:${(blackHole.address() as { port: number }).port}/0`],
  ])('%s: requests pass without RateLimit headers and each is counted', async (_, url) => {
    const t = await startApi({ RATE_LIMIT_REDIS_URL: await url(), RATE_LIMIT_PER_MINUTE: '1', RATE_LIMIT_REDIS_TIMEOUT_MS: '50' });
    try {
      const org = await createOrg(t.ds);
      const limiter = t.app.get(RateLimiter);
      const before = limiter.failOpenTotal;
      for (let i = 0; i < 3; i++) {
        const res = await fetch(`${t.baseUrl}/v1/images`, { headers: bearer(org.liveKey) });
        expect(res.status).toBe(200);
        expect(rateHeaders(res)).toEqual({ limit: null, remaining: null, reset: null });
      }
      expect(limiter.failOpenTotal - before).toBe(3);
      const metrics = await (await fetch(`${t.baseUrl}/metrics`)).text();
      expect(metrics).toMatch(/^imtegrate_rate_limit_fail_open_total\{[^}]*\} 3$/m);
    } finally {
      await t.close();
    }
  });
});
