import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SCOPES, type Scope } from '../src/orgs/api-keys.js';
import { startApi, type TestApp } from './support/app.js';
import { bearer, createKey, createOrg } from './support/factories.js';

/**
 * Every operation of openapi.json, called with one key per single scope, answers 403 exactly when
 * the README's scope table says the scope does not suffice. The table and the document must list
 * the same operations.
 */
interface Rule {
  anyOf: Scope[];
  /** "`a` and `b`": the key needs every one of them. */
  allOf?: Scope[];
  bodyFields: Record<string, Scope>;
}

const readme = readFileSync(resolve(process.cwd(), 'README.md'), 'utf8');
const table = new Map<string, Rule>();
for (const line of readme.split('\n')) {
  const m = /^\| `(GET|POST|PATCH|PUT|DELETE) (\/\S+)` \| (.+) \|$/.exec(line);
  if (!m) continue;
  const [main, extra] = m[3].split('(and ');
  const scopesIn = (text: string): Scope[] => [...text.matchAll(/`([a-z]+:[a-z]+)`/g)].map((x) => x[1] as Scope);
  const bodyFields: Record<string, Scope> = {};
  if (extra) {
    const field = /sets `([a-z_]+)`/.exec(extra)?.[1];
    if (field) bodyFields[field] = scopesIn(extra)[0];
  }
  const named = scopesIn(main);
  table.set(`${m[1]} ${m[2]}`, / and `/.test(main) ? { anyOf: named, allOf: named, bodyFields } : { anyOf: named, bodyFields });
}

const doc = JSON.parse(readFileSync(resolve(process.cwd(), 'openapi.json'), 'utf8')) as {
  paths: Record<string, Record<string, { security?: unknown[] }>>;
};
const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
  Object.entries(ops)
    .filter(([, op]) => op.security !== undefined)
    .map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
);

const concrete = (path: string): string => path.replace(/\{version\}/g, '1').replace(/\{[a-z_]+\}/g, () => randomUUID());

describe('scopes match effects', () => {
  let api: TestApp;
  const keys = new Map<Scope, string>();
  let imagesAndWebhooks: string;
  let rulesAndWebhooks: string;

  beforeAll(async () => {
    api = await startApi();
    const org = await createOrg(api.ds);
    for (const scope of SCOPES) keys.set(scope, (await createKey(api.ds, org.orgId, [scope])).key);
    imagesAndWebhooks = (await createKey(api.ds, org.orgId, ['images:write', 'webhooks:write'])).key;
    rulesAndWebhooks = (await createKey(api.ds, org.orgId, ['rules:write', 'webhooks:write'])).key;
  });
  afterAll(async () => {
    await api?.close();
  });

  it('the README table and openapi.json list the same authenticated operations', () => {
    expect(operations.length).toBeGreaterThan(10);
    expect([...table.keys()].sort()).toEqual(operations.map((o) => `${o.method} ${o.path}`).sort());
    for (const rule of table.values()) expect(rule.anyOf.length).toBeGreaterThan(0);
  });

  const call = (method: string, path: string, key: string, body: unknown = {}): Promise<Response> =>
    fetch(`${api.baseUrl}${concrete(path)}`, {
      method,
      headers: { ...bearer(key), ...(method === 'GET' || method === 'DELETE' ? {} : { 'Content-Type': 'application/json' }) },
      ...(method === 'GET' || method === 'DELETE' ? {} : { body: JSON.stringify(body) }),
    });

  it('every operation, with a key of each single scope, is refused exactly as the table says', async () => {
    let checked = 0;
    for (const { method, path } of operations) {
      const rule = table.get(`${method} ${path}`) as Rule;
      for (const scope of SCOPES) {
        const res = await call(method, path, keys.get(scope) as string);
        // A single scope never suffices for an operation that needs all of two.
        const allowed = rule.allOf ? rule.allOf.every((s) => s === scope) : rule.anyOf.includes(scope);
        const body = (await res.json().catch(() => null)) as { detail?: unknown } | null;
        expect([method, path, scope, res.status === 403]).toEqual([method, path, scope, !allowed]);
        if (!allowed) expect(typeof body?.detail === 'string' && body.detail.includes('scope')).toBe(true);
        checked++;
      }
    }
    expect(checked).toBe(operations.length * SCOPES.length);
  });

  it('setting webhook_url needs webhooks:write', async () => {
    const body = { template_id: randomUUID(), modifications: [], webhook_url: 'http://127.0.0.1:9/render' };
    const refused = await call('POST', '/v1/images', keys.get('images:write') as string, body);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ detail: "Setting webhook_url needs the 'webhooks:write' scope, which this API key lacks" });
    // With both scopes the request gets past the guard (the template does not exist: a 400).
    const allowed = await call('POST', '/v1/images', imagesAndWebhooks, body);
    expect(allowed.status).not.toBe(403);
    // Without webhook_url (or with null) images:write alone is enough.
    const plain = await call('POST', '/v1/images', keys.get('images:write') as string, { ...body, webhook_url: null });
    expect(plain.status).not.toBe(403);
  });

  it("setting an event rule's destination_url needs webhooks:write", async () => {
    const body = { name: 'r', event_type: 'x', template_id: randomUUID(), destination_url: 'http://127.0.0.1:9/hook' };
    const refused = await call('POST', '/v1/event-rules', keys.get('rules:write') as string, body);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ detail: "Setting destination_url needs the 'webhooks:write' scope, which this API key lacks" });
    expect((await call('POST', '/v1/event-rules', rulesAndWebhooks, body)).status).toBe(400);
    expect((await call('POST', '/v1/event-rules', keys.get('rules:write') as string, { ...body, destination_url: null })).status).not.toBe(403);
  });
});
