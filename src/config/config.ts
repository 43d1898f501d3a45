import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { trimChar } from '../common/strings.js';

/** The one typed, frozen view of the environment. Nothing else reads process.env. */
export interface AppConfig {
  readonly nodeEnv: 'development' | 'production' | 'test';
  readonly databaseUrl: string;
  readonly redis: { readonly host: string; readonly port: number; readonly db: number; readonly password?: string };
  readonly queuePrefix: string;
  readonly port: number;
  readonly host: string;
  readonly publicBaseUrl: string;
  readonly signingSecret: string;
  /** Local state of a dev install: the generated signing secret and the demo key. */
  readonly varDir: string;
  readonly storage: { readonly driver: 'local' | 's3'; readonly dir: string; readonly s3?: S3Config };
  readonly workerConcurrency: number;
  readonly workerHealthPort: number | null;
  /** On SIGTERM a worker stops taking jobs and lets running ones finish for this long, then exits anyway. */
  readonly workerShutdownGraceMs: number;
  readonly maxJsonBodyBytes: number;
  /** JSON values (scalars, arrays, objects) a body may hold; a well-formed body with more is a 413. */
  readonly maxJsonBodyValues: number;
  /** JSON bodies of at least this many bytes are parsed in a thread (JsonBodyPool), not on the event loop. */
  readonly jsonBodyThreadMinBytes: number;
  readonly logLevel: 'error' | 'warn' | 'log' | 'debug' | 'verbose';
  /** The API's log lines are buffered (up to 4 KiB) and written at least this often; 0 writes every line at once. */
  readonly logFlushMs: number;
  /** Bearer token GET /metrics requires (API and worker health port); null: metrics are open. */
  readonly metricsToken: string | null;
  /** Basic-auth credentials of bull-board at /admin/queues; null: the dashboard is off (404). */
  readonly queueDashboard: { readonly user: string; readonly password: string } | null;
  /** CIDRs that outbound fetches may reach although the address policy forbids them (tests, dev). */
  readonly fetchAllowCidrs: readonly string[];
  readonly signedUrlTtlSeconds: number;
  /** How long a request holding an Idempotency-Key may take before a retry may take the key over. */
  readonly idempotencyLeaseMs: number;
  readonly queue: {
    /** How long a worker's job lock lives without renewal; a killed worker's job is retried after it. */
    readonly lockDurationMs: number;
    readonly stalledIntervalMs: number;
    /** Attempts for transient failures (remote image timeouts, storage hiccups). */
    readonly attempts: number;
    readonly backoffMs: number;
    /** A render pending this long is checked for a live job (re-driven without one); also the window for leaseless rendering rows. */
    readonly sweepAfterMs: number;
    /** A rendering execution renews its lease this long ahead (every third of it); a lapsed lease is re-driven. */
    readonly renderLeaseMs: number;
    /** How often the reconciler (render sweeper) looks for lost renders. */
    readonly sweepIntervalMs: number;
    /** Every Redis call on a request or relay path gives up after this long (Redis down only delays work). */
    readonly commandTimeoutMs: number;
  };
  /** The transactional outbox relay. */
  readonly outbox: {
    /** How often each process's relay looks for records it was not woken for. */
    readonly pollMs: number;
    /** Sent records are deleted after this long. */
    readonly retentionMs: number;
  };
  /** Multiplies the webhook retry schedule (1 min ... 12 h); tests shrink it. */
  readonly webhookRetryScale: number;
  /** Finished webhook deliveries (succeeded or failed) stay listable this many days, then the worker deletes them. */
  readonly webhookDeliveryRetentionDays: number;
  /** The delivery sweeper: every intervalMs, pending deliveries overdue by afterMs with no live job are queued again. */
  readonly webhookSweep: { readonly afterMs: number; readonly intervalMs: number };
  /** Outbound fetch limits for remote images. */
  readonly fetch: { readonly timeoutMs: number; readonly maxBytes: number; readonly maxRedirects: number };
  /** What one POST may make the API fetch before it is accepted (remote image_url pre-flight). */
  readonly preflight: { readonly maxUrls: number; readonly maxTotalBytes: number; readonly concurrency: number; readonly perOrg: number };
  /** Render thread pool limits. */
  readonly render: {
    /** A render running longer is stopped (its thread terminated) and fails with render_timeout. */
    readonly timeoutMs: number;
    /** V8 heap limit per render thread, so one runaway render cannot take the process down. */
    readonly threadMaxMemoryMb: number;
    /** Renders that may wait for a thread; more fail at once with render_busy. */
    readonly maxQueue: number;
    /**
     * Pixels one render may decode, summed over every image it draws and every image nested in
     * its SVGs (read from headers first); more fail with render_pixel_budget_exceeded.
     */
    readonly maxDecodedPixels: number;
    /** Bytes of one render's sources (images, fonts, SVG data: URIs); more fail with render_bytes_budget_exceeded. */
    readonly maxDecodedBytes: number;
    /** Uploaded fonts registered at once per render thread; the least recently used are unregistered. */
    readonly fontCacheMax: number;
  };
  /** Per-key request budgets, shared by every API process through Redis (src/rate-limit/). */
  readonly rateLimit: {
    /** Points per key per minute when the key sets none; 0 turns limiting off. A read costs 1, a write 2, a render 10. */
    readonly perMinute: number;
    /** The limiter's own Redis (defaults to REDIS_URL): its calls fail fast and open on their own connection. */
    readonly redis: { readonly host: string; readonly port: number; readonly db: number; readonly password?: string };
    /** A limiter call slower than this counts as Redis being unreachable: the request passes (fail open). */
    readonly redisTimeoutMs: number;
  };
  /** Renders an organisation may have waiting (status pending); POST /v1/images answers 429 beyond. 0 = no cap. */
  readonly maxPendingRendersPerOrg: number;
  /** Videos an organisation may have waiting (status pending); POST /v1/videos answers 429 beyond. 0 = no cap. */
  readonly maxPendingVideosPerOrg: number;
  /** Templates one POST /v1/collections may name (at most COLLECTION_TEMPLATES_CEILING). */
  readonly collectionMaxTemplates: number;
  /** People one POST /v1/people/renders may match (at most PEOPLE_BATCH_CEILING); 400 beyond. */
  readonly peopleBatchMax: number;
  /** The API's in-process cache of verified keys; revocations reach it at once through Redis pub/sub. 0 = no cache. */
  readonly apiKeyCacheTtlMs: number;
  /** last_used_at is collected in memory and written in one UPDATE this often. */
  readonly lastUsedFlushMs: number;
  /** Event ingestion (POST /v1/ingest/{source_id}): no API key, so its own bounds. */
  readonly ingest: {
    /** Larger event bodies are refused with 413 before their signature is checked. */
    readonly maxBodyBytes: number;
    /** Requests per event source per minute (0 = unlimited); more get 429. */
    readonly perSourcePerMinute: number;
  };
  /** Keyframes one template layer may carry (more is a 400 at save and publish). */
  readonly templateMaxKeyframes: number;
  /** Event rules (POST /v1/event-rules). */
  readonly eventRules: {
    /** Rules one organisation may have (400 too_many_rules beyond); 0 = no cap. */
    readonly maxPerOrg: number;
    /** The shortest time a rule's schedule may leave between two ticks (400 naming schedule.cron below). */
    readonly minScheduleIntervalSeconds: number;
    /** Ingested events and rule runs are deleted by the worker this many days after they were recorded. */
    readonly retentionDays: number;
  };
  /** Video renders (POST /v1/videos, their own queue and processor). */
  readonly video: {
    /** A video still rendering after this long is stopped and fails with video_timeout. */
    readonly timeoutMs: number;
    /** Frames x output pixels one video may have (duration x fps x width x height); more is a 400. */
    readonly maxFramePixels: number;
    /** Videos one worker renders at once (each runs one ffmpeg). */
    readonly concurrency: number;
    /** The ffmpeg executable. */
    readonly ffmpegPath: string;
  };
  /** GET /v1/images/{id} and GET /v1/images of a cached key answered beside Express and Nest (see http/fast-lane.ts). */
  readonly readFastLane: boolean;
  /** Upload inspection threads in the API (InspectPool): sniffing, font parsing, the SVG check. */
  readonly inspect: {
    readonly poolSize: number;
    /** A scan running longer is stopped (its thread terminated) and the upload refused. */
    readonly timeoutMs: number;
    /** Uploads that may wait for an inspection thread; more are answered 503 at once. */
    readonly maxQueue: number;
    /**
     * Nice value of the API's inspection, JSON and preview render threads and of libvips' threads (Linux), so
     * the event loop's thread gets the CPU first when cores are scarce; 0 leaves them alone.
     */
    readonly threadNice: number;
  };
}

