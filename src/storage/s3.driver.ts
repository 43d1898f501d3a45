import { createHash } from 'node:crypto';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { trimChar } from '../common/strings.js';
import { contentTypeForKey } from './storage.types.js';
import { StorageError, assertStorageKey } from './storage-error.js';
import type { StorageDriver, StoredObject } from './storage.types.js';

export interface S3DriverOptions {
  bucket: string;
  region: string;
  /** For S3-compatible stores (MinIO, R2, ...); unset means AWS. */
  endpoint?: string;
  forcePathStyle: boolean;
  /** Both or neither; neither means the SDK's default credential chain (env, profile, IAM role). */
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Prepended as "<prefix>/" so several installs can share a bucket. */
  prefix?: string;
  /** SDK attempts per call, including its own retries; the queue retries transient failures on top. */
  maxAttempts?: number;
  requestTimeoutMs?: number;
  now?: () => number;
}

// A storage key is written once per render; a re-render writes the same deterministic bytes, so
// clients may cache for as long as they like. `private` keeps shared caches (CDNs, proxies) from
// serving the object past the expiry of the presigned URL that fetched it.
export const RENDER_CACHE_CONTROL = 'private, max-age=31536000, immutable';

/** SigV4 presigned URLs cannot outlive a week on S3 (and most compatible stores). */
export const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;

