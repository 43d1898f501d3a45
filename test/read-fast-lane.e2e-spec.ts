import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request } from 'node:http';
import { ImagesFastLane } from '../src/images/images.fast-lane.js';
import { OrgsRepository } from '../src/orgs/orgs.service.js';
import { startApi, type TestApp } from './support/app.js';
import { createKey, createOrg, insertImage, type TestOrg } from './support/factories.js';

/**
 * The read fast lane (READ_FAST_LANE) answers exactly as the Nest route does: the same requests
 * to an API with the lane and to one without it, compared as raw HTTP (status line, header names
 * and values in order, body bytes), with only what differs by nature normalised away (Date, the
 * generated request id, the port in signed URLs and their expiry second and signature).
 */
interface Raw {
  status: number;
  headers: string[];
  body: string;
}

function raw(base: string, path: string, headers: Record<string, string>): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.rawHeaders, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** `counts`: also the key's budget figures, which move with every request to either API (one shared count). */
function normalised(r: Raw, base: string, counts = true): Raw {
  const headers = r.headers.map((v, i) => {
    const name = r.headers[i - 1]?.toLowerCase() ?? '';
    if (i % 2 === 0) return v;
    if (name === 'date' || name === 'x-request-id') return '*';
    if (counts && /^(ratelimit-remaining|ratelimit-reset|retry-after)$/.test(name)) return 'N';
    return v;
  });
  const body = r.body.replaceAll(base, 'BASE').replace(/expires=\d+&signature=[0-9a-f]{64}/g, 'expires=E&signature=S');
  return { status: r.status, headers, body };
}

describe('the read fast lane', () => {
  let lane: TestApp;
  let plain: TestApp;
  let org: TestOrg;
  let other: TestOrg;
  let imageId: string;
  let taken: string[];

  beforeAll(async () => {
    [lane, plain] = [await startApi({ READ_FAST_LANE: 'true' }), await startApi({ READ_FAST_LANE: 'false' })];
    [org, other] = [await createOrg(lane.ds), await createOrg(lane.ds)];
    const rendered = {
      status: 'completed' as const,
      resultKey: `renders/${org.orgId}/a.png`,
      thumbnailKey: `renders/${org.orgId}/a.thumb.png`,
      imageMetadata: { width: 1200, height: 630, format: 'png', bytes: 4821 },
      durationMs: 41,
      startedAt: new Date(),
      completedAt: new Date(),
    };
    imageId = (await insertImage(lane.ds, org.orgId, rendered)).id;
    for (let i = 0; i < 3; i++) await insertImage(lane.ds, org.orgId, { modifications: [{ name: 'headline', text: `caf\u00e9 ${i} "\u{1F600}"` }] });
    await insertImage(lane.ds, other.orgId);
    // Which requests the lane took (a spy around take(): its answers are untouched).
    taken = [];
    const fast = lane.app.get(ImagesFastLane);
    const take = fast.take.bind(fast);
    fast.take = (req) => {
      const r = take(req);
      if (r) taken.push(req.url ?? '');
      return r;
    };
  });
  afterAll(async () => {
    await Promise.all([lane.close(), plain.close()]);
  });

  /** The same request to both APIs, twice each (the first use of a key fills the key cache). */
  async function both(path: string, headers: Record<string, string>): Promise<[Raw, Raw]> {
    const first = await raw(lane.baseUrl, path, headers);
    const second = await raw(lane.baseUrl, path, headers);
    await raw(plain.baseUrl, path, headers);
    const viaNest = await raw(plain.baseUrl, path, headers);
    expect(normalised(first, lane.baseUrl)).toEqual(normalised(second, lane.baseUrl));
    return [normalised(second, lane.baseUrl), normalised(viaNest, plain.baseUrl)];
  }

  it.each([
    ['an image by id', () => `/v1/images/${imageId}`, 'owner'],
    ['the first page of the list', () => '/v1/images', 'owner'],
    ['another organisation\'s image (404)', () => `/v1/images/${imageId}`, 'other'],
  ])('%s: the same answer as the Nest route', async (_name, path, who) => {
    const key = who === 'other' ? other.liveKey : org.liveKey;
    const before = taken.length;
    const [fast, nest] = await both(path(), { authorization: `Bearer ${key}` });
    expect(taken.length - before).toBeGreaterThanOrEqual(1);
    expect(fast).toEqual(nest);
  });

  it('charges the key\'s budget and answers 429 beyond it like the guard', async () => {
    const repo = new OrgsRepository(lane.ds);
    const answers = async (base: string) => {
      const k = await repo.createKey(org.orgId, 'live', { rateLimitPerMinute: 2 });
      const got: Raw[] = [];
      for (let i = 0; i < 4; i++) got.push(normalised(await raw(base, `/v1/images/${imageId}`, { authorization: `Bearer ${k.key}` }), base, false));
      // Reset and Retry-After count seconds down: the two runs may straddle a second.
      return got.map((r) => ({ ...r, headers: r.headers.map((v, i) => (/^(ratelimit-reset|retry-after)$/i.test(r.headers[i - 1] ?? '') ? 'N' : v)) }));
    };
    const [fast, nest] = [await answers(lane.baseUrl), await answers(plain.baseUrl)];
    expect(fast.map((r) => r.status)).toEqual([200, 200, 429, 429]);
    expect(fast).toEqual(nest);
  });

  it('leaves to Express what it cannot answer as the route does', async () => {
    const readOnly = await createKey(lane.ds, org.orgId, ['templates:read']);
    const cases: [string, Record<string, string>][] = [
      [`/v1/images/${imageId.toUpperCase()}`, { authorization: `Bearer ${org.liveKey}` }],
      ['/v1/images?limit=1', { authorization: `Bearer ${org.liveKey}` }],
      ['/v1/images/', { authorization: `Bearer ${org.liveKey}` }],
      [`/v1/images/${imageId}`, { authorization: `Bearer ${readOnly.key}` }],
      [`/v1/images/${imageId}`, { authorization: 'Bearer nonsense' }],
      [`/v1/images/${imageId}`, {}],
      [`/v1/images/${imageId}`, { authorization: `Bearer ${org.liveKey}`, 'if-none-match': '*' }],
    ];
    for (const [path, headers] of cases) {
      const before = taken.length;
      const [fast, nest] = await both(path, headers);
      expect([path, taken.length - before]).toEqual([path, 0]);
      expect(fast).toEqual(nest);
    }
  });

  it('counts its requests under the route template in /metrics', async () => {
    await raw(lane.baseUrl, `/v1/images/${imageId}`, { authorization: `Bearer ${org.liveKey}` });
    const metrics = await (await fetch(`${lane.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/imtegrate_http_requests_total\{[^}]*route="\/v1\/images\/:image_id"[^}]*status="200"[^}]*\} \d+/);
    expect(metrics).not.toContain(imageId);
  });
});