/** Present exactly when STORAGE_DRIVER=s3. */
export interface S3Config {
  readonly bucket: string;
  readonly region: string;
  /** For S3-compatible stores (MinIO, R2, ...); unset means AWS. */
  readonly endpoint?: string;
  /** Defaults to true when an endpoint is given (most compatible stores lack virtual hosts). */
  readonly forcePathStyle: boolean;
  /** Both or neither; neither means the AWS SDK's default credential chain. */
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
  /** Without leading or trailing slashes; keys are stored as "<prefix>/<key>". */
  readonly prefix?: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

type Env = Record<string, string | undefined>;

/** Defaults of the settings that have a literal one (the README table shows each; a test compares). */
/** The schema's bound on a collection's templates (the DTO's maxItems); COLLECTION_MAX_TEMPLATES may only lower it. */
export const COLLECTION_TEMPLATES_CEILING = 500;
/** The bound on a batch render's people (and its filter's external_ids); PEOPLE_BATCH_MAX may only lower it. */
export const PEOPLE_BATCH_CEILING = 10_000;

export const DEFAULTS = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/imtegrate',
  REDIS_URL: 'redis://127.0.0.1:6379/0',
  QUEUE_PREFIX: 'imtegrate',
  PORT: '3000',
  HOST: '0.0.0.0',
  PUBLIC_BASE_URL: 'http://localhost:3000',
  STORAGE_DRIVER: 'local',
  STORAGE_DIR: './var/storage',
  MAX_JSON_BODY_BYTES: String(2 * 1024 * 1024),
  MAX_JSON_BODY_VALUES: '20000',
  JSON_BODY_THREAD_MIN_BYTES: String(64 * 1024),
  LOG_LEVEL: 'log',
  LOG_FLUSH_MS: '100',
  FETCH_ALLOW_CIDRS: '',
  SIGNED_URL_TTL_SECONDS: '3600',
  S3_REGION: 'us-east-1',
  QUEUE_LOCK_DURATION_MS: '30000',
  QUEUE_STALLED_INTERVAL_MS: '30000',
  RENDER_ATTEMPTS: '5',
  RENDER_BACKOFF_MS: '1000',
  RENDER_SWEEP_AFTER_MS: '5000',
  RENDER_SWEEP_INTERVAL_MS: '1000',
  RENDER_LEASE_MS: '30000',
  REDIS_COMMAND_TIMEOUT_MS: '2000',
  WORKER_SHUTDOWN_GRACE_MS: '30000',
  IDEMPOTENCY_LEASE_MS: '60000',
  OUTBOX_POLL_MS: '500',
  OUTBOX_RETENTION_MS: String(24 * 3600 * 1000),
  FETCH_TIMEOUT_MS: '10000',
  FETCH_MAX_BYTES: String(15 * 1024 * 1024),
  FETCH_MAX_REDIRECTS: '3',
  PREFLIGHT_MAX_URLS: '20',
  PREFLIGHT_MAX_TOTAL_BYTES: String(50 * 1024 * 1024),
  PREFLIGHT_CONCURRENCY: '4',
  PREFLIGHT_MAX_PER_ORG: '8',
  WEBHOOK_RETRY_SCALE: '1',
  WEBHOOK_DELIVERY_RETENTION_DAYS: '30',
  WEBHOOK_SWEEP_AFTER_MS: '60000',
  WEBHOOK_SWEEP_INTERVAL_MS: '30000',
  RENDER_TIMEOUT_MS: '60000',
  RENDER_THREAD_MAX_MEMORY_MB: '1024',
  RENDER_QUEUE_MAX: '256',
  RENDER_MAX_DECODED_PIXELS: '100000000',
  RENDER_MAX_DECODED_BYTES: String(100 * 1024 * 1024),
  RENDER_FONT_CACHE_MAX: '32',
  RATE_LIMIT_PER_MINUTE: '600',
  RATE_LIMIT_REDIS_TIMEOUT_MS: '100',
  MAX_PENDING_RENDERS_PER_ORG: '10000',
  MAX_PENDING_VIDEOS_PER_ORG: '100',
  COLLECTION_MAX_TEMPLATES: '50',
  PEOPLE_BATCH_MAX: '1000',
  API_KEY_CACHE_TTL_MS: '30000',
  LAST_USED_FLUSH_MS: '5000',
  READ_FAST_LANE: 'true',
  INSPECT_POOL_SIZE: '1',
  INSPECT_TIMEOUT_MS: '3000',
  INSPECT_QUEUE_MAX: '16',
  INGEST_MAX_BODY_BYTES: String(256 * 1024),
  INGEST_RATE_LIMIT_PER_MINUTE: '600',
  TEMPLATE_MAX_KEYFRAMES: '100',
  MAX_EVENT_RULES_PER_ORG: '100',
  EVENT_SCHEDULE_MIN_INTERVAL_SECONDS: '60',
  EVENT_RETENTION_DAYS: '90',
  VIDEO_TIMEOUT_MS: '300000',
  VIDEO_MAX_FRAME_PIXELS: String(1920 * 1080 * 30 * 60),
  VIDEO_CONCURRENCY: '1',
  FFMPEG_PATH: 'ffmpeg',
  INSPECT_THREAD_NICE: '10',
} as const;

