import { Inject, Injectable, Logger, Optional, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { Metrics } from '../health/metrics.js';

/** The window of every budget: the limit is per minute. */
const WINDOW_SECONDS = 60;
/** One warning per this long while Redis stays unreachable; the counter keeps the exact number. */
const FAIL_OPEN_LOG_EVERY_MS = 10_000;
/** How long start-up waits for the limiter's Redis before going on without it (failing open until it is there). */
const START_WAIT_MS = 2000;
/**
 * Keys whose limit is at least this are served from leases (see consumeLeased); smaller limits
 * are counted in Redis request by request, exactly.
 */
export const LEASE_FROM_LIMIT = 200;
/** A lease is this share of the key's limit (1/100), at most MAX_LEASE points. */
const LEASE_DIVISOR = 100;
const MAX_LEASE = 1000;
/** Far above any real number of keys active in one minute on one process; only bounds memory. */
const MAX_LEASES = 10_000;

/** The points a process may take from Redis at once for a key with this limit (1: no leasing). */
export function leaseSize(limit: number): number {
  return limit < LEASE_FROM_LIMIT ? 1 : Math.min(MAX_LEASE, Math.floor(limit / LEASE_DIVISOR));
}

/** Points this process took from a key's current window in Redis and has not spent yet. */
interface Lease {
  limit: number;
  tokens: number;
  /** What Redis said was left in the window after the last reservation. */
  redisRemaining: number;
  windowEndsAt: number;
  /** The reservation in flight, which the key's other requests wait for instead of making their own. */
  reserving?: Promise<unknown>;
}

export type RateDecision =
  | { kind: 'unlimited' }
  /** Redis did not answer in time or failed: the request passes, without RateLimit-* headers. */
  | { kind: 'failed-open' }
  | { kind: 'allowed' | 'limited'; limit: number; remaining: number; resetSeconds: number };

/** The IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers), Reset in seconds. */
export function rateLimitHeaders(d: Extract<RateDecision, { limit: number }>): Record<string, string> {
  return { 'RateLimit-Limit': String(d.limit), 'RateLimit-Remaining': String(d.remaining), 'RateLimit-Reset': String(d.resetSeconds) };
}

function limited(limit: number, msBeforeNext: number): RateDecision {
  return { kind: 'limited', limit, remaining: 0, resetSeconds: Math.max(1, Math.ceil(msBeforeNext / 1000)) };
}

/**
 * Per-key budgets shared by every API process: a fixed one-minute window per key in Redis
 * (rate-limiter-flexible's RateLimiterRedis, one atomic script call per request). The limiter
 * has its own connection with no offline queue and a command timeout, so a slow or absent Redis
 * costs a request at most RATE_LIMIT_REDIS_TIMEOUT_MS and then lets it through (fail open):
 * refusing every request because the limiter's store is down would turn a Redis incident into a
 * full outage. Each fail-open is logged (throttled) and counted in `failOpenTotal` and on /metrics (imtegrate_rate_limit_fail_open_total).
 *
 * A key with a large limit (LEASE_FROM_LIMIT and up) costs one Redis call per lease instead of one
 * per request: see consumeLeased.
 */
@Injectable()
export class RateLimiter implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RateLimiter.name);
  private redis?: Redis;
  /** One limiter per distinct limit; all share the key prefix, so a key's count survives a change of its limit. */
  private readonly limiters = new Map<number, RateLimiterRedis>();
  private readonly leases = new Map<string, Lease>();
  private lastFailLog = 0;
  /** Requests let through because the limiter's Redis failed or was too slow (since start). */
  failOpenTotal = 0;
  /** Calls made to the limiter's Redis (since start): one per request for small limits, one per lease for large ones. */
  redisCalls = 0;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    // Optional: the admin CLI builds the limiter without a metrics registry.
    @Optional() private readonly metrics?: Metrics,
  ) {}

  /**
   * Connects at start-up (waiting a moment for it, never failing start-up), so the first requests
   * are counted rather than let through while the connection is still being made.
   */
  async onModuleInit(): Promise<void> {
    const client = this.client();
    if (client.status === 'ready') return;
    await new Promise<void>((res) => {
      const done = (): void => {
        clearTimeout(timer);
        client.off('ready', done);
        res();
      };
      const timer = setTimeout(done, START_WAIT_MS);
      client.once('ready', done);
    });
  }

  onModuleDestroy(): void {
    this.redis?.disconnect();
  }

  /** The limit that applies to a key: its own (0 = unlimited), else the default. */
  limitFor(keyLimit: number | null): number {
    return keyLimit ?? this.config.rateLimit.perMinute;
  }

  async consume(keyId: string, keyLimit: number | null, cost: number): Promise<RateDecision> {
    const limit = this.limitFor(keyLimit);
    if (limit === 0) return { kind: 'unlimited' };
    // A render costs more than a small budget holds; capped so such a key can still make one a minute.
    const points = Math.min(cost, limit);
    const batch = leaseSize(limit);
    if (batch > 1) return this.consumeLeased(keyId, limit, points, batch);
    const got = await this.reserve(keyId, limit, points);
    if (got.kind !== 'reserved') return got.kind === 'limited' ? limited(limit, got.msBeforeNext) : got;
    return { kind: 'allowed', limit, remaining: got.remaining, resetSeconds: Math.ceil(got.msBeforeNext / 1000) };
  }

  /**
   * The process takes points from the key's window in Redis a lease at a time (1% of the limit)
   * and spends them locally until they run out or the window ends, so a busy key costs one Redis
   * call per lease. No process ever spends points Redis did not give it, so the limit holds
   * across processes; what leasing changes is that points leased but not spent by the end of the
   * window are lost, so a key used from P processes may be refused up to (P - 1) leases early.
   * Near the window's end (less than two leases left) reservations shrink to the request's own
   * cost, so the last points are not leased away into an idle process.
   */
  private async consumeLeased(keyId: string, limit: number, points: number, batch: number): Promise<RateDecision> {
    for (let attempt = 0; ; attempt++) {
      const now = Date.now();
      let lease = this.leases.get(keyId);
      if (lease && lease.reserving === undefined && (lease.limit !== limit || lease.windowEndsAt <= now)) {
        this.leases.delete(keyId);
        lease = undefined;
      }
      if (lease && lease.tokens >= points && lease.windowEndsAt > now) {
        lease.tokens -= points;
        return { kind: 'allowed', limit, remaining: lease.redisRemaining + lease.tokens, resetSeconds: Math.ceil((lease.windowEndsAt - now) / 1000) };
      }
      // Another request of this key is reserving already: take from its lease (twice at most, then reserve for ourselves).
      if (lease?.reserving !== undefined && attempt < 2) {
        await lease.reserving;
        continue;
      }
      if (!lease) {
        if (this.leases.size >= MAX_LEASES) this.leases.delete(this.leases.keys().next().value as string);
        lease = { limit, tokens: 0, redisRemaining: limit, windowEndsAt: 0 };
        this.leases.set(keyId, lease);
      }
      const current = lease;
      const known = current.windowEndsAt > now;
      const want = known && current.redisRemaining < 2 * batch ? points : Math.max(points, batch);
      const reservation = this.reserve(keyId, limit, want);
      current.reserving = reservation;
      const got = await reservation;
      current.reserving = undefined;
      if (got.kind === 'failed-open') return got;
      const endsAt = Date.now() + got.msBeforeNext;
      // Tokens of a window that ended while the call was out are not this window's.
      if (current.windowEndsAt <= now || endsAt > current.windowEndsAt + 1000) current.tokens = 0;
      current.windowEndsAt = endsAt;
      if (got.kind === 'limited') {
        current.redisRemaining = 0;
        // What is left of earlier leases still pays for requests it covers.
        if (current.tokens >= points) continue;
        return limited(limit, got.msBeforeNext);
      }
      current.redisRemaining = got.remaining;
      current.tokens += want - points;
      return { kind: 'allowed', limit, remaining: current.redisRemaining + current.tokens, resetSeconds: Math.ceil(got.msBeforeNext / 1000) };
    }
  }

  /** One consume of `points` in Redis. */
  private async reserve(
    keyId: string,
    limit: number,
    points: number,
  ): Promise<{ kind: 'reserved'; remaining: number; msBeforeNext: number } | { kind: 'limited'; msBeforeNext: number } | { kind: 'failed-open' }> {
    this.redisCalls++;
    try {
      const res = await this.limiter(limit).consume(keyId, points);
      return { kind: 'reserved', remaining: res.remainingPoints, msBeforeNext: res.msBeforeNext };
    } catch (err) {
      if (err instanceof RateLimiterRes) return { kind: 'limited', msBeforeNext: err.msBeforeNext };
      this.failOpen(err);
      return { kind: 'failed-open' };
    }
  }

  /**
   * The rest of a request's cost once it is known (a batch learns its size after matching):
   * `total` less what the guard took at the door, both capped at the limit as consume() caps
   * one charge, so a batch costs what a collection of the same size costs. Null when nothing more is due.
   */
  async consumeMore(keyId: string, keyLimit: number | null, charged: number, total: number): Promise<RateDecision | null> {
    const limit = this.limitFor(keyLimit);
    if (limit === 0) return null;
    const more = Math.min(total, limit) - Math.min(charged, limit);
    return more > 0 ? this.consume(keyId, keyLimit, more) : null;
  }

  private failOpen(err: unknown): void {
    this.failOpenTotal++;
    this.metrics?.rateLimitFailOpen.inc();
    const now = Date.now();
    if (now - this.lastFailLog >= FAIL_OPEN_LOG_EVERY_MS) {
      this.lastFailLog = now;
      this.logger.warn(`rate limiter unavailable, letting requests through (fail open; ${this.failOpenTotal} so far): ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private limiter(points: number): RateLimiterRedis {
    let l = this.limiters.get(points);
    if (!l) {
      l = new RateLimiterRedis({
        storeClient: this.client(),
        keyPrefix: `${this.config.queuePrefix}:ratelimit`,
        points,
        duration: WINDOW_SECONDS,
        // Without a connection, refuse at once instead of queueing the command.
        rejectIfRedisNotReady: true,
      });
      this.limiters.set(points, l);
    }
    return l;
  }

  private client(): Redis {
    this.redis ??= this.connect();
    return this.redis;
  }

  private connect(): Redis {
    const { redis, redisTimeoutMs } = this.config.rateLimit;
    const client = new Redis({
      ...redis,
      enableOfflineQueue: false,
      commandTimeout: redisTimeoutMs,
      connectTimeout: Math.max(1000, redisTimeoutMs),
      maxRetriesPerRequest: 0,
      // Keep trying in the background, never more often than once a second.
      retryStrategy: (times: number) => Math.min(times * 200, 1000),
    });
    // Failures surface as rejected commands (counted above); the socket's own errors would repeat every retry.
    client.on('error', () => undefined);
    return client;
  }
}
