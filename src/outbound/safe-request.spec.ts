/**
 * Integration specs against real servers on 127.0.0.1 / ::1 only. Every other address appears
 * solely through injected lookups and must be refused before a socket opens; the loopback
 * trip-wire fails the run if anything else is ever dialled or sent to real DNS.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createAddressPolicy } from './address-policy.js';
import { SafeRequestError, httpStatusError } from './safe-request-error.js';
import { safeRequest, type ResolveFn, type SafeRequestOptions } from './safe-request.js';
import { hasIPv6Loopback, startTestServer, type TestServer } from '../../test/support/net/http-test-server.js';
import { installLoopbackTripwire, type Tripwire } from '../../test/support/net/loopback-tripwire.js';
import { TEST_TLS_CERT, TEST_TLS_KEY } from '../../test/support/net/tls-fixture.js';

const openLoopback = createAddressPolicy({ allowCidrs: ['127.0.0.0/8', '::1/128'] });
const closed = createAddressPolicy();

function fakeDns(table: Record<string, string[]>): ResolveFn & { calls: string[] } {
  const calls: string[] = [];
  const fn = async (hostname: string) => {
    calls.push(hostname);
    const list = table[hostname];
    if (!list) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return list.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return Object.assign(fn, { calls });
}

async function failure(promise: Promise<unknown>): Promise<SafeRequestError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(SafeRequestError);
    return err as SafeRequestError;
  }
  throw new Error('expected the request to fail');
}

const base = (extra: Partial<SafeRequestOptions> = {}): SafeRequestOptions => ({
  policy: openLoopback,
  maxBytes: 64 * 1024,
  timeoutMs: 2000,
  maxRedirects: 3,
  ...extra,
});

let tripwire: Tripwire;
let server: TestServer;
let other: TestServer; // a second origin, for cross-origin redirects
let untouched: TestServer; // targets of refused requests: its counter must stay at 0
let untouchedV6: TestServer | null = null;
let tlsServer: TestServer;

beforeAll(async () => {
  tripwire = installLoopbackTripwire();
  server = await startTestServer((req, res, rec) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    if (path === '/ok') {
      res.writeHead(200, { 'content-type': 'text/plain', 'x-test': 'yes' });
      res.end('hello');
    } else if (path === '/echo') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ method: rec.method, headers: rec.headers, body: rec.body.toString('utf8') }));
    } else if (path === '/redirect') {
      res.writeHead(Number(url.searchParams.get('status') ?? 302), { location: url.searchParams.get('to') ?? '/' });
      res.end('moved');
    } else if (path === '/redirect-no-location') {
      res.writeHead(302);
      res.end('no location');
    } else if (path.startsWith('/hops/')) {
      const left = Number(path.slice('/hops/'.length));
      if (left > 0) {
        res.writeHead(302, { location: `/hops/${left - 1}` });
        res.end();
      } else {
        res.end('done');
      }
    } else if (path === '/hang') {
      // Never answers.
    } else if (path === '/drip') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const timer = setInterval(() => res.write('x'), 40);
      res.on('close', () => clearInterval(timer));
    } else if (path === '/big-cl') {
      res.writeHead(200, { 'content-length': '5000' });
      res.end(Buffer.alloc(5000, 1));
    } else if (path === '/big-chunked') {
      res.writeHead(200, { 'content-type': 'image/png' });
      let sent = 0;
      const timer = setInterval(() => {
        if (res.destroyed || sent >= 20) {
          clearInterval(timer);
          if (!res.destroyed) res.end();
          return;
        }
        res.write(Buffer.alloc(1000, 2));
        sent++;
      }, 5);
      res.on('close', () => clearInterval(timer));
    } else if (path.startsWith('/exact/')) {
      res.end(Buffer.alloc(Number(path.slice('/exact/'.length)), 3));
    } else if (path.startsWith('/status/')) {
      res.writeHead(Number(path.slice('/status/'.length)));
      res.end('status body');
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  other = await startTestServer((_req, res, rec) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ method: rec.method, headers: rec.headers, body: rec.body.toString('utf8') }));
  });
  untouched = await startTestServer((_req, res) => res.end('should never be reached'));
  if (await hasIPv6Loopback()) {
    untouchedV6 = await startTestServer((_req, res) => res.end('v6 ok'), { host: '::1' });
  }
  tlsServer = await startTestServer(
    (_req, res, rec) => {
      res.end(`tls ok ${String(rec.servername)}`);
    },
    { tls: { key: TEST_TLS_KEY, cert: TEST_TLS_CERT } },
  );
});

beforeEach(() => {
  for (const s of [server, other, untouched, untouchedV6, tlsServer]) s?.reset();
});

afterEach(() => {
  // Spliced so a violation fails only the test that caused it.
  expect(tripwire.violations.splice(0)).toEqual([]);
});

afterAll(async () => {
  await Promise.all([server, other, untouched, untouchedV6, tlsServer].map((s) => s?.close()));
  tripwire.uninstall();
});

describe('safeRequest: success paths', () => {
  it('GETs from an allow-listed loopback server with our fixed headers', async () => {
    const res = await safeRequest(server.url('/echo'), base());
    expect(res.status).toBe(200);
    expect(res.redirects).toBe(0);
    expect(res.finalUrl).toBe(server.url('/echo'));
    const seen = JSON.parse(res.body.toString('utf8')) as { method: string; headers: Record<string, string> };
    expect(seen.method).toBe('GET');
    expect(seen.headers['host']).toBe(`127.0.0.1:${server.port}`);
    expect(seen.headers['accept-encoding']).toBe('identity');
    expect(seen.headers['user-agent']).toMatch(/^Imtegrate\//);
    expect(seen.headers['connection']).toBe('close');
  });

  it('returns body and response headers', async () => {
    const res = await safeRequest(server.url('/ok'), base());
    expect(res.body.toString()).toBe('hello');
    expect(res.headers['x-test']).toBe('yes');
  });

  it('connects to the checked address of a DNS name with one lookup, keeping the name as Host', async () => {
    const dns = fakeDns({ 'images.test': ['127.0.0.1'] });
    const res = await safeRequest(`http://images.test:${server.port}/echo`, base({ lookup: dns }));
    const seen = JSON.parse(res.body.toString('utf8')) as { headers: Record<string, string> };
    expect(seen.headers['host']).toBe(`images.test:${server.port}`);
    expect(dns.calls).toEqual(['images.test']);
  });

  it('ignores caller attempts to override Host, Accept-Encoding and framing headers', async () => {
    const res = await safeRequest(
      server.url('/echo'),
      base({ headers: { Host: 'evil.test', 'Accept-Encoding': 'gzip', 'Transfer-Encoding': 'chunked', 'X-Custom': 'kept' } }),
    );
    const seen = JSON.parse(res.body.toString('utf8')) as { headers: Record<string, string> };
    expect(seen.headers['host']).toBe(`127.0.0.1:${server.port}`);
    expect(seen.headers['accept-encoding']).toBe('identity');
    expect(seen.headers['transfer-encoding']).toBeUndefined();
    expect(seen.headers['x-custom']).toBe('kept');
  });

  it('reaches ::1 when the allow-list opens it', async () => {
    if (!untouchedV6) {
      console.warn('skipped: no ::1 on this machine');
      return;
    }
    const res = await safeRequest(untouchedV6.url('/'), base());
    expect(res.body.toString()).toBe('v6 ok');
  });

  it('reaches localhost when the allow-list opens loopback', async () => {
    const res = await safeRequest(`http://localhost:${server.port}/ok`, base());
    expect(res.body.toString()).toBe('hello');
  });

  it('HEAD ignores Content-Length above the cap', async () => {
    const res = await safeRequest(server.url('/big-cl'), base({ method: 'HEAD', maxBytes: 100 }));
    expect(res.status).toBe(200);
    expect(res.body.length).toBe(0);
  });
});

describe('safeRequest: HTTPS keeps SNI and certificate checks on the original name', () => {
  it('verifies the certificate for the hostname while connecting to the pinned address', async () => {
    const dns = fakeDns({ 'images.test': ['127.0.0.1'] });
    const res = await safeRequest(`https://images.test:${tlsServer.port}/`, base({ lookup: dns, ca: TEST_TLS_CERT }));
    expect(res.body.toString()).toBe('tls ok images.test');
  });

  it('fails permanently on an untrusted certificate (and still sent the right SNI)', async () => {
    const dns = fakeDns({ 'images.test': ['127.0.0.1'] });
    const err = await failure(safeRequest(`https://images.test:${tlsServer.port}/`, base({ lookup: dns })));
    expect(err.code).toBe('connection_failed');
    expect(err.transient).toBe(false);
    expect(tlsServer.connections).toBe(1);
  });

  it('fails permanently when the certificate does not match the name', async () => {
    const dns = fakeDns({ 'other.test': ['127.0.0.1'] });
    const err = await failure(
      safeRequest(`https://other.test:${tlsServer.port}/`, base({ lookup: dns, ca: TEST_TLS_CERT })),
    );
    expect(err).toMatchObject({ code: 'connection_failed', transient: false, reason: 'ERR_TLS_CERT_ALTNAME_INVALID' });
  });
});

describe('safeRequest: loopback refused before any connection when not allow-listed', () => {
  const spellings = (port: number): Array<[string, string]> => [
    ['127.0.0.1', `http://127.0.0.1:${port}/`],
    ['127.1', `http://127.1:${port}/`],
    ['2130706433', `http://2130706433:${port}/`],
    ['0x7f000001', `http://0x7f000001:${port}/`],
    ['0177.0.0.1', `http://0177.0.0.1:${port}/`],
    ['[::ffff:127.0.0.1]', `http://[::ffff:127.0.0.1]:${port}/`],
    ['localhost', `http://localhost:${port}/`],
    ['LOCALHOST.', `http://LOCALHOST.:${port}/`],
    ['foo.localhost', `http://foo.localhost:${port}/`],
  ];

  it.each(spellings(0).map(([name]) => name))('%s', async (name) => {
    const url = spellings(untouched.port).find(([n]) => n === name)![1];
    const dns = fakeDns({});
    const err = await failure(safeRequest(url, base({ policy: closed, lookup: dns })));
    expect(err).toMatchObject({ code: 'forbidden_address', transient: false });
    expect(['loopback', 'ipv4_mapped']).toContain(err.reason);
    expect(dns.calls).toEqual([]); // decided without DNS
    expect(untouched.connections).toBe(0);
  });

  it('[::1]', async () => {
    if (!untouchedV6) {
      console.warn('skipped: no ::1 on this machine');
      return;
    }
    const err = await failure(safeRequest(untouchedV6.url('/'), base({ policy: closed })));
    expect(err).toMatchObject({ code: 'forbidden_address', reason: 'loopback', address: '::1' });
    expect(untouchedV6.connections).toBe(0);
  });

  it('a DNS name resolving to 127.0.0.1', async () => {
    const dns = fakeDns({ 'sneaky.example': ['127.0.0.1'] });
    const err = await failure(safeRequest(`http://sneaky.example:${untouched.port}/`, base({ policy: closed, lookup: dns })));
    expect(err).toMatchObject({ code: 'forbidden_address', reason: 'loopback', address: '127.0.0.1' });
    expect(dns.calls).toEqual(['sneaky.example']);
    expect(untouched.connections).toBe(0);
  });

  it('a DNS name resolving to an IPv4-mapped loopback address', async () => {
    const dns = fakeDns({ 'mapped.example': ['::ffff:127.0.0.1'] });
    const err = await failure(safeRequest(`http://mapped.example:${untouched.port}/`, base({ policy: closed, lookup: dns })));
    expect(err).toMatchObject({ code: 'forbidden_address', reason: 'ipv4_mapped' });
    expect(untouched.connections).toBe(0);
  });
});

describe('safeRequest: DNS answers', () => {
  it('refuses an answer mixing an allowed 127.0.0.1 with 10.0.0.1', async () => {
    const dns = fakeDns({ 'mixed.example': ['127.0.0.1', '10.0.0.1'] });
    const err = await failure(safeRequest(`http://mixed.example:${untouched.port}/`, base({ lookup: dns })));
    expect(err).toMatchObject({ code: 'forbidden_address', reason: 'private', address: '10.0.0.1' });
    expect(untouched.connections).toBe(0);
  });

  it('refuses metadata answers', async () => {
    const dns = fakeDns({ 'meta.example': ['169.254.169.254'], 'meta6.example': ['fd00:ec2::254'] });
    for (const host of ['meta.example', 'meta6.example']) {
      const err = await failure(safeRequest(`http://${host}/latest/meta-data/`, base({ lookup: dns })));
      expect(err).toMatchObject({ code: 'forbidden_address', reason: 'metadata' });
    }
  });

  it('maps resolver failures to dns_failed with the right transience', async () => {
    const temporary: ResolveFn = async () => {
      throw Object.assign(new Error('getaddrinfo EAI_AGAIN'), { code: 'EAI_AGAIN' });
    };
    expect(await failure(safeRequest('http://flaky.example/', base({ lookup: temporary })))).toMatchObject({
      code: 'dns_failed',
      transient: true,
      reason: 'EAI_AGAIN',
    });
    expect(await failure(safeRequest('http://nxdomain.example/', base({ lookup: fakeDns({}) })))).toMatchObject({
      code: 'dns_failed',
      transient: false,
      reason: 'ENOTFOUND',
    });
    expect(await failure(safeRequest('http://empty.example/', base({ lookup: fakeDns({ 'empty.example': [] }) })))).toMatchObject({
      code: 'dns_failed',
      reason: 'no_address',
    });
    const garbage: ResolveFn = async () => [{ address: 'not-an-ip', family: 4 }];
    expect(await failure(safeRequest('http://garbage.example/', base({ lookup: garbage })))).toMatchObject({
      code: 'dns_failed',
      reason: 'bad_answer',
    });
  });

  it('times out a resolver that never answers', async () => {
    const never: ResolveFn = () => new Promise(() => undefined);
    const err = await failure(safeRequest('http://slow-dns.example/', base({ lookup: never, timeoutMs: 150 })));
    expect(err).toMatchObject({ code: 'timeout', transient: true });
  });
});

describe('safeRequest: redirects', () => {
  it('follows a chain up to maxRedirects', async () => {
    const res = await safeRequest(server.url('/hops/3'), base({ maxRedirects: 3 }));
    expect(res.body.toString()).toBe('done');
    expect(res.redirects).toBe(3);
    expect(res.finalUrl).toBe(server.url('/hops/0'));
  });

  it('refuses a chain longer than maxRedirects', async () => {
    const err = await failure(safeRequest(server.url('/hops/10'), base({ maxRedirects: 3 })));
    expect(err).toMatchObject({ code: 'too_many_redirects', transient: false });
    expect(server.requests.map((r) => r.url)).toEqual(['/hops/10', '/hops/9', '/hops/8', '/hops/7']);
  });

  it('refuses a redirect to a name that resolves to a private address, without connecting', async () => {
    const dns = fakeDns({ 'internal.example': ['10.0.0.5'] });
    const to = encodeURIComponent('http://internal.example:8080/admin');
    const err = await failure(safeRequest(server.url(`/redirect?to=${to}`), base({ lookup: dns })));
    expect(err).toMatchObject({ code: 'forbidden_address', reason: 'private', address: '10.0.0.5', transient: false });
    expect(err.url).toBe('http://internal.example:8080/admin');
    expect(dns.calls).toEqual(['internal.example']);
  });

  it('refuses a redirect to a metadata IP literal', async () => {
    const to = encodeURIComponent('http://169.254.169.254/latest/meta-data/');
    const err = await failure(safeRequest(server.url(`/redirect?to=${to}`), base()));
    expect(err).toMatchObject({ code: 'forbidden_address', reason: 'metadata' });
  });

  it('refuses a redirect to loopback when only the first hop was allowed', async () => {
    // The first hop is a public-looking name pinned to loopback by an allow-list for one address.
    const policy = createAddressPolicy({ allowCidrs: ['127.0.0.1/32'] });
    const to = encodeURIComponent(`http://127.0.0.2:${untouched.port}/`);
    const err = await failure(safeRequest(server.url(`/redirect?to=${to}`), base({ policy })));
    expect(err).toMatchObject({ code: 'forbidden_address', reason: 'loopback', address: '127.0.0.2' });
    expect(untouched.connections).toBe(0);
  });

  it('refuses a redirect to file:///etc/passwd', async () => {
    const err = await failure(safeRequest(server.url(`/redirect?to=${encodeURIComponent('file:///etc/passwd')}`), base()));
    expect(err).toMatchObject({ code: 'invalid_url', reason: 'scheme', transient: false });
  });

  it('refuses a redirect carrying credentials', async () => {
    const to = encodeURIComponent(`http://user:pw@127.0.0.1:${other.port}/`);
    const err = await failure(safeRequest(server.url(`/redirect?to=${to}`), base()));
    expect(err).toMatchObject({ code: 'invalid_url', reason: 'userinfo' });
    expect(other.connections).toBe(0);
  });

  it('turns POST into GET on 302 and 303, dropping the body', async () => {
    for (const status of [301, 302, 303]) {
      other.reset();
      const to = encodeURIComponent(other.url('/'));
      const res = await safeRequest(
        server.url(`/redirect?status=${status}&to=${to}`),
        base({ method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' } }),
      );
      const seen = JSON.parse(res.body.toString('utf8')) as { method: string; body: string; headers: Record<string, string> };
      expect(seen.method).toBe('GET');
      expect(seen.body).toBe('');
      expect(seen.headers['content-type']).toBeUndefined();
      expect(seen.headers['content-length']).toBeUndefined();
    }
  });

  it('keeps POST and its body on 307 and 308', async () => {
    for (const status of [307, 308]) {
      const to = encodeURIComponent('/echo');
      const res = await safeRequest(server.url(`/redirect?status=${status}&to=${to}`), base({ method: 'POST', body: 'payload' }));
      const seen = JSON.parse(res.body.toString('utf8')) as { method: string; body: string };
      expect(seen).toMatchObject({ method: 'POST', body: 'payload' });
    }
  });

  it('drops credentials on a cross-origin redirect but keeps them on the same origin', async () => {
    const headers = { Authorization: 'Bearer secret', 'X-Imtegrate-Delivery-Id': 'd1' };
    const cross = await safeRequest(server.url(`/redirect?to=${encodeURIComponent(other.url('/'))}`), base({ headers }));
    const crossSeen = JSON.parse(cross.body.toString('utf8')) as { headers: Record<string, string> };
    expect(crossSeen.headers['authorization']).toBeUndefined();
    expect(crossSeen.headers['x-imtegrate-delivery-id']).toBe('d1');

    const same = await safeRequest(server.url(`/redirect?to=${encodeURIComponent('/echo')}`), base({ headers }));
    const sameSeen = JSON.parse(same.body.toString('utf8')) as { headers: Record<string, string> };
    expect(sameSeen.headers['authorization']).toBe('Bearer secret');
  });

  it('returns a redirect status without Location as the final response', async () => {
    const res = await safeRequest(server.url('/redirect-no-location'), base());
    expect(res).toMatchObject({ status: 302, redirects: 0 });
    expect(res.body.toString()).toBe('no location');
  });

  it('with maxRedirects 0 a redirect is an error', async () => {
    const err = await failure(safeRequest(server.url('/hops/1'), base({ maxRedirects: 0 })));
    expect(err.code).toBe('too_many_redirects');
  });
});

describe('safeRequest: time limits', () => {
  it('times out a server that never answers', async () => {
    const started = Date.now();
    const err = await failure(safeRequest(server.url('/hang'), base({ timeoutMs: 300 })));
    expect(err).toMatchObject({ code: 'timeout', transient: true });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('enforces the total deadline on a body that keeps dripping', async () => {
    const started = Date.now();
    const err = await failure(safeRequest(server.url('/drip'), base({ timeoutMs: 300 })));
    expect(err).toMatchObject({ code: 'timeout', reason: 'deadline', transient: true });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('also has a socket idle timeout', async () => {
    const err = await failure(safeRequest(server.url('/hang'), base({ timeoutMs: 5000, idleTimeoutMs: 100 })));
    expect(err).toMatchObject({ code: 'timeout', reason: 'idle', transient: true });
  });
});

describe('safeRequest: size limits', () => {
  it('refuses early from Content-Length', async () => {
    const err = await failure(safeRequest(server.url('/big-cl'), base({ maxBytes: 1000 })));
    expect(err).toMatchObject({ code: 'too_large', reason: 'content-length 5000', transient: false });
  });

  it('counts streamed bytes of a chunked body without Content-Length', async () => {
    const err = await failure(safeRequest(server.url('/big-chunked'), base({ maxBytes: 4096 })));
    expect(err).toMatchObject({ code: 'too_large', reason: 'streamed', transient: false });
  });

  it('accepts a body of exactly maxBytes', async () => {
    const res = await safeRequest(server.url('/exact/4096'), base({ maxBytes: 4096 }));
    expect(res.body.length).toBe(4096);
    expect(res.truncated).toBeUndefined();
    const err = await failure(safeRequest(server.url('/exact/4097'), base({ maxBytes: 4096 })));
    expect(err.code).toBe('too_large');
  });

  it("with overMaxBytes: 'truncate', answers the status and the first maxBytes of a larger body, declared or streamed", async () => {
    for (const path of ['/big-cl', '/big-chunked', '/exact/4097']) {
      const res = await safeRequest(server.url(path), base({ maxBytes: 1000, overMaxBytes: 'truncate' }));
      expect({ path, status: res.status, bytes: res.body.length, truncated: res.truncated }).toEqual({ path, status: 200, bytes: 1000, truncated: true });
    }
    const whole = await safeRequest(server.url('/exact/4096'), base({ maxBytes: 4096, overMaxBytes: 'truncate' }));
    expect([whole.body.length, whole.truncated]).toEqual([4096, undefined]);
  });
});

describe('safeRequest: statuses and connection errors', () => {
  it('returns non-2xx responses; httpStatusError classifies them', async () => {
    const notFound = await safeRequest(server.url('/status/404'), base());
    expect(notFound.status).toBe(404);
    expect(notFound.body.toString()).toBe('status body');
    expect(httpStatusError(404, notFound.finalUrl)).toMatchObject({ code: 'http_status', status: 404, transient: false });

    const unavailable = await safeRequest(server.url('/status/503'), base());
    expect(httpStatusError(unavailable.status, unavailable.finalUrl)).toMatchObject({ status: 503, transient: true });

    for (const [status, transient] of [
      [400, false],
      [401, false],
      [403, false],
      [408, true],
      [410, false],
      [429, true],
      [500, true],
      [502, true],
    ] as const) {
      expect(httpStatusError(status, 'http://x/').transient).toBe(transient);
    }
  });

  it('reports a refused connection as transient', async () => {
    const gone = await startTestServer((_req, res) => res.end());
    const url = gone.url('/');
    await gone.close();
    const err = await failure(safeRequest(url, base()));
    expect(err).toMatchObject({ code: 'connection_failed', transient: true, reason: 'ECONNREFUSED' });
  });

  it('rejects invalid URLs up front', async () => {
    for (const url of ['ftp://127.0.0.1/', 'http://u:p@127.0.0.1/', 'nope', `http://127.0.0.1:${server.port}:1/`]) {
      expect((await failure(safeRequest(url, base()))).code).toBe('invalid_url');
    }
  });
});

describe('safeRequest: webhook POST', () => {
  it('sends the body and the headers', async () => {
    const payload = JSON.stringify({ type: 'image.completed', data: { id: 'img_1' } });
    const res = await safeRequest(
      other.url('/hook'),
      base({
        method: 'POST',
        body: payload,
        headers: {
          'Content-Type': 'application/json',
          'X-Imtegrate-Signature': 'abc123',
          'X-Imtegrate-Delivery-Id': 'del_1',
        },
        userAgent: 'Imtegrate-Webhooks/1',
      }),
    );
    expect(res.status).toBe(200);
    expect(other.requests).toHaveLength(1);
    const rec = other.requests[0];
    expect(rec.method).toBe('POST');
    expect(rec.body.toString('utf8')).toBe(payload);
    expect(rec.headers['content-type']).toBe('application/json');
    expect(rec.headers['content-length']).toBe(String(Buffer.byteLength(payload)));
    expect(rec.headers['x-imtegrate-signature']).toBe('abc123');
    expect(rec.headers['x-imtegrate-delivery-id']).toBe('del_1');
    expect(rec.headers['user-agent']).toBe('Imtegrate-Webhooks/1');
  });

  it('sends a Buffer body byte for byte', async () => {
    const body = Buffer.from([0, 1, 2, 255, 254]);
    await safeRequest(other.url('/hook'), base({ method: 'POST', body }));
    expect(other.requests[0].body.equals(body)).toBe(true);
  });
});