function intIn(name: string, raw: string, min: number, max: number, problems: string[]): number {
  if (!/^\d+$/.test(raw.trim())) {
    problems.push(`${name} must be an integer between ${min} and ${max} (got "${raw}")`);
    return min;
  }
  const n = Number(raw);
  if (n < min || n > max) problems.push(`${name} must be between ${min} and ${max} (got ${n})`);
  return n;
}

function urlWith(name: string, raw: string, protocols: string[], problems: string[]): URL | null {
  try {
    const u = new URL(raw);
    if (!protocols.includes(u.protocol)) {
      problems.push(`${name} must use ${protocols.join(' or ')} (got "${u.protocol}")`);
      return null;
    }
    return u;
  } catch {
    problems.push(`${name} is not a valid URL`);
    return null;
  }
}

function redisFrom(name: string, raw: string, problems: string[]): AppConfig['redis'] {
  const url = urlWith(name, raw, ['redis:'], problems);
  if (!url) return { host: '127.0.0.1', port: 6379, db: 0 };
  const dbPart = url.pathname.replace(/^\//, '') || '0';
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? intIn(`${name} port`, url.port, 1, 65535, problems) : 6379,
    db: intIn(`${name} database`, dbPart, 0, 15, problems),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
  };
}

function oneOf<T extends string>(name: string, raw: string, values: readonly T[], problems: string[]): T {
  if ((values as readonly string[]).includes(raw)) return raw as T;
  problems.push(`${name} must be one of ${values.join(', ')} (got "${raw}")`);
  return values[0];
}

