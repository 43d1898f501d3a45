import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startApi, type TestApp } from './support/app.js';
import { bearer, createOrg, type TestOrg } from './support/factories.js';

/** Raw HTTP/1.1 over a socket, for requests fetch() refuses to send (bad bytes in the path, etc.). */
function raw(port: number, text: string | Buffer): Promise<{ status: number; head: string; body: string }> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    let data = Buffer.alloc(0);
    sock.on('data', (d) => (data = Buffer.concat([data, d])));
    sock.on('end', () => {
      const s = data.toString('latin1');
      const [head, ...rest] = s.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), head, body: rest.join('\r\n\r\n') });
    });
    sock.on('error', reject);
    sock.write(text);
  });
}

describe('error shapes and hostile requests', () => {
  let t: TestApp;
  let org: TestOrg;
  let port: number;
  const post = (path: string, body: string | Buffer, headers: Record<string, string> = {}) =>
    fetch(`${t.baseUrl}${path}`, { method: 'POST', headers: { ...bearer(org.liveKey), 'content-type': 'application/json', ...headers }, body });

  beforeAll(async () => {
    t = await startApi();
    org = await createOrg(t.ds);
    port = Number(new URL(t.baseUrl).port);
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers a route miss with 404 Not Found', async () => {
    const res = await fetch(`${t.baseUrl}/v1/nope`);
    expect(res.status).toBe(404);
    expect(await res.text()).toBe('{"detail":"Not Found"}');
  });

  it('answers a wrong method with 405 and Allow', async () => {
    const res = await fetch(`${t.baseUrl}/v1/images/3f0c8a52-9d1e-4b7a-8c55-2e1f0a9b7c13`, { method: 'DELETE', headers: bearer(org.liveKey) });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
    expect(await res.text()).toBe('{"detail":"Method Not Allowed"}');
  });

  it.each([
    ['{"payload":', 11, 'Expecting value'],
    ['{bad}', 1, 'Expecting property name enclosed in double quotes'],
    ['{"name":"a"} x', 13, 'Extra data'],
  ])('422 json_invalid for %j', async (body, pos, error) => {
    const res = await post('/v1/images', body);
    expect(res.status).toBe(422);
    expect(await res.text()).toBe(JSON.stringify({ detail: [{ type: 'json_invalid', loc: ['body', pos], msg: 'JSON decode error', input: {}, ctx: { error } }] }));
  });

  it('422 missing for an absent body', async () => {
    const res = await fetch(`${t.baseUrl}/v1/images`, { method: 'POST', headers: bearer(org.liveKey) });
    expect(res.status).toBe(422);
    expect(await res.text()).toBe('{"detail":[{"type":"missing","loc":["body"],"msg":"Field required","input":null}]}');
  });

  it('422 with full body locations, extra_forbidden last', async () => {
    const res = await post('/v1/images', JSON.stringify({ template_id: 'x', scale: 9, bogus: 1 }));
    expect(res.status).toBe(422);
    const body = (await res.json()) as { detail: { type: string; loc: unknown[] }[] };
    expect(body.detail.map((d) => [d.type, d.loc])).toEqual([
      ['uuid_parsing', ['body', 'template_id']],
      ['less_than_equal', ['body', 'scale']],
      ['extra_forbidden', ['body', 'bogus']],
    ]);
  });

  it('survives JSON nested 10,000 deep with a 422, not a 500', async () => {
    const res = await post('/v1/images', '['.repeat(10_000) + ']'.repeat(10_000));
    expect(res.status).toBe(422);
    const body = (await res.json()) as { detail: { type: string }[] };
    expect(body.detail[0].type).toBe('json_invalid');
    expect((await fetch(`${t.baseUrl}/healthz`)).status).toBe(200);
  });

  it('refuses a 50 MB body with 413 without reading it all, and keeps serving', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${t.baseUrl}/v1/images`, {
        method: 'POST',
        headers: { ...bearer(org.liveKey), 'content-type': 'application/json', 'content-length': String(50 * 1024 * 1024) },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', (e) => (e.message.includes('EPIPE') || e.message.includes('ECONNRESET') ? undefined : reject(e)));
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      let sent = 0;
      const pump = () => {
        while (sent < 50 && req.write(chunk)) sent++;
        if (sent < 50 && !req.destroyed) req.once('drain', pump);
      };
      pump();
    });
    expect(status).toBe(413);
    const small = await post('/v1/images', '{}');
    expect(small.status).toBe(422);
  });

  it('gives the 413 body as JSON', async () => {
    const res = await post('/v1/images', Buffer.alloc(6 * 1024 * 1024, 0x20));
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ detail: 'Request body too large' });
  });

  it('answers bad UTF-8 and bad percent-encoding in the path without a 500', async () => {
    const auth = `Authorization: Bearer ${org.liveKey}\r\n`;
    for (const path of ['/v1/images/%ff', '/v1/images/%zz', '/v1/images/%', Buffer.from('/v1/images/\xff\xfe', 'latin1').toString('latin1')]) {
      const res = await raw(port, Buffer.from(`GET ${path} HTTP/1.1\r\nHost: x\r\n${auth}Connection: close\r\n\r\n`, 'latin1'));
      expect([path, res.status < 500]).toEqual([path, true]);
      expect(res.status).toBeGreaterThanOrEqual(400);
    }
  });

  it('answers a huge header without a 500 and keeps serving', async () => {
    const res = await raw(port, `GET /v1/images HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\nConnection: close\r\n\r\n`);
    expect(res.status).toBe(431);
    expect((await fetch(`${t.baseUrl}/healthz`)).status).toBe(200);
  });

  it('answers a huge Authorization header with 401, not a 500', async () => {
    const res = await fetch(`${t.baseUrl}/v1/images`, { headers: { Authorization: `Bearer ${'k'.repeat(8000)}` } });
    expect(res.status).toBe(401);
  });

  it('echoes a request id', async () => {
    const res = await fetch(`${t.baseUrl}/healthz`, { headers: { 'X-Request-Id': 'abc-123' } });
    expect(res.headers.get('x-request-id')).toBe('abc-123');
  });

  it('serves Swagger UI and the document', async () => {
    const ui = await fetch(`${t.baseUrl}/docs`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger');
    const doc = (await (await fetch(`${t.baseUrl}/openapi.json`)).json()) as { openapi: string };
    expect(doc.openapi).toBe('3.1.0');
  });

  it('reports readiness of PostgreSQL and Redis', async () => {
    const res = await fetch(`${t.baseUrl}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', checks: { database: 'ok', redis: 'ok' } });
  });
});
