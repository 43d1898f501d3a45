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

export type RateDecision =
  | { kind: 'unlimited' }
  /** Redis did not answer in time or failed: the request passes, without RateLimit-* headers. */
  | { kind: 'failed-open' }
  | { kind: 'allowed' | 'limited'; limit: number; remaining: number; resetSeconds: number };

/** The IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers), Reset in seconds. */
export function rateLimitHeaders(d: Extract<RateDecision, { limit: number }>): Record<string, string> {
  return { 'RateLimit-Limit': String(d.limit), 'RateLimit-Remaining': String(d.remaining), 'RateLimit-Reset': String(d.resetSeconds) };
}

/**
 * Per-key budgets shared by every API process: a fixed one-minute window per key in Redis
 * (rate-limiter-flexible's RateLimiterRedis, one atomic script call per request). The limiter
 * has its own connection with no offline queue and a command timeout, so a slow or absent Redis
 * costs a request at most RATE_LIMIT_REDIS_TIMEOUT_MS and then lets it through (fail open):
 * refusing every request because the limiter's store is down would turn a Redis incident into a
 * full outage. Each fail-open is logged (throttled) and counted in `failOpenTotal` and on /metrics (imtegrate_rate_limit_fail_open_total).
 */
@Injectable()
export class RateLimiter implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RateLimiter.name);
  private redis?: Redis;
  /** One limiter per distinct limit; all share the key prefix, so a key's count survives a change of its limit. */
  private readonly limiters = new Map<number, RateLimiterRedis>();
  private lastFailLog = 0;
  /** Requests let through because the limiter's Redis failed or was too slow (since start). */
  failOpenTotal = 0;

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
    try {
      const res = await this.limiter(limit).consume(keyId, points);
      return { kind: 'allowed', limit, remaining: res.remainingPoints, resetSeconds: Math.ceil(res.msBeforeNext / 1000) };
    } catch (err) {
      if (err instanceof RateLimiterRes) return { kind: 'limited', limit, remaining: 0, resetSeconds: Math.max(1, Math.ceil(err.msBeforeNext / 1000)) };
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