/** pino's names for Nest's levels, so either vocabulary works in LOG_LEVEL. */
const LOG_LEVEL_ALIASES: Record<string, string> = { info: 'log', trace: 'verbose' };

/**
 * An optional credential: unset or empty is null. Printable ASCII only (it travels in an HTTP
 * header), bounded, and never echoed in the message: a config error is printed and logged.
 */
function credential(name: string, raw: string | undefined, problems: string[]): string | null {
  if (raw === undefined || raw === '') return null;
  if (raw.length > 1024) problems.push(`${name} must be at most 1024 characters`);
  else if (!/^[\x21-\x7e]+$/.test(raw)) problems.push(`${name} must be printable ASCII without spaces`);
  return raw;
}

function bool(name: string, raw: string, problems: string[]): boolean {
  const v = raw.trim().toLowerCase();
  if (['true', '1', 'yes'].includes(v)) return true;
  if (['false', '0', 'no'].includes(v)) return false;
  problems.push(`${name} must be true or false (got "${raw}")`);
  return false;
}

function loadS3Config(env: Env, problems: string[]): S3Config {
  const bucket = env.S3_BUCKET ?? '';
  if (bucket === '') problems.push('S3_BUCKET is required when STORAGE_DRIVER=s3');
  // Loose on purpose (legacy and compatible stores allow more than today's AWS rules); this
  // catches pasted URLs, "s3://" forms and stray whitespace.
  else if (!/^[A-Za-z0-9][A-Za-z0-9._-]{1,253}[A-Za-z0-9]$/.test(bucket)) {
    problems.push(`S3_BUCKET must be a bare bucket name (got "${bucket}")`);
  }

  const region = env.S3_REGION || DEFAULTS.S3_REGION;
  if (!/^[a-z0-9-]{1,64}$/.test(region)) problems.push(`S3_REGION must look like "us-east-1" or "auto" (got "${region}")`);

  let endpoint: string | undefined;
  if (env.S3_ENDPOINT) {
    endpoint = trimChar(env.S3_ENDPOINT, '/');
    urlWith('S3_ENDPOINT', endpoint, ['http:', 'https:'], problems);
  }
  const forcePathStyle = env.S3_FORCE_PATH_STYLE
    ? bool('S3_FORCE_PATH_STYLE', env.S3_FORCE_PATH_STYLE, problems)
    : endpoint !== undefined;

  const accessKeyId = env.S3_ACCESS_KEY_ID || undefined;
  const secretAccessKey = env.S3_SECRET_ACCESS_KEY || undefined;
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    problems.push('S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY must be set together (or neither, for the default AWS credential chain)');
  }

  const prefix = trimChar(env.S3_PREFIX ?? '', '/', { start: true, end: true }) || undefined;
  if (
    prefix !== undefined &&
    (prefix.length > 256 || !/^[A-Za-z0-9._/-]+$/.test(prefix) || prefix.split('/').some((s) => s === '' || s === '.' || s === '..'))
  ) {
    problems.push('S3_PREFIX must be up to 256 characters of [A-Za-z0-9._-] separated by single slashes, without "." or ".." segments');
  }

  return Object.freeze({
    bucket,
    region,
    forcePathStyle,
    ...(endpoint !== undefined ? { endpoint } : {}),
    ...(accessKeyId !== undefined ? { accessKeyId } : {}),
    ...(secretAccessKey !== undefined ? { secretAccessKey } : {}),
    ...(prefix !== undefined ? { prefix } : {}),
  });
}

