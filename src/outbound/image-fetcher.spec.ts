import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createAddressPolicy } from './address-policy.js';
import { createImageFetcher, freshnessFrom, type ImageFetcherOptions } from './image-fetcher.js';
import { SafeRequestError } from './safe-request-error.js';
import { startTestServer, type TestServer } from '../../test/support/net/http-test-server.js';
import { installLoopbackTripwire, type Tripwire } from '../../test/support/net/loopback-tripwire.js';

const openLoopback = createAddressPolicy({ allowCidrs: ['127.0.0.0/8', '::1/128'] });

let tripwire: Tripwire;
let server: TestServer;
let etagVersion = 'v1';

// A few bytes that look like a PNG; the fetcher must not care what they are.
const png = (tag: string, size = 64): Buffer => {
  const b = Buffer.alloc(size, tag.charCodeAt(0));
  Buffer.from([0x89, 0x50, 0x4e, 0x47]).copy(b);
  return b;
};

beforeAll(async () => {
  tripwire = installLoopbackTripwire();
  server = await startTestServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    if (path.startsWith('/plain/')) {
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end(png(path.slice(-1), Number(url.searchParams.get('size') ?? 64)));
    } else if (path === '/etag') {
      const etag = `"${etagVersion}"`;
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, { etag, 'cache-control': 'no-cache' });
        res.end();
        return;
      }
      res.writeHead(200, { etag, 'cache-control': 'no-cache', 'content-type': 'image/png' });
      res.end(png(etagVersion.slice(-1)));
    } else if (path === '/max-age') {
      res.writeHead(200, { 'cache-control': 'public, max-age=60' });
      res.end(png('m'));
    } else if (path === '/no-store') {
      res.writeHead(200, { 'cache-control': 'no-store' });
      res.end(png('n'));
    } else if (path === '/slow') {
      setTimeout(() => res.end(png('s')), 100);
    } else if (path === '/lying-type') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(png('l'));
    } else if (path.startsWith('/status/')) {
      res.writeHead(Number(path.slice('/status/'.length)));
      res.end('nope');
    } else if (path === '/to-private') {
      res.writeHead(302, { location: 'http://internal.example/secret.png' });
      res.end();
    } else {
      res.writeHead(404);
      res.end();
    }
  });
});

beforeEach(() => {
  server.reset();
  etagVersion = 'v1';
});

afterEach(() => {
  expect(tripwire.violations.splice(0)).toEqual([]);
});

afterAll(async () => {
  await server.close();
  tripwire.uninstall();
});

function fetcher(extra: Partial<ImageFetcherOptions> = {}) {
  let clock = 1_000_000;
  const f = createImageFetcher({
    policy: openLoopback,
    maxBytes: 1024 * 1024,
    timeoutMs: 2000,
    maxRedirects: 3,
    cacheEntries: 10,
    cacheBytes: 1024 * 1024,
    now: () => clock,
    ...extra,
  });
  return Object.assign(f, {
    advance(ms: number) {
      clock += ms;
    },
  });
}

async function failure(promise: Promise<unknown>): Promise<SafeRequestError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(SafeRequestError);
    return err as SafeRequestError;
  }
  throw new Error('expected the fetch to fail');
}