const TRANSIENT_CODES: ReadonlySet<string> = new Set([
  // Throttling, as spelled by S3 and the compatible stores.
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequests',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'BandwidthLimitExceeded',
  // Server side trouble and timeouts.
  'InternalError',
  'ServiceUnavailable',
  'RequestTimeout',
  'RequestTimeoutException',
  'OperationAborted',
  'TimeoutError',
  // The SDK corrects its clock offset from the response, so the next attempt usually passes.
  'RequestTimeTooSkewed',
  // IMDS / STS hiccups while fetching role credentials.
  'CredentialsProviderError',
  // Network.
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

interface SdkErrorShape {
  name?: string;
  code?: unknown;
  Code?: unknown;
  message?: string;
  $fault?: 'client' | 'server';
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number };
}

function errorCode(err: SdkErrorShape): string {
  // Network errors carry the errno in `code`; service errors carry the S3 code in `name`/`Code`.
  if (typeof err.code === 'string' && err.code !== '') return err.code;
  if (typeof err.Code === 'string' && err.Code !== '') return err.Code;
  if (err.name && err.name !== 'Error') return err.name;
  // The SDK's retry layer rewraps anything that is not `instanceof Error` (a socket error from
  // another realm, as under Jest's VM modules) as "AWS SDK error wrapper for Error: connect
  // ECONNREFUSED ...", keeping only the message; recover the errno from it.
  const errno = /\b(E[A-Z]{3,}|UND_ERR_[A-Z_]+)\b/.exec(err.message ?? '');
  return errno ? errno[1] : 'Unknown';
}

/** Maps whatever the SDK threw to a StorageError that says whether retrying can help. */
export function classifyS3Error(err: unknown, action: string, key: string): StorageError {
  if (err instanceof StorageError) return err;
  const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as SdkErrorShape;
  const status = e.$metadata?.httpStatusCode;
  const code = errorCode(e);
  const transient =
    TRANSIENT_CODES.has(code) ||
    e.$fault === 'server' ||
    Boolean(e.$retryable) ||
    (status !== undefined && (status === 408 || status === 429 || status >= 500));
  const where = status === undefined ? code : `${code}, HTTP ${status}`;
  return new StorageError(code, `S3 ${action} of ${JSON.stringify(key)} failed (${where}): ${e.message ?? ''}`.trim(), transient, {
    status,
    cause: err,
  });
}

function isMissingObject(err: unknown): boolean {
  const e = err as SdkErrorShape;
  if (e?.name === 'NoSuchBucket' || e?.Code === 'NoSuchBucket') return false;
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
}

export function normalisePrefix(prefix: string | undefined): string {
  return trimChar(prefix ?? '', '/', { start: true, end: true });
}

export class S3StorageDriver implements StorageDriver {
  readonly name = 's3' as const;
  readonly bucket: string;
  private readonly prefix: string;
  private readonly client: S3Client;
  private readonly now: () => number;

  constructor(options: S3DriverOptions) {
    this.bucket = options.bucket;
    this.prefix = normalisePrefix(options.prefix);
    if (this.prefix !== '') assertStorageKey(this.prefix);
    this.now = options.now ?? Date.now;
    if ((options.accessKeyId === undefined) !== (options.secretAccessKey === undefined)) {
      throw new Error('S3 accessKeyId and secretAccessKey must be given together');
    }
    const config: S3ClientConfig = {
      region: options.region,
      forcePathStyle: options.forcePathStyle,
      maxAttempts: options.maxAttempts ?? 3,
      // Without a timeout a stalled store would hold a worker slot forever.
      requestHandler: { connectionTimeout: 5_000, requestTimeout: options.requestTimeoutMs ?? 30_000 },
    };
    if (options.endpoint) {
      config.endpoint = options.endpoint;
      // Since early 2025 the SDK adds CRC checksums (and x-amz-checksum-mode on presigned GETs)
      // by default; many S3-compatible stores reject or mis-verify them. AWS itself keeps them.
      config.requestChecksumCalculation = 'WHEN_REQUIRED';
      config.responseChecksumValidation = 'WHEN_REQUIRED';
    }
    if (options.accessKeyId !== undefined && options.secretAccessKey !== undefined) {
      config.credentials = { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey };
    }
    this.client = new S3Client(config);
  }

  private objectKey(key: string): string {
    assertStorageKey(key);
    return this.prefix === '' ? key : `${this.prefix}/${key}`;
  }

  async put(key: string, body: Buffer, contentType: string): Promise<void> {
    const Key = this.objectKey(key);
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key,
          Body: body,
          ContentLength: body.length,
          ContentType: contentType || contentTypeForKey(key),
          CacheControl: RENDER_CACHE_CONTROL,
        }),
      );
    } catch (err) {
      throw classifyS3Error(err, 'put', key);
    }
  }

  async get(key: string): Promise<StoredObject | null> {
    const Key = this.objectKey(key);
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key }));
      // Read inside the try: a connection dropped mid-body is as transient as one dropped before.
      const body = res.Body ? Buffer.from(await res.Body.transformToByteArray()) : Buffer.alloc(0);
      return {
        body,
        size: body.length,
        contentType: res.ContentType || contentTypeForKey(key),
        // Some compatible stores omit ETag on GET; an MD5 matches what S3 gives a single PUT.
        etag: res.ETag ?? `"${createHash('md5').update(body).digest('hex')}"`,
        lastModified: res.LastModified ?? new Date(this.now()),
      };
    } catch (err) {
      if (isMissingObject(err)) return null;
      throw classifyS3Error(err, 'get', key);
    }
  }

  async delete(key: string): Promise<void> {
    const Key = this.objectKey(key);
    try {
      // S3 answers 204 for a key that does not exist, which is the idempotency we want.
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key }));
    } catch (err) {
      if (isMissingObject(err)) return;
      throw classifyS3Error(err, 'delete', key);
    }
  }

  async signedUrl(key: string, ttlSeconds: number): Promise<string> {
    const Key = this.objectKey(key);
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > MAX_PRESIGN_SECONDS) {
      throw new StorageError('invalid_ttl', `presigned URL ttl must be 1..${MAX_PRESIGN_SECONDS} seconds (got ${ttlSeconds})`, false);
    }
    try {
      return await getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucket, Key }), {
        expiresIn: ttlSeconds,
        signingDate: new Date(this.now()),
      });
    } catch (err) {
      throw classifyS3Error(err, 'presign', key);
    }
  }

  /** Closes pooled sockets; Nest calls it on shutdown, tests call it in afterAll. */
  destroy(): void {
    this.client.destroy();
  }

  onModuleDestroy(): void {
    this.destroy();
  }
}