/** Values shipped in examples and compose files: a secret that anybody can read is no secret. */
const PLACEHOLDER_SECRET = /change[-_ ]?me|placeholder|example|your[-_ ]?secret|^(secret|password|signing[-_ ]?secret)$/i;
/** Fewer distinct characters than this cannot be a random secret (`aaaa...`, `0000...`). */
const MIN_DISTINCT_SECRET_CHARS = 8;
export const MIN_SECRET_LENGTH = 32;

/** Why a signing secret is refused, or undefined when it is acceptable. Bounded before any pattern runs. */
export function signingSecretProblem(secret: string): string | undefined {
  if (secret.length === 0) return 'is empty';
  if (secret.length < MIN_SECRET_LENGTH) return `must be at least ${MIN_SECRET_LENGTH} characters`;
  if (secret.length > 4096) return 'must be at most 4096 characters';
  if (PLACEHOLDER_SECRET.test(secret)) return 'is a known placeholder value; generate a random one (for example `openssl rand -hex 32`)';
  if (new Set(secret).size < MIN_DISTINCT_SECRET_CHARS) return `has fewer than ${MIN_DISTINCT_SECRET_CHARS} distinct characters; generate a random one`;
  return undefined;
}

/**
 * Reads SIGNING_SECRET from the environment, else from ./var/signing-secret, creating it on first
 * start so that signed URLs stay valid across restarts of a dev install. An empty, short or
 * placeholder secret stops the process, wherever it came from: set-but-empty is a mistake in a
 * deployment's environment, never a request to generate one.
 */
function loadSigningSecret(env: Env, varDir: string, problems: string[]): string {
  const given = env.SIGNING_SECRET;
  if (given !== undefined) {
    const problem = signingSecretProblem(given);
    if (problem) problems.push(`SIGNING_SECRET ${problem}`);
    return given;
  }
  const file = resolve(varDir, 'signing-secret');
  if (existsSync(file)) {
    const stored = readFileSync(file, 'utf8').trim();
    const problem = signingSecretProblem(stored);
    if (problem) problems.push(`the signing secret in ${file} ${problem} (fix or delete the file, or set SIGNING_SECRET)`);
    return stored;
  }
  mkdirSync(dirname(file), { recursive: true });
  const secret = randomBytes(32).toString('hex');
  writeFileSync(file, secret, { mode: 0o600, flag: 'wx' });
  return secret;
}

