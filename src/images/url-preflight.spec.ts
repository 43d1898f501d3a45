import { describe, expect, it } from '@jest/globals';
import sharp from 'sharp';
import type { ImageFetcher } from '../outbound/image-fetcher.js';
import { SafeRequestError } from '../outbound/safe-request-error.js';
import type { Modification } from '../renderer/index.js';
import { createAddressPolicy } from '../outbound/address-policy.js';
import { destinationUrlProblem, PerOrgGate, preflightImageUrls } from './url-preflight.js';

/** A fetcher over a table of URLs: the outside world is the only thing this spec fakes. */
function tableFetcher(table: Record<string, Buffer>): ImageFetcher & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async fetch(url: string) {
      calls.push(url);
      const body = table[url];
      if (!body) throw new SafeRequestError('http_status', 'not found', { url, status: 404 });
      return Buffer.from(body);
    },
    stats: () => ({ entries: 0, bytes: 0, hits: 0, misses: 0, revalidated: 0 }),
    clear: () => undefined,
  };
}

const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#f00' } }).png().toBuffer();
const limits = { maxUrls: 3, maxTotalBytes: 10 * png.length, concurrency: 2 };
const mod = (name: string, url: string): Modification => ({ name, image_url: url });

describe('preflightImageUrls', () => {
  it('fetches each distinct URL once and reports failures per layer', async () => {
    const f = tableFetcher({ 'https://a.example/1.png': png, 'https://a.example/text': Buffer.from('hello') });
    const problems = await preflightImageUrls(
      [mod('a', 'https://a.example/1.png'), mod('b', 'https://a.example/1.png'), mod('c', 'https://a.example/missing'), mod('d', 'https://a.example/text')],
      f,
      limits,
    );
    expect(problems).toEqual([
      { name: 'c', reason: 'image_url could not be fetched: the server answered HTTP 404' },
      { name: 'd', reason: expect.stringContaining('did not return a supported image') },
    ]);
    expect(f.calls.filter((u) => u === 'https://a.example/1.png')).toHaveLength(1);
  });

  it('measures a remote SVG as the renderer would: what it embeds, against the pixel budget', async () => {
    const embedding = (payload: Buffer, mime: string) =>
      Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><image href="data:${mime};base64,${payload.toString('base64')}"/></svg>`);
    const svg = embedding(png, 'image/png');
    const f = tableFetcher({
      'https://a.example/ok.svg': svg,
      'https://a.example/nested.svg': embedding(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><image href="http://10.0.0.1/x"/></svg>'), 'image/svg+xml'),
      'https://a.example/external.svg': Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><image href="http://10.0.0.1/x"/></svg>'),
    });
    const mods = [mod('ok', 'https://a.example/ok.svg'), mod('nested', 'https://a.example/nested.svg'), mod('external', 'https://a.example/external.svg')];
    // 10x10 + 4x4 = 116 pixels.
    expect(await preflightImageUrls(mods, f, { ...limits, maxDecodedPixels: 116 })).toEqual([
      { name: 'nested', reason: expect.stringContaining('embedded SVG rejected') },
      { name: 'external', reason: expect.stringContaining('not self-contained') },
    ]);
    expect(await preflightImageUrls([mods[0]], f, { ...limits, maxDecodedPixels: 115 })).toEqual([
      { name: 'ok', reason: 'image_url is an SVG whose images decode to 116 pixels; a render may decode at most 115' },
    ]);
  });

  it('refuses more distinct URLs than the limit before fetching anything', async () => {
    const f = tableFetcher({});
    const mods = ['1', '2', '3', '4', '5'].map((n) => mod(`l${n}`, `https://a.example/${n}.png`));
    const problems = await preflightImageUrls(mods, f, limits);
    expect(problems.map((p) => p.name)).toEqual(['l4', 'l5']);
    expect(problems[0].reason).toContain('at most 3 distinct remote image URLs');
    expect(f.calls).toEqual([]);
  });

  it('stops at the byte budget', async () => {
    const f = tableFetcher({ 'https://a.example/1': png, 'https://a.example/2': png, 'https://a.example/3': png });
    const problems = await preflightImageUrls(
      [mod('a', 'https://a.example/1'), mod('b', 'https://a.example/2'), mod('c', 'https://a.example/3')],
      f,
      { maxUrls: 3, maxTotalBytes: png.length, concurrency: 1 },
    );
    expect(problems.map((p) => p.name)).toEqual(['b', 'c']);
    expect(problems[0].reason).toContain('together');
    expect(f.calls.length).toBeLessThanOrEqual(2);
  });
});

describe('PerOrgGate', () => {
  it('bounds work per organisation and lets other organisations through', async () => {
    const gate = new PerOrgGate(2);
    const releases: (() => void)[] = [];
    const hold = (): Promise<void> => new Promise<void>((r) => releases.push(r));
    const a = [gate.run('A', hold), gate.run('A', hold), gate.run('A', hold)];
    const b = gate.run('B', async () => 'b');
    await expect(b).resolves.toBe('b');
    await new Promise((r) => setImmediate(r));
    expect(gate.inFlight('A')).toBe(2);
    expect(releases).toHaveLength(2);
    releases.shift()?.();
    await new Promise((r) => setImmediate(r));
    expect(releases).toHaveLength(2);
    expect(gate.inFlight('A')).toBe(2);
    releases.splice(0).forEach((r) => r());
    await new Promise((r) => setImmediate(r));
    releases.splice(0).forEach((r) => r());
    await Promise.all(a);
    expect(gate.inFlight('A')).toBe(0);
  });
});

describe('destinationUrlProblem (webhook_url, an endpoint url)', () => {
  const strict = { policy: createAddressPolicy(), timeoutMs: 2000 };
  // IP literals: decided by the policy without DNS or a connection.
  it.each(['http://127.0.0.1:8080/hook', 'http://[::1]/hook', 'http://10.1.2.3/', 'http://172.16.0.1/', 'http://192.168.0.10/', 'http://169.254.169.254/latest/meta-data/', 'http://[fd00:ec2::254]/', 'http://100.64.0.1/', 'http://0.0.0.0/', 'http://[::ffff:10.0.0.1]/'])(
    'refuses the private, loopback or metadata address %s without an allow-list',
    async (url) => {
      expect(await destinationUrlProblem(url, 'url', strict)).toBe('url the address is not publicly routable');
    },
  );

  it('lets loopback through only when FETCH_ALLOW_CIDRS allows it (the tests\' receivers)', async () => {
    const allowing = { policy: createAddressPolicy({ allowCidrs: ['127.0.0.0/8'] }), timeoutMs: 2000 };
    expect(await destinationUrlProblem('http://127.0.0.1:8080/hook', 'url', allowing)).toBeNull();
    expect(await destinationUrlProblem('http://10.0.0.1/hook', 'url', allowing)).toBe('url the address is not publicly routable');
  });

  it('names the field for a URL that is not http(s)', async () => {
    expect(await destinationUrlProblem('ftp://example.com/x', 'webhook_url', strict)).toBe('webhook_url scheme "ftp" is not allowed; use http or https');
    expect(await destinationUrlProblem('https://user:pw@example.com/', 'url', strict)).toBe('url must not contain credentials');
  });

  it('accepts a public address literal', async () => {
    expect(await destinationUrlProblem('https://93.184.215.14/hook', 'url', strict)).toBeNull();
  });
});
