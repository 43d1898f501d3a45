import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig, signingSecretProblem } from './config.js';

const secret = 'a3f9c2e7b1d84f6a9c0e2b5d7f1a3c8e6b4d2f0a';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig({ SIGNING_SECRET: secret });
    expect(c).toMatchObject({
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/imtegrate',
      redis: { host: '127.0.0.1', port: 6379, db: 0 },
      queuePrefix: 'imtegrate',
      port: 3000,
      publicBaseUrl: 'http://localhost:3000',
      storage: { driver: 'local' },
      signedUrlTtlSeconds: 3600,
    });
    expect(c.workerConcurrency).toBeGreaterThanOrEqual(1);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('is frozen all the way down, so no part of the process can change a setting after start-up', () => {
    const unfrozen = (v: unknown, path: string): string[] =>
      v !== null && typeof v === 'object'
        ? [...(Object.isFrozen(v) ? [] : [path]), ...Object.entries(v).flatMap(([k, c]) => unfrozen(c, `${path}.${k}`))]
        : [];
    const local = loadConfig({ SIGNING_SECRET: secret, FETCH_ALLOW_CIDRS: '127.0.0.0/8' });
    const s3 = loadConfig({ SIGNING_SECRET: secret, STORAGE_DRIVER: 's3', S3_BUCKET: 'renders', REDIS_URL: 'redis://:pw@r:6380/1' });
    expect(s3.storage.s3).toBeDefined();
    expect([...unfrozen(local, 'config'), ...unfrozen(s3, 'config')]).toEqual([]);
    expect(() => {
      (s3.queue as { attempts: number }).attempts = 99;
    }).toThrow(TypeError);
  });

  it('reads the rate-limit, key-cache and last-used settings, the limiter on REDIS_URL unless told otherwise', () => {
    expect(loadConfig({ SIGNING_SECRET: secret, REDIS_URL: 'redis://10.0.0.5:6380/2' })).toMatchObject({
      rateLimit: { perMinute: 600, redis: { host: '10.0.0.5', port: 6380, db: 2 }, redisTimeoutMs: 100 },
      maxPendingRendersPerOrg: 10_000,
      apiKeyCacheTtlMs: 30_000,
      lastUsedFlushMs: 5000,
    });
    const c = loadConfig({ SIGNING_SECRET: secret, RATE_LIMIT_PER_MINUTE: '0', RATE_LIMIT_REDIS_URL: 'redis://127.0.0.1:7000/1', MAX_PENDING_RENDERS_PER_ORG: '0' });
    expect(c.rateLimit).toMatchObject({ perMinute: 0, redis: { host: '127.0.0.1', port: 7000, db: 1 } });
    expect(c.maxPendingRendersPerOrg).toBe(0);
    expect(() => loadConfig({ SIGNING_SECRET: secret, RATE_LIMIT_PER_MINUTE: '-1', RATE_LIMIT_REDIS_TIMEOUT_MS: '0', RATE_LIMIT_REDIS_URL: 'http://x' })).toThrow(
      /RATE_LIMIT_PER_MINUTE[\s\S]*RATE_LIMIT_REDIS_URL must use redis:[\s\S]*RATE_LIMIT_REDIS_TIMEOUT_MS/,
    );
  });

  it('reads the operational credentials: metrics token, queue dashboard user and password (both or neither)', () => {
    const off = loadConfig({ SIGNING_SECRET: secret });
    expect({ token: off.metricsToken, dashboard: off.queueDashboard, level: off.logLevel }).toEqual({ token: null, dashboard: null, level: 'log' });
    const on = loadConfig({ SIGNING_SECRET: secret, METRICS_TOKEN: 'scrape-token-1234', QUEUE_DASHBOARD_USER: 'ops', QUEUE_DASHBOARD_PASSWORD: 'pw-5678', LOG_LEVEL: 'info' });
    expect({ token: on.metricsToken, dashboard: on.queueDashboard, level: on.logLevel }).toEqual({ token: 'scrape-token-1234', dashboard: { user: 'ops', password: 'pw-5678' }, level: 'log' });
    expect(loadConfig({ SIGNING_SECRET: secret, LOG_LEVEL: 'trace' }).logLevel).toBe('verbose');
    let problems: string[] = [];
    try {
      loadConfig({ SIGNING_SECRET: secret, QUEUE_DASHBOARD_USER: 'ops', METRICS_TOKEN: 'has space', LOG_LEVEL: 'chatty' });
    } catch (err) {
      problems = (err as ConfigError).problems;
    }
    expect(problems).toEqual([
      'LOG_LEVEL must be one of log, error, warn, debug, verbose (got "chatty")',
      'METRICS_TOKEN must be printable ASCII without spaces',
      'QUEUE_DASHBOARD_USER and QUEUE_DASHBOARD_PASSWORD must be set together (or neither: the dashboard is off)',
    ]);
    expect(() => loadConfig({ SIGNING_SECRET: secret, QUEUE_DASHBOARD_USER: 'a:b', QUEUE_DASHBOARD_PASSWORD: 'x' })).toThrow('must not contain ":"');
  });

  it('reads the per-render budgets, defaulting to the renderer\'s own, and refuses nonsense', () => {
    expect(loadConfig({ SIGNING_SECRET: secret }).render).toMatchObject({ maxDecodedPixels: 100_000_000, maxDecodedBytes: 100 * 1024 * 1024 });
    const set = loadConfig({ SIGNING_SECRET: secret, RENDER_MAX_DECODED_PIXELS: '5000000', RENDER_MAX_DECODED_BYTES: '1048576' });
    expect(set.render).toMatchObject({ maxDecodedPixels: 5_000_000, maxDecodedBytes: 1_048_576 });
    expect(() => loadConfig({ SIGNING_SECRET: secret, RENDER_MAX_DECODED_PIXELS: 'lots', RENDER_MAX_DECODED_BYTES: '0' })).toThrow(
      /RENDER_MAX_DECODED_PIXELS must be an integer[\s\S]*RENDER_MAX_DECODED_BYTES must be between 1/,
    );
  });

  it('reads the pending-video cap (0 = no cap)', () => {
    expect(loadConfig({ SIGNING_SECRET: secret }).maxPendingVideosPerOrg).toBe(100);
    expect(loadConfig({ SIGNING_SECRET: secret, MAX_PENDING_VIDEOS_PER_ORG: '0' }).maxPendingVideosPerOrg).toBe(0);
    expect(() => loadConfig({ SIGNING_SECRET: secret, MAX_PENDING_VIDEOS_PER_ORG: 'many' })).toThrow(/MAX_PENDING_VIDEOS_PER_ORG must be an integer/);
  });

  it('reads the event-rule limits: rules per organisation (0 = no cap), the shortest schedule interval, the retention', () => {
    expect(loadConfig({ SIGNING_SECRET: secret }).eventRules).toEqual({ maxPerOrg: 100, minScheduleIntervalSeconds: 60, retentionDays: 90 });
    expect(
      loadConfig({ SIGNING_SECRET: secret, MAX_EVENT_RULES_PER_ORG: '0', EVENT_SCHEDULE_MIN_INTERVAL_SECONDS: '1', EVENT_RETENTION_DAYS: '7' }).eventRules,
    ).toEqual({ maxPerOrg: 0, minScheduleIntervalSeconds: 1, retentionDays: 7 });
    expect(() => loadConfig({ SIGNING_SECRET: secret, MAX_EVENT_RULES_PER_ORG: '-1', EVENT_SCHEDULE_MIN_INTERVAL_SECONDS: '0' })).toThrow(
      /MAX_EVENT_RULES_PER_ORG must be an integer between 0 and 1000000 \(got "-1"\)[\s\S]*EVENT_SCHEDULE_MIN_INTERVAL_SECONDS must be between 1/,
    );
  });

  it('parses REDIS_URL with database and password', () => {
    const c = loadConfig({ SIGNING_SECRET: secret, REDIS_URL: 'redis://:p%40ss@redis.internal:6380/3' });
    expect(c.redis).toEqual({ host: 'redis.internal', port: 6380, db: 3, password: 'p@ss' });
  });

  it('names every bad variable at once', () => {
    let err: unknown;
    try {
      loadConfig({ SIGNING_SECRET: 'short', PORT: 'eighty', REDIS_URL: 'http://x', STORAGE_DRIVER: 'ftp', WORKER_CONCURRENCY: '0' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const text = (err as ConfigError).problems.join('\n');
    for (const name of ['SIGNING_SECRET', 'PORT', 'REDIS_URL', 'STORAGE_DRIVER', 'WORKER_CONCURRENCY']) expect(text).toContain(name);
  });

  it('requires S3_BUCKET when STORAGE_DRIVER=s3', () => {
    let err: unknown;
    try {
      loadConfig({ SIGNING_SECRET: secret, STORAGE_DRIVER: 's3', S3_ACCESS_KEY_ID: 'AKIA' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const text = (err as ConfigError).problems.join('\n');
    expect(text).toContain('S3_BUCKET');
    // Reported together with the other S3 problem, not one restart at a time.
    expect(text).toContain('S3_SECRET_ACCESS_KEY');
  });

  it('reads the S3 settings, with path-style on by default for a custom endpoint', () => {
    const aws = loadConfig({ SIGNING_SECRET: secret, STORAGE_DRIVER: 's3', S3_BUCKET: 'renders' });
    expect(aws.storage.s3).toEqual({ bucket: 'renders', region: 'us-east-1', forcePathStyle: false });

    const minio = loadConfig({
      SIGNING_SECRET: secret,
      STORAGE_DRIVER: 's3',
      S3_BUCKET: 'renders',
      S3_REGION: 'auto',
      S3_ENDPOINT: 'http://127.0.0.1:9000/',
      S3_ACCESS_KEY_ID: 'key',
      S3_SECRET_ACCESS_KEY: 'secret',
      S3_PREFIX: '/prod/imtegrate/',
    });
    expect(minio.storage.s3).toEqual({
      bucket: 'renders',
      region: 'auto',
      endpoint: 'http://127.0.0.1:9000',
      forcePathStyle: true,
      accessKeyId: 'key',
      secretAccessKey: 'secret',
      prefix: 'prod/imtegrate',
    });
    expect(loadConfig({ SIGNING_SECRET: secret, STORAGE_DRIVER: 's3', S3_BUCKET: 'b12', S3_ENDPOINT: 'https://r2.example', S3_FORCE_PATH_STYLE: 'false' }).storage.s3?.forcePathStyle).toBe(false);
    expect(loadConfig({ SIGNING_SECRET: secret, S3_BUCKET: 'ignored' }).storage.s3).toBeUndefined();
    expect(() => loadConfig({ SIGNING_SECRET: secret, STORAGE_DRIVER: 's3', S3_BUCKET: 's3://renders', S3_PREFIX: 'a/../b', S3_FORCE_PATH_STYLE: 'maybe' })).toThrow(
      /S3_BUCKET[\s\S]*S3_FORCE_PATH_STYLE[\s\S]*S3_PREFIX/,
    );
  });

  it('refuses a short SIGNING_SECRET', () => {
    expect(() => loadConfig({ SIGNING_SECRET: 'short' })).toThrow(/SIGNING_SECRET/);
  });

  it('generates and then reuses a signing secret under VAR_DIR', () => {
    const dir = mkdtempSync(join(tmpdir(), 'imtegrate-config-'));
    const first = loadConfig({ VAR_DIR: dir });
    expect(first.signingSecret).toMatch(/^[0-9a-f]{64}$/);
    expect(readFileSync(join(dir, 'signing-secret'), 'utf8')).toBe(first.signingSecret);
    expect(loadConfig({ VAR_DIR: dir }).signingSecret).toBe(first.signingSecret);
  });

  describe('signing secret', () => {
    const problemsOf = (env: Record<string, string>): string => {
      try {
        loadConfig(env);
      } catch (e) {
        return (e as ConfigError).problems.join('\n');
      }
      return '';
    };

    it.each([
      ['empty', '', 'SIGNING_SECRET is empty'],
      ['short', 'a1b2c3d4e5f6', 'at least 32 characters'],
      ['the old compose default', 'change-me-to-a-long-random-secret-value-0123456789', 'placeholder'],
      ['a placeholder word', 'this-is-an-example-secret-value-of-enough-length', 'placeholder'],
      ['one repeated character', 'x'.repeat(64), 'distinct characters'],
    ])('refuses a %s secret from the environment', (_label, value, message) => {
      expect(problemsOf({ SIGNING_SECRET: value })).toContain(message);
    });

    it('refuses a bad secret file, naming it', () => {
      const dir = mkdtempSync(join(tmpdir(), 'cfg-secret-'));
      for (const [content, message] of [
        ['', 'is empty'],
        ['short\n', 'at least 32 characters'],
        ['changeme-changeme-changeme-changeme', 'placeholder'],
      ] as const) {
        writeFileSync(join(dir, 'signing-secret'), content);
        const text = problemsOf({ VAR_DIR: dir });
        expect(text).toContain(join(dir, 'signing-secret'));
        expect(text).toContain(message);
      }
    });

    it('accepts a random secret and generates one when none is set', () => {
      expect(problemsOf({ SIGNING_SECRET: randomBytes(32).toString('hex') })).toBe('');
      const dir = mkdtempSync(join(tmpdir(), 'cfg-secret-'));
      expect(signingSecretProblem(loadConfig({ VAR_DIR: dir }).signingSecret)).toBeUndefined();
    });
  });
});
