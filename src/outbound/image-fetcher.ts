/**
 * Fetches remote images for renders through safeRequest, with a small in-process LRU cache.
 * Bytes are returned as received: the caller sniffs and decodes them with sharp and never trusts
 * Content-Type.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressPolicy } from './address-policy.js';
import { httpStatusError } from './safe-request-error.js';
import {
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_REDIRECTS,
  DEFAULT_TIMEOUT_MS,
  safeRequest,
  type ResolveFn,
  type SafeRequestOptions,
} from './safe-request.js';
import { parseTargetUrl } from './target-url.js';

export const DEFAULT_CACHE_TTL_MS = 5 * 60_000;
// A far-future max-age must not pin a changed image in a long-lived worker.
export const MAX_CACHE_TTL_MS = 24 * 60 * 60_000;

export interface ImageFetcherOptions {
  policy: AddressPolicy;
  maxBytes?: number;
  timeoutMs?: number;
  maxRedirects?: number;
  /** Cache bounds; 0 for either disables the cache. */
  cacheEntries?: number;
  cacheBytes?: number;
  lookup?: ResolveFn;
  userAgent?: string;
  ca?: SafeRequestOptions['ca'];
  /** Freshness when the response has no Cache-Control max-age. */
  defaultTtlMs?: number;
  /** Clock, injectable for tests. */
  now?: () => number;
}

export interface ImageFetcherStats {
  entries: number;
  bytes: number;
  hits: number;
  misses: number;
  revalidated: number;
}

export interface ImageFetcher {
  /** GETs the image bytes (a private copy per call). Rejects with SafeRequestError. */
  fetch(url: string): Promise<Buffer>;
  stats(): ImageFetcherStats;
  clear(): void;
}

interface CacheEntry {
  body: Buffer;
  etag?: string;
  cacheControl?: string;
  expiresAt: number;
}

interface Freshness {
  store: boolean;
  ttlMs: number;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

export function freshnessFrom(cacheControl: string | undefined, age: string | undefined, defaultTtlMs: number): Freshness {
  const directives = new Map<string, string | undefined>();
  for (const part of (cacheControl ?? '').split(',')) {
    const [k, v] = part.split('=', 2).map((s) => s.trim());
    if (k) directives.set(k.toLowerCase(), v?.replace(/^"|"$/g, ''));
  }
  if (directives.has('no-store')) return { store: false, ttlMs: 0 };
  if (directives.has('no-cache')) return { store: true, ttlMs: 0 };
  const maxAge = directives.get('max-age');
  if (maxAge !== undefined && /^\d+$/.test(maxAge)) {
    const ageSec = age !== undefined && /^\d+$/.test(age.trim()) ? Number(age.trim()) : 0;
    const ttlMs = Math.max(0, Number(maxAge) - ageSec) * 1000;
    return { store: true, ttlMs: Math.min(ttlMs, MAX_CACHE_TTL_MS) };
  }
  return { store: true, ttlMs: Math.min(defaultTtlMs, MAX_CACHE_TTL_MS) };
}

const ACCEPT = 'image/avif,image/webp,image/png,image/jpeg,image/*;q=0.8,*/*;q=0.5';

export function createImageFetcher(options: ImageFetcherOptions): ImageFetcher {
  const maxEntries = options.cacheEntries ?? 256;
  const maxCacheBytes = options.cacheBytes ?? 128 * 1024 * 1024;
  const defaultTtlMs = options.defaultTtlMs ?? DEFAULT_CACHE_TTL_MS;
  const now = options.now ?? Date.now;
  const requestOptions: SafeRequestOptions = {
    method: 'GET',
    policy: options.policy,
    maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxRedirects: options.maxRedirects ?? DEFAULT_MAX_REDIRECTS,
    lookup: options.lookup,
    userAgent: options.userAgent,
    ca: options.ca,
  };

  // Map iteration order is insertion order: re-inserting on use makes the first key the LRU.
  const cache = new Map<string, CacheEntry>();
  const inflight = new Map<string, Promise<Buffer>>();
  let cacheBytes = 0;
  const counters = { hits: 0, misses: 0, revalidated: 0 };

  const remove = (key: string): void => {
    const entry = cache.get(key);
    if (!entry) return;
    cache.delete(key);
    cacheBytes -= entry.body.length;
  };

  const store = (key: string, entry: CacheEntry): void => {
    remove(key);
    if (maxEntries <= 0 || entry.body.length > maxCacheBytes) return;
    cache.set(key, entry);
    cacheBytes += entry.body.length;
    for (const oldest of cache.keys()) {
      if (cache.size <= maxEntries && cacheBytes <= maxCacheBytes) break;
      remove(oldest);
    }
  };

  const load = async (key: string): Promise<Buffer> => {
    const cached = cache.get(key);
    if (cached && now() < cached.expiresAt) {
      counters.hits++;
      cache.delete(key);
      cache.set(key, cached);
      return cached.body;
    }
    counters.misses++;

    const revalidate = cached?.etag !== undefined;
    if (cached && !revalidate) remove(key);
    const headers: Record<string, string> = { accept: ACCEPT };
    if (revalidate) headers['if-none-match'] = cached!.etag!;

    const res = await safeRequest(key, { ...requestOptions, headers });

    if (res.status === 304 && revalidate) {
      counters.revalidated++;
      const cacheControl = header(res.headers, 'cache-control') ?? cached!.cacheControl;
      const fresh = freshnessFrom(cacheControl, header(res.headers, 'age'), defaultTtlMs);
      if (fresh.store) {
        store(key, { ...cached!, cacheControl, expiresAt: now() + fresh.ttlMs });
      } else {
        remove(key);
      }
      return cached!.body;
    }
    if (res.status < 200 || res.status >= 300) {
      if (revalidate) remove(key);
      throw httpStatusError(res.status, res.finalUrl);
    }

    const cacheControl = header(res.headers, 'cache-control');
    const etag = header(res.headers, 'etag');
    const fresh = freshnessFrom(cacheControl, header(res.headers, 'age'), defaultTtlMs);
    // An entry with no freshness is only worth keeping if it can be revalidated cheaply.
    if (fresh.store && (fresh.ttlMs > 0 || etag !== undefined)) {
      store(key, { body: res.body, etag, cacheControl, expiresAt: now() + fresh.ttlMs });
    } else {
      remove(key);
    }
    return res.body;
  };

  return {
    async fetch(url: string): Promise<Buffer> {
      const key = parseTargetUrl(url).href;
      let pending = inflight.get(key);
      if (!pending) {
        pending = load(key).finally(() => inflight.delete(key));
        inflight.set(key, pending);
      }
      // Callers get their own copy so one of them mutating its buffer cannot alter the cache or
      // another render (renders must be deterministic).
      return Buffer.from(await pending);
    },
    stats: () => ({ entries: cache.size, bytes: cacheBytes, ...counters }),
    clear: () => {
      cache.clear();
      cacheBytes = 0;
    },
  };
}
