import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ImageEntity } from '../src/images/image.entity.js';
import { startApi, type TestApp } from './support/app.js';
import { bearer, createKey, createOrg, insertImage, revokeKey, type TestOrg } from './support/factories.js';

interface Vector {
  input: string;
  valid: boolean;
  canonical?: string;
  status?: number;
  body?: unknown;
}

const VECTORS = JSON.parse(readFileSync(resolve(process.cwd(), 'test/contract/image-id-vectors.json'), 'utf8')) as Vector[];

describe('GET /v1/images/{image_id} and GET /v1/images', () => {
  let t: TestApp;
  let org: TestOrg;
  let other: TestOrg;
  const get = (path: string, key?: string) => fetch(`${t.baseUrl}${path}`, { headers: key ? bearer(key) : {} });

  beforeAll(async () => {
    t = await startApi();
    org = await createOrg(t.ds);
    other = await createOrg(t.ds);
  });
  afterAll(async () => {
    await t.close();
  });

  describe('the contract id vectors', () => {
    it.each(VECTORS.filter((v) => !v.valid).map((v) => [v.input, v] as const))('%j gets the exact 422', async (_, v) => {
      const res = await get(`/v1/images/${encodeURIComponent(v.input)}`, org.liveKey);
      expect(res.status).toBe(v.status);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      // Byte-for-byte: key order and compact separators as FastAPI sends them.
      expect(await res.text()).toBe(JSON.stringify(v.body));
    });

    it.each(VECTORS.filter((v) => v.valid).map((v) => [v.input, v] as const))('%j is canonicalised (200 when it exists)', async (_, v) => {
      await t.ds.getRepository(ImageEntity).delete({ id: v.canonical });
      const missing = await get(`/v1/images/${encodeURIComponent(v.input)}`, org.liveKey);
      expect(missing.status).toBe(404);
      expect(await missing.json()).toEqual({ detail: 'Image not found' });
      await insertImage(t.ds, org.orgId, { id: v.canonical });
      const found = await get(`/v1/images/${encodeURIComponent(v.input)}`, org.liveKey);
      expect(found.status).toBe(200);
      expect(((await found.json()) as { id: string }).id).toBe(v.canonical);
      await t.ds.getRepository(ImageEntity).delete({ id: v.canonical });
    });
  });

  it('returns every ImageOut field with the contract types', async () => {
    const img = await insertImage(t.ds, org.orgId, { status: 'failed', error: { code: 'image_unavailable', message: 'x', layer: 'photo' }, durationMs: 12 });
    const res = await get(`/v1/images/${img.id}`, org.liveKey);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(
      ['completed_at', 'created_at', 'duration_ms', 'error', 'id', 'image_metadata', 'modifications', 'object', 'org_id', 'result_url', 'started_at', 'status', 'template_id', 'template_version', 'thumbnail_url'].sort(),
    );
    expect(body).toMatchObject({
      id: img.id,
      object: 'image',
      org_id: org.orgId,
      template_id: img.templateId,
      template_version: 1,
      status: 'failed',
      modifications: [{ name: 'headline', text: 'Hello' }],
      result_url: null,
      thumbnail_url: null,
      error: { code: 'image_unavailable', message: 'x', layer: 'photo' },
      image_metadata: {},
      duration_ms: 12,
      started_at: null,
      completed_at: null,
    });
    expect(new Date(body.created_at as string).toISOString()).toBe(body.created_at);
  });

  describe('organisation isolation', () => {
    it('answers 404 for another org’s image, exactly as for a missing one', async () => {
      const theirs = await insertImage(t.ds, other.orgId);
      const foreign = await get(`/v1/images/${theirs.id}`, org.liveKey);
      const missing = await get('/v1/images/00000000-0000-4000-8000-000000000000', org.liveKey);
      expect(foreign.status).toBe(404);
      expect(missing.status).toBe(404);
      expect(await foreign.text()).toBe(await missing.text());
      expect((await get(`/v1/images/${theirs.id}`, other.liveKey)).status).toBe(200);
    });

    it('lists only the caller’s images', async () => {
      const mine = await createOrg(t.ds);
      const a = await insertImage(t.ds, mine.orgId);
      await insertImage(t.ds, other.orgId);
      const res = await get('/v1/images?limit=100', mine.liveKey);
      const body = (await res.json()) as { data: { id: string; org_id: string }[] };
      expect(body.data.map((d) => d.id)).toEqual([a.id]);
    });

    it('keeps test-key renders apart from live ones', async () => {
      const o = await createOrg(t.ds);
      const live = await insertImage(t.ds, o.orgId, { isTest: false });
      const test = await insertImage(t.ds, o.orgId, { isTest: true });
      expect((await get(`/v1/images/${test.id}`, o.liveKey)).status).toBe(404);
      expect((await get(`/v1/images/${live.id}`, o.testKey)).status).toBe(404);
      const listed = (await (await get('/v1/images', o.testKey)).json()) as { data: { id: string }[] };
      expect(listed.data.map((d) => d.id)).toEqual([test.id]);
    });
  });

  describe('authentication', () => {
    const path = () => `/v1/images/00000000-0000-4000-8000-000000000000`;
    const call = (authorization?: string) => fetch(`${t.baseUrl}${path()}`, { headers: authorization === undefined ? {} : { Authorization: authorization } });

    it('401 Not authenticated without the header, before any 422', async () => {
      for (const url of [path(), '/v1/images/not-a-uuid', '/v1/images?limit=0']) {
        const res = await fetch(`${t.baseUrl}${url}`);
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toBe('Bearer');
        expect(await res.text()).toBe('{"detail":"Not authenticated"}');
      }
    });

    it.each([
      ['an empty header', ''],
      ['spaces only', '   '],
    ])('401 Not authenticated for %s', async (_, h) => {
      const res = await call(h);
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ detail: 'Not authenticated' });
    });

    it.each([
      ['a wrong scheme', () => `Basic ${org.liveKey}`],
      ['no scheme', () => org.liveKey],
      ['a malformed key', () => 'Bearer ik_live_nope'],
      ['an unknown well-formed key', () => `Bearer ik_live_${'A'.repeat(40)}`],
      ['extra tokens', () => `Bearer ${org.liveKey} more`],
    ])('401 Invalid API key for %s', async (_, h) => {
      const res = await call(h());
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(await res.text()).toBe('{"detail":"Invalid API key"}');
    });

    it.each([
      ['lower-case bearer', (k: string) => `bearer ${k}`],
      ['extra spaces', (k: string) => `  Bearer   ${k} `],
    ])('accepts %s', async (_, h) => {
      expect((await call(h(org.liveKey))).status).toBe(404);
    });

    it('refuses a revoked key on the very next request', async () => {
      const k = await createKey(t.ds, org.orgId, ['images:read']);
      expect((await call(`Bearer ${k.key}`)).status).toBe(404);
      await revokeKey(t.ds, org.orgId, k.id);
      const res = await call(`Bearer ${k.key}`);
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ detail: 'Invalid API key' });
    });

    it('403 when the key lacks the scope', async () => {
      const k = await createKey(t.ds, org.orgId, ['templates:read']);
      const res = await call(`Bearer ${k.key}`);
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({ detail: "This API key lacks the 'images:read' scope" });
    });

    it('stores only a hash of the key', async () => {
      const rows = (await t.ds.query('SELECT prefix, secret_hash FROM api_keys WHERE org_id = $1', [org.orgId])) as { prefix: string; secret_hash: string }[];
      for (const r of rows) {
        expect(r.secret_hash).not.toContain(org.liveKey.slice(16));
        expect(org.liveKey.startsWith(r.prefix) || org.testKey.startsWith(r.prefix) || r.prefix.startsWith('ik_')).toBe(true);
      }
    });
  });

  describe('pagination', () => {
    let o: TestOrg;
    let ids: string[];
    beforeAll(async () => {
      o = await createOrg(t.ds);
      // Several rows share a created_at so the id tie-break is exercised too.
      const stamps = [0, 0, 0, 1, 2, 2, 3, 4, 5, 5, 6, 7].map((s) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)));
      const rows = [];
      for (const createdAt of stamps) rows.push(await insertImage(t.ds, o.orgId, { createdAt }));
      ids = rows.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1)).map((r) => r.id);
    });

    it('walks every page newest first with no duplicates or gaps', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const url: string = `/v1/images?limit=5${cursor ? `&cursor=${cursor}` : ''}`;
        const page = (await (await get(url, o.liveKey)).json()) as { object: string; data: { id: string }[]; has_more: boolean; next_cursor: string | null };
        expect(page.object).toBe('list');
        expect(page.data.length).toBeLessThanOrEqual(5);
        seen.push(...page.data.map((d) => d.id));
        expect(page.has_more).toBe(page.next_cursor !== null);
        cursor = page.next_cursor;
        pages++;
      } while (cursor);
      expect(pages).toBe(3);
      expect(seen).toEqual(ids);
    });

    it('defaults to 20 per page and filters by status, template and time', async () => {
      const page = (await (await get('/v1/images', o.liveKey)).json()) as { data: unknown[]; has_more: boolean };
      expect(page.data).toHaveLength(12);
      expect(page.has_more).toBe(false);
      const done = await insertImage(t.ds, o.orgId, { status: 'completed' });
      const byStatus = (await (await get('/v1/images?status=completed', o.liveKey)).json()) as { data: { id: string }[] };
      expect(byStatus.data.map((d) => d.id)).toEqual([done.id]);
      const byTemplate = (await (await get(`/v1/images?template_id=${done.templateId.toUpperCase()}`, o.liveKey)).json()) as { data: { id: string }[] };
      expect(byTemplate.data.map((d) => d.id)).toEqual([done.id]);
      const window = (await (await get('/v1/images?created_after=2026-01-01T00:00:04Z&created_before=2026-01-01T00:00:06Z', o.liveKey)).json()) as { data: unknown[] };
      expect(window.data).toHaveLength(2);
    });

    it.each([
      ['limit=0', '{"detail":[{"type":"greater_than_equal","loc":["query","limit"],"msg":"Input should be greater than or equal to 1","input":"0","ctx":{"ge":1}}]}'],
      ['limit=101', '{"detail":[{"type":"less_than_equal","loc":["query","limit"],"msg":"Input should be less than or equal to 100","input":"101","ctx":{"le":100}}]}'],
      ['limit=abc', '{"detail":[{"type":"int_parsing","loc":["query","limit"],"msg":"Input should be a valid integer, unable to parse string as an integer","input":"abc"}]}'],
      [
        'status=bogus',
        `{"detail":[{"type":"enum","loc":["query","status"],"msg":"Input should be 'pending', 'rendering', 'completed' or 'failed'","input":"bogus","ctx":{"expected":"'pending', 'rendering', 'completed' or 'failed'"}}]}`,
      ],
      [
        'cursor=bogus',
        '{"detail":[{"type":"value_error","loc":["query","cursor"],"msg":"Value error, invalid cursor: pass next_cursor from a previous page unchanged","input":"bogus","ctx":{"error":"invalid cursor: pass next_cursor from a previous page unchanged"}}]}',
      ],
    ])('422 for %s', async (q, body) => {
      const res = await get(`/v1/images?${q}`, o.liveKey);
      expect(res.status).toBe(422);
      expect(await res.text()).toBe(body);
    });

    it('reports several bad query values at once, in declaration order', async () => {
      const res = await get('/v1/images?limit=0&status=bogus', o.liveKey);
      const body = (await res.json()) as { detail: { loc: string[] }[] };
      expect(body.detail.map((d) => d.loc[1])).toEqual(['status', 'limit']);
    });
  });
});
