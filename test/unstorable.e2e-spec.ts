import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { UNSTORABLE_TEXT_MESSAGE } from '../src/validation/storable-text.js';
import { startApi, type TestApp } from './support/app.js';
import { createOrg } from './support/factories.js';
import { api } from './support/render-flow.js';

/** Values PostgreSQL cannot hold are refused with a 422 at the door, never a 500 from the database. */
describe('values the database cannot hold', () => {
  let t: TestApp;
  let key: string;
  const item = (loc: (string | number)[], input: unknown) => ({
    type: 'value_error',
    loc,
    msg: `Value error, ${UNSTORABLE_TEXT_MESSAGE}`,
    input,
    ctx: { error: UNSTORABLE_TEXT_MESSAGE },
  });

  beforeAll(async () => {
    t = await startApi();
    key = (await createOrg(t.ds)).liveKey;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('a NUL in a template name and an unpaired surrogate in a metadata key are 422s naming them', async () => {
    const name = await api<{ detail: unknown[] }>(t.baseUrl, key, 'POST', '/v1/templates', { name: 'a\u0000b', width: 10, height: 10, layers: [] });
    expect([name.status, name.body.detail]).toEqual([422, [item(['body', 'name'], 'a\u0000b')]]);
    const res = await fetch(`${t.baseUrl}/v1/images`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      body: `{"template_id":"${randomUUID()}","modifications":[{"name":"headline","text":"x\\u0000"}],"metadata":{"\\ud800":1}}`,
    });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { detail: unknown[] }).detail).toEqual([
      item(['body', 'modifications', 0, 'text'], 'x\u0000'),
      item(['body', 'metadata', '\ud800'], '\ud800'),
    ]);
  });

  it('a NUL in a query string is a 422', async () => {
    const res = await api<{ detail: { loc: unknown[] }[] }>(t.baseUrl, key, 'GET', '/v1/templates?cursor=a%00b');
    expect(res.status).toBe(422);
    expect(res.body.detail.map((d) => d.loc)).toContainEqual(['query', 'cursor']);
  });

  it.each([
    ['POST', '/v1/images', { template_id: randomUUID(), template_version: 2 ** 31, modifications: [] }, ['body', 'template_version']],
    ['GET', `/v1/templates/${randomUUID()}/versions/99999999999`, undefined, ['path', 'version']],
  ])('%s %s: an integer beyond PostgreSQL integer is a 422 less_than_equal', async (method, path, body, loc) => {
    const res = await api<{ detail: { type: string; loc: unknown[]; ctx: unknown }[] }>(t.baseUrl, key, method, path, body);
    expect(res.status).toBe(422);
    expect(res.body.detail).toContainEqual(expect.objectContaining({ type: 'less_than_equal', loc, ctx: { le: 2147483647 } }));
  });
});