describe('image fetcher', () => {
  it('returns the bytes whatever Content-Type claims', async () => {
    const f = fetcher();
    const body = await f.fetch(server.url('/lying-type'));
    expect(body.subarray(0, 4)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  });

  it('serves a repeat fetch from the cache (server sees one request)', async () => {
    const f = fetcher();
    const a = await f.fetch(server.url('/plain/a'));
    const b = await f.fetch(server.url('/plain/a#fragment-is-ignored'));
    expect(b.equals(a)).toBe(true);
    expect(server.requests).toHaveLength(1);
    expect(f.stats()).toMatchObject({ hits: 1, misses: 1, entries: 1, bytes: 64 });
  });

  it('hands each caller its own copy', async () => {
    const f = fetcher();
    const a = await f.fetch(server.url('/plain/a'));
    a.fill(0);
    const b = await f.fetch(server.url('/plain/a'));
    expect(b[0]).toBe(0x89);
  });

  it('shares one request between concurrent fetches of the same URL', async () => {
    const f = fetcher();
    const bodies = await Promise.all(Array.from({ length: 5 }, () => f.fetch(server.url('/slow'))));
    expect(server.requests).toHaveLength(1);
    expect(new Set(bodies.map((b) => b.toString('hex'))).size).toBe(1);
  });

  it('revalidates with If-None-Match and reuses the bytes on 304', async () => {
    const f = fetcher();
    const first = await f.fetch(server.url('/etag'));
    const second = await f.fetch(server.url('/etag'));
    expect(second.equals(first)).toBe(true);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[0].headers['if-none-match']).toBeUndefined();
    expect(server.requests[1].headers['if-none-match']).toBe('"v1"');
    expect(f.stats().revalidated).toBe(1);
  });

  it('replaces the cached bytes when the ETag changed', async () => {
    const f = fetcher();
    const first = await f.fetch(server.url('/etag'));
    etagVersion = 'v2';
    const second = await f.fetch(server.url('/etag'));
    expect(second.equals(first)).toBe(false);
    expect(second[10]).toBe('2'.charCodeAt(0));
    const third = await f.fetch(server.url('/etag'));
    expect(server.requests[2].headers['if-none-match']).toBe('"v2"');
    expect(third.equals(second)).toBe(true);
  });

  it('honours Cache-Control max-age', async () => {
    const f = fetcher();
    await f.fetch(server.url('/max-age'));
    f.advance(59_000);
    await f.fetch(server.url('/max-age'));
    expect(server.requests).toHaveLength(1);
    f.advance(2_000);
    await f.fetch(server.url('/max-age'));
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1].headers['if-none-match']).toBeUndefined();
  });

  it('caches for 5 minutes by default', async () => {
    const f = fetcher();
    await f.fetch(server.url('/plain/d'));
    f.advance(5 * 60_000 - 1);
    await f.fetch(server.url('/plain/d'));
    expect(server.requests).toHaveLength(1);
    f.advance(2);
    await f.fetch(server.url('/plain/d'));
    expect(server.requests).toHaveLength(2);
  });

  it('does not cache no-store responses', async () => {
    const f = fetcher();
    await f.fetch(server.url('/no-store'));
    await f.fetch(server.url('/no-store'));
    expect(server.requests).toHaveLength(2);
    expect(f.stats().entries).toBe(0);
  });

  it('evicts the least recently used entry beyond cacheEntries', async () => {
    const f = fetcher({ cacheEntries: 2 });
    await f.fetch(server.url('/plain/a'));
    await f.fetch(server.url('/plain/b'));
    await f.fetch(server.url('/plain/a')); // a is now the most recent
    await f.fetch(server.url('/plain/c')); // evicts b
    expect(server.requests.map((r) => r.url)).toEqual(['/plain/a', '/plain/b', '/plain/c']);
    await f.fetch(server.url('/plain/a'));
    await f.fetch(server.url('/plain/b'));
    expect(server.requests.map((r) => r.url)).toEqual(['/plain/a', '/plain/b', '/plain/c', '/plain/b']);
    expect(f.stats().entries).toBe(2);
  });

  it('evicts by total bytes and never caches a body larger than cacheBytes', async () => {
    const f = fetcher({ cacheBytes: 2500 });
    await f.fetch(server.url('/plain/a?size=1000'));
    await f.fetch(server.url('/plain/b?size=1000'));
    await f.fetch(server.url('/plain/c?size=1000')); // 3000 > 2500: a goes
    expect(f.stats()).toMatchObject({ entries: 2, bytes: 2000 });
    await f.fetch(server.url('/plain/a?size=1000'));
    expect(server.requests).toHaveLength(4);

    await f.fetch(server.url('/plain/h?size=3000'));
    expect(f.stats().bytes).toBeLessThanOrEqual(2500);
    await f.fetch(server.url('/plain/h?size=3000'));
    expect(server.requests).toHaveLength(6);
  });

  it('turns a 404 into a permanent http_status error and a 503 into a transient one', async () => {
    const f = fetcher();
    expect(await failure(f.fetch(server.url('/status/404')))).toMatchObject({ code: 'http_status', status: 404, transient: false });
    expect(await failure(f.fetch(server.url('/status/503')))).toMatchObject({ code: 'http_status', status: 503, transient: true });
    expect(f.stats().entries).toBe(0);
  });

  it('applies the address policy (loopback closed by default)', async () => {
    const f = fetcher({ policy: createAddressPolicy() });
    expect(await failure(f.fetch(server.url('/plain/a')))).toMatchObject({ code: 'forbidden_address', reason: 'loopback' });
    expect(server.connections).toBe(0);
  });

  it('re-checks redirects with the injected resolver', async () => {
    const calls: string[] = [];
    const f = fetcher({
      lookup: async (hostname) => {
        calls.push(hostname);
        return [{ address: '192.168.1.10', family: 4 }];
      },
    });
    expect(await failure(f.fetch(server.url('/to-private')))).toMatchObject({ code: 'forbidden_address', reason: 'private' });
    expect(calls).toEqual(['internal.example']);
  });

  it('enforces the byte cap', async () => {
    const f = fetcher({ maxBytes: 100 });
    expect((await failure(f.fetch(server.url('/plain/z?size=1000')))).code).toBe('too_large');
  });

  it('rejects invalid URLs', async () => {
    const f = fetcher();
    expect((await failure(f.fetch('file:///etc/passwd'))).code).toBe('invalid_url');
  });
});

describe('freshnessFrom', () => {
  it.each([
    [undefined, undefined, { store: true, ttlMs: 300_000 }],
    ['max-age=60', undefined, { store: true, ttlMs: 60_000 }],
    ['public, max-age=60', '50', { store: true, ttlMs: 10_000 }],
    ['max-age=60', '100', { store: true, ttlMs: 0 }],
    ['max-age="30"', undefined, { store: true, ttlMs: 30_000 }],
    ['max-age=31536000', undefined, { store: true, ttlMs: 86_400_000 }],
    ['no-cache', undefined, { store: true, ttlMs: 0 }],
    ['no-store, max-age=60', undefined, { store: false, ttlMs: 0 }],
    ['max-age=abc', undefined, { store: true, ttlMs: 300_000 }],
  ])('%s (Age %s) -> %j', (cc, age, expected) => {
    expect(freshnessFrom(cc, age, 300_000)).toEqual(expected);
  });
});