export function loadConfig(env: Env = process.env): AppConfig {
  const problems: string[] = [];
  const get = (k: keyof typeof DEFAULTS): string => {
    const v = env[k];
    return v === undefined || v === '' ? DEFAULTS[k] : v;
  };

  const nodeEnv = oneOf('NODE_ENV', env.NODE_ENV || 'development', ['development', 'production', 'test'] as const, problems);
  const databaseUrl = get('DATABASE_URL');
  urlWith('DATABASE_URL', databaseUrl, ['postgres:', 'postgresql:'], problems);

  const redis = redisFrom('REDIS_URL', get('REDIS_URL'), problems);
  const queuePrefix = get('QUEUE_PREFIX');
  if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(queuePrefix)) problems.push('QUEUE_PREFIX must be 1-64 characters of [A-Za-z0-9_.:-]');

  const port = intIn('PORT', get('PORT'), 0, 65535, problems);
  const publicBaseUrl = trimChar(get('PUBLIC_BASE_URL'), '/');
  urlWith('PUBLIC_BASE_URL', publicBaseUrl, ['http:', 'https:'], problems);

  const storageDriver = oneOf('STORAGE_DRIVER', get('STORAGE_DRIVER'), ['local', 's3'] as const, problems);
  const storageDir = resolve(get('STORAGE_DIR'));
  const s3 = storageDriver === 's3' ? loadS3Config(env, problems) : undefined;
  const varDir = resolve(env.VAR_DIR || './var');

  const cores = availableParallelism();
  const workerConcurrency = env.WORKER_CONCURRENCY
    ? intIn('WORKER_CONCURRENCY', env.WORKER_CONCURRENCY, 1, 256, problems)
    : cores;
  const workerHealthPort = env.WORKER_HEALTH_PORT
    ? intIn('WORKER_HEALTH_PORT', env.WORKER_HEALTH_PORT, 0, 65535, problems)
    : null;

  const workerShutdownGraceMs = intIn('WORKER_SHUTDOWN_GRACE_MS', get('WORKER_SHUTDOWN_GRACE_MS'), 0, 3_600_000, problems);
  const maxJsonBodyBytes = intIn('MAX_JSON_BODY_BYTES', get('MAX_JSON_BODY_BYTES'), 1024, 100 * 1024 * 1024, problems);
  const maxJsonBodyValues = intIn('MAX_JSON_BODY_VALUES', get('MAX_JSON_BODY_VALUES'), 100, 10_000_000, problems);
  const jsonBodyThreadMinBytes = intIn('JSON_BODY_THREAD_MIN_BYTES', get('JSON_BODY_THREAD_MIN_BYTES'), 1024, 100 * 1024 * 1024, problems);
  const logLevel = oneOf('LOG_LEVEL', LOG_LEVEL_ALIASES[get('LOG_LEVEL')] ?? get('LOG_LEVEL'), ['log', 'error', 'warn', 'debug', 'verbose'] as const, problems);
  const logFlushMs = intIn('LOG_FLUSH_MS', get('LOG_FLUSH_MS'), 0, 10_000, problems);
  const metricsToken = credential('METRICS_TOKEN', env.METRICS_TOKEN, problems);
  const dashboardUser = credential('QUEUE_DASHBOARD_USER', env.QUEUE_DASHBOARD_USER, problems);
  const dashboardPassword = credential('QUEUE_DASHBOARD_PASSWORD', env.QUEUE_DASHBOARD_PASSWORD, problems);
  if ((dashboardUser === null) !== (dashboardPassword === null)) {
    problems.push('QUEUE_DASHBOARD_USER and QUEUE_DASHBOARD_PASSWORD must be set together (or neither: the dashboard is off)');
  }
  // Basic auth splits "user:password" at the first colon, so a colon in the user cannot be sent.
  if (dashboardUser?.includes(':')) problems.push('QUEUE_DASHBOARD_USER must not contain ":"');
  const queueDashboard = dashboardUser !== null && dashboardPassword !== null ? Object.freeze({ user: dashboardUser, password: dashboardPassword }) : null;
  const fetchAllowCidrs = get('FETCH_ALLOW_CIDRS')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const cidr of fetchAllowCidrs) {
    if (!/^[0-9a-fA-F.:]+\/\d{1,3}$/.test(cidr)) problems.push(`FETCH_ALLOW_CIDRS entry "${cidr}" is not a CIDR`);
  }
  const signedUrlTtlSeconds = intIn('SIGNED_URL_TTL_SECONDS', get('SIGNED_URL_TTL_SECONDS'), 1, 7 * 24 * 3600, problems);
  const idempotencyLeaseMs = intIn('IDEMPOTENCY_LEASE_MS', get('IDEMPOTENCY_LEASE_MS'), 100, 3_600_000, problems);
  const queue = {
    lockDurationMs: intIn('QUEUE_LOCK_DURATION_MS', get('QUEUE_LOCK_DURATION_MS'), 500, 600_000, problems),
    stalledIntervalMs: intIn('QUEUE_STALLED_INTERVAL_MS', get('QUEUE_STALLED_INTERVAL_MS'), 500, 600_000, problems),
    attempts: intIn('RENDER_ATTEMPTS', get('RENDER_ATTEMPTS'), 1, 20, problems),
    backoffMs: intIn('RENDER_BACKOFF_MS', get('RENDER_BACKOFF_MS'), 10, 600_000, problems),
    sweepAfterMs: intIn('RENDER_SWEEP_AFTER_MS', get('RENDER_SWEEP_AFTER_MS'), 100, 86_400_000, problems),
    renderLeaseMs: intIn('RENDER_LEASE_MS', get('RENDER_LEASE_MS'), 300, 3_600_000, problems),
    sweepIntervalMs: intIn('RENDER_SWEEP_INTERVAL_MS', get('RENDER_SWEEP_INTERVAL_MS'), 50, 3_600_000, problems),
    commandTimeoutMs: intIn('REDIS_COMMAND_TIMEOUT_MS', get('REDIS_COMMAND_TIMEOUT_MS'), 50, 60_000, problems),
  };
  const outbox = {
    pollMs: intIn('OUTBOX_POLL_MS', get('OUTBOX_POLL_MS'), 20, 60_000, problems),
    retentionMs: intIn('OUTBOX_RETENTION_MS', get('OUTBOX_RETENTION_MS'), 1000, 30 * 86_400_000, problems),
  };
  const webhookRetryScaleRaw = get('WEBHOOK_RETRY_SCALE');
  const webhookRetryScale = Number(webhookRetryScaleRaw);
  if (!/^\d+(\.\d+)?$/.test(webhookRetryScaleRaw) || webhookRetryScale <= 0 || webhookRetryScale > 10) {
    problems.push(`WEBHOOK_RETRY_SCALE must be a number above 0 and at most 10 (got "${webhookRetryScaleRaw}")`);
  }
  const webhookDeliveryRetentionDays = intIn('WEBHOOK_DELIVERY_RETENTION_DAYS', get('WEBHOOK_DELIVERY_RETENTION_DAYS'), 1, 3650, problems);
  const webhookSweep = {
    afterMs: intIn('WEBHOOK_SWEEP_AFTER_MS', get('WEBHOOK_SWEEP_AFTER_MS'), 100, 86_400_000, problems),
    intervalMs: intIn('WEBHOOK_SWEEP_INTERVAL_MS', get('WEBHOOK_SWEEP_INTERVAL_MS'), 50, 3_600_000, problems),
  };
  const fetch = {
    timeoutMs: intIn('FETCH_TIMEOUT_MS', get('FETCH_TIMEOUT_MS'), 100, 120_000, problems),
    maxBytes: intIn('FETCH_MAX_BYTES', get('FETCH_MAX_BYTES'), 1024, 100 * 1024 * 1024, problems),
    maxRedirects: intIn('FETCH_MAX_REDIRECTS', get('FETCH_MAX_REDIRECTS'), 0, 10, problems),
  };
  const preflight = {
    maxUrls: intIn('PREFLIGHT_MAX_URLS', get('PREFLIGHT_MAX_URLS'), 0, 200, problems),
    maxTotalBytes: intIn('PREFLIGHT_MAX_TOTAL_BYTES', get('PREFLIGHT_MAX_TOTAL_BYTES'), 1024, 1024 * 1024 * 1024, problems),
    concurrency: intIn('PREFLIGHT_CONCURRENCY', get('PREFLIGHT_CONCURRENCY'), 1, 64, problems),
    perOrg: intIn('PREFLIGHT_MAX_PER_ORG', get('PREFLIGHT_MAX_PER_ORG'), 1, 1000, problems),
  };
  const render = {
    timeoutMs: intIn('RENDER_TIMEOUT_MS', get('RENDER_TIMEOUT_MS'), 100, 600_000, problems),
    threadMaxMemoryMb: intIn('RENDER_THREAD_MAX_MEMORY_MB', get('RENDER_THREAD_MAX_MEMORY_MB'), 64, 16_384, problems),
    maxQueue: intIn('RENDER_QUEUE_MAX', get('RENDER_QUEUE_MAX'), 0, 100_000, problems),
    maxDecodedPixels: intIn('RENDER_MAX_DECODED_PIXELS', get('RENDER_MAX_DECODED_PIXELS'), 1, 2_000_000_000, problems),
    maxDecodedBytes: intIn('RENDER_MAX_DECODED_BYTES', get('RENDER_MAX_DECODED_BYTES'), 1, 4 * 1024 * 1024 * 1024, problems),
    fontCacheMax: intIn('RENDER_FONT_CACHE_MAX', get('RENDER_FONT_CACHE_MAX'), 1, 10_000, problems),
  };
  const inspect = {
    poolSize: intIn('INSPECT_POOL_SIZE', get('INSPECT_POOL_SIZE'), 1, 64, problems),
    timeoutMs: intIn('INSPECT_TIMEOUT_MS', get('INSPECT_TIMEOUT_MS'), 100, 600_000, problems),
    maxQueue: intIn('INSPECT_QUEUE_MAX', get('INSPECT_QUEUE_MAX'), 0, 10_000, problems),
    threadNice: intIn('INSPECT_THREAD_NICE', get('INSPECT_THREAD_NICE'), 0, 19, problems),
  };

  const templateMaxKeyframes = intIn('TEMPLATE_MAX_KEYFRAMES', get('TEMPLATE_MAX_KEYFRAMES'), 2, 1000, problems);
  const video = {
    timeoutMs: intIn('VIDEO_TIMEOUT_MS', get('VIDEO_TIMEOUT_MS'), 1000, 3_600_000, problems),
    maxFramePixels: intIn('VIDEO_MAX_FRAME_PIXELS', get('VIDEO_MAX_FRAME_PIXELS'), 1, 100_000_000_000, problems),
    concurrency: intIn('VIDEO_CONCURRENCY', get('VIDEO_CONCURRENCY'), 1, 64, problems),
    ffmpegPath: get('FFMPEG_PATH'),
  };

  const rateLimit = {
    perMinute: intIn('RATE_LIMIT_PER_MINUTE', get('RATE_LIMIT_PER_MINUTE'), 0, 10_000_000, problems),
    redis: Object.freeze(env.RATE_LIMIT_REDIS_URL ? redisFrom('RATE_LIMIT_REDIS_URL', env.RATE_LIMIT_REDIS_URL, problems) : redis),
    redisTimeoutMs: intIn('RATE_LIMIT_REDIS_TIMEOUT_MS', get('RATE_LIMIT_REDIS_TIMEOUT_MS'), 1, 10_000, problems),
  };
  const maxPendingRendersPerOrg = intIn('MAX_PENDING_RENDERS_PER_ORG', get('MAX_PENDING_RENDERS_PER_ORG'), 0, 100_000_000, problems);
  const maxPendingVideosPerOrg = intIn('MAX_PENDING_VIDEOS_PER_ORG', get('MAX_PENDING_VIDEOS_PER_ORG'), 0, 1_000_000, problems);
  const collectionMaxTemplates = intIn('COLLECTION_MAX_TEMPLATES', get('COLLECTION_MAX_TEMPLATES'), 1, COLLECTION_TEMPLATES_CEILING, problems);
  const peopleBatchMax = intIn('PEOPLE_BATCH_MAX', get('PEOPLE_BATCH_MAX'), 1, PEOPLE_BATCH_CEILING, problems);
  const apiKeyCacheTtlMs = intIn('API_KEY_CACHE_TTL_MS', get('API_KEY_CACHE_TTL_MS'), 0, 3_600_000, problems);
  const lastUsedFlushMs = intIn('LAST_USED_FLUSH_MS', get('LAST_USED_FLUSH_MS'), 10, 600_000, problems);
  const ingest = {
    maxBodyBytes: intIn('INGEST_MAX_BODY_BYTES', get('INGEST_MAX_BODY_BYTES'), 1024, 5 * 1024 * 1024, problems),
    perSourcePerMinute: intIn('INGEST_RATE_LIMIT_PER_MINUTE', get('INGEST_RATE_LIMIT_PER_MINUTE'), 0, 10_000_000, problems),
  };
  const readFastLane = bool('READ_FAST_LANE', get('READ_FAST_LANE'), problems);
  const eventRules = {
    maxPerOrg: intIn('MAX_EVENT_RULES_PER_ORG', get('MAX_EVENT_RULES_PER_ORG'), 0, 1_000_000, problems),
    minScheduleIntervalSeconds: intIn('EVENT_SCHEDULE_MIN_INTERVAL_SECONDS', get('EVENT_SCHEDULE_MIN_INTERVAL_SECONDS'), 1, 86_400, problems),
    retentionDays: intIn('EVENT_RETENTION_DAYS', get('EVENT_RETENTION_DAYS'), 1, 3650, problems),
  };

  // A secret from the environment is checked with everything else; the disk is only touched for
  // the secret once the rest is known to be sane.
  const signingSecret =
    env.SIGNING_SECRET !== undefined || problems.length === 0 ? loadSigningSecret(env, varDir, problems) : '';

  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({
    nodeEnv,
    databaseUrl,
    redis: Object.freeze(redis),
    queuePrefix,
    port,
    host: env.HOST || DEFAULTS.HOST,
    publicBaseUrl,
    signingSecret,
    varDir,
    storage: Object.freeze({ driver: storageDriver, dir: storageDir, ...(s3 ? { s3 } : {}) }),
    workerConcurrency,
    workerHealthPort,
    workerShutdownGraceMs,
    maxJsonBodyBytes,
    maxJsonBodyValues,
    jsonBodyThreadMinBytes,
    logLevel,
    logFlushMs,
    metricsToken,
    queueDashboard,
    fetchAllowCidrs: Object.freeze(fetchAllowCidrs),
    signedUrlTtlSeconds,
    idempotencyLeaseMs,
    queue: Object.freeze(queue),
    outbox: Object.freeze(outbox),
    fetch: Object.freeze(fetch),
    preflight: Object.freeze(preflight),
    render: Object.freeze(render),
    inspect: Object.freeze(inspect),
    templateMaxKeyframes,
    eventRules: Object.freeze(eventRules),
    video: Object.freeze(video),
    webhookRetryScale,
    webhookDeliveryRetentionDays,
    webhookSweep: Object.freeze(webhookSweep),
    rateLimit: Object.freeze(rateLimit),
    maxPendingRendersPerOrg,
    maxPendingVideosPerOrg,
    collectionMaxTemplates,
    peopleBatchMax,
    apiKeyCacheTtlMs,
    lastUsedFlushMs,
    ingest: Object.freeze(ingest),
    readFastLane,
  });
}
