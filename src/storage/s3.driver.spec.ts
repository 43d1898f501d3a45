import { createHash } from 'node:crypto';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type TestServer, startTestServer } from '../../test/support/net/http-test-server.js';
import type { AppConfig } from '../config/config.js';
import { LocalStorageDriver } from './local.driver.js';
import { MAX_PRESIGN_SECONDS, RENDER_CACHE_CONTROL, S3StorageDriver, type S3DriverOptions, classifyS3Error } from './s3.driver.js';
import { StorageError } from './storage-error.js';
import { createStorageDriver } from './storage.module.js';
import { S3RVER_CREDENTIALS, type S3TestServer, startS3TestServer } from '../../test/support/storage/s3-test-server.js';
import { verifyPresignedUrl } from '../../test/support/storage/sigv4-presign.js';
import { TINY_PNG, UNSAFE_KEYS, renderKey, tamperSignature } from '../../test/support/storage/storage-fixtures.js';

const secretFor = (id: string): string | undefined =>
  id === S3RVER_CREDENTIALS.accessKeyId ? S3RVER_CREDENTIALS.secretAccessKey : undefined;

async function rejection(p: Promise<unknown>): Promise<StorageError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StorageError);
  return err as StorageError;
}

describe('S3StorageDriver against s3rver', () => {
  let server: S3TestServer;
  const drivers: S3StorageDriver[] = [];
  const driver = (overrides: Partial<S3DriverOptions> = {}): S3StorageDriver => {
    const d = new S3StorageDriver({
      bucket: server.bucket,
      region: 'us-east-1',
      endpoint: server.endpoint,
      forcePathStyle: true,
      ...S3RVER_CREDENTIALS,
      maxAttempts: 1,
      ...overrides,
    });
    drivers.push(d);
    return d;
  };
  let raw: S3Client;

  beforeAll(async () => {
    server = await startS3TestServer();
    raw = new S3Client({ region: 'us-east-1', endpoint: server.rawEndpoint, forcePathStyle: true, credentials: S3RVER_CREDENTIALS });
  });
  afterAll(async () => {
    for (const d of drivers) d.destroy();
    raw?.destroy();
    await server?.close();
  });

  it('round-trips a PNG and stores the content type and an immutable Cache-Control', async () => {
    const s3 = driver();
    const key = renderKey();
    await s3.put(key, TINY_PNG, 'image/png');
    const obj = await s3.get(key);
    expect(obj!.body.equals(TINY_PNG)).toBe(true);
    expect(obj!.contentType).toBe('image/png');
    // A single PUT's ETag is the MD5 of the bytes, on S3 and on s3rver alike.
    expect(obj!.etag).toBe(`"${createHash('md5').update(TINY_PNG).digest('hex')}"`);

    const head = await raw.send(new GetObjectCommand({ Bucket: server.bucket, Key: key }));
    expect(head.ContentType).toBe('image/png');
    expect(head.CacheControl).toBe(RENDER_CACHE_CONTROL);
    await head.Body?.transformToByteArray();
  });

  it('returns null for a missing key and overwrites in place', async () => {
    const s3 = driver();
    const key = renderKey();
    expect(await s3.get(key)).toBeNull();
    await s3.put(key, Buffer.from('one'), 'image/png');
    await s3.put(key, TINY_PNG, 'image/png');
    expect((await s3.get(key))!.body.equals(TINY_PNG)).toBe(true);
    await s3.delete(key);
    expect(await s3.get(key)).toBeNull();
  });

  it('puts every key under S3_PREFIX, and only there', async () => {
    const prefixed = driver({ prefix: '/tenant-a/renders/' });
    const plain = driver();
    const key = renderKey();
    await prefixed.put(key, TINY_PNG, 'image/png');

    const stored = await raw.send(new GetObjectCommand({ Bucket: server.bucket, Key: `tenant-a/renders/${key}` }));
    expect(Buffer.from(await stored.Body!.transformToByteArray()).equals(TINY_PNG)).toBe(true);
    expect(await plain.get(key)).toBeNull();
    expect((await prefixed.get(key))!.body.equals(TINY_PNG)).toBe(true);

    const url = await prefixed.signedUrl(key, 60);
    expect(new URL(url).pathname).toBe(`/${server.bucket}/tenant-a/renders/${key}`);
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(TINY_PNG)).toBe(true);
  });

  describe('presigned URLs', () => {
    it('are fetchable with plain fetch, carry the TTL and the headers stored with the object', async () => {
      const s3 = driver();
      const key = renderKey();
      await s3.put(key, TINY_PNG, 'image/png');
      const url = await s3.signedUrl(key, 900);
      const params = new URL(url).searchParams;
      expect(params.get('X-Amz-Expires')).toBe('900');
      expect(params.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
      // Checksum mode is off for custom endpoints (see the driver); a stray parameter here would
      // break some S3-compatible stores.
      expect(params.has('x-amz-checksum-mode')).toBe(false);

      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/png');
      expect(res.headers.get('cache-control')).toBe(RENDER_CACHE_CONTROL);
      expect(Buffer.from(await res.arrayBuffer()).equals(TINY_PNG)).toBe(true);
    });

    it('carry a valid SigV4 signature, checked independently of the SDK', async () => {
      const url = await driver().signedUrl(renderKey(), 60);
      expect(verifyPresignedUrl(url, secretFor, Date.now())).toBe('ok');
      expect(verifyPresignedUrl(tamperSignature(url), secretFor, Date.now())).toBe('invalid');
      expect(verifyPresignedUrl(url.replace('X-Amz-Expires=60', 'X-Amz-Expires=600'), secretFor, Date.now())).toBe('invalid');
      expect(verifyPresignedUrl(url, () => 'another secret', Date.now())).toBe('invalid');
      expect(verifyPresignedUrl(url, secretFor, Date.now() + 61_000)).toBe('expired');
    });

    it('are signed at the driver clock and expire ttl seconds later', async () => {
      const signedAt = Date.UTC(2026, 0, 2, 3, 4, 5);
      const url = await driver({ now: () => signedAt }).signedUrl(renderKey(), 120);
      const params = new URL(url).searchParams;
      expect(params.get('X-Amz-Date')).toBe('20260102T030405Z');
      expect(verifyPresignedUrl(url, secretFor, signedAt + 120_000)).toBe('ok');
      expect(verifyPresignedUrl(url, secretFor, signedAt + 121_000)).toBe('expired');
    });

    it('past their expiry are refused by s3rver itself', async () => {
      const key = renderKey();
      await driver().put(key, TINY_PNG, 'image/png');
      const stale = driver({ endpoint: server.rawEndpoint, now: () => Date.now() - 3600_000 });
      const res = await fetch(await stale.signedUrl(key, 60));
      expect(res.status).toBe(403);
      expect(await res.text()).toContain('Request has expired');
    });

    it('with a tampered signature are refused by the verifying front', async () => {
      const key = renderKey();
      const s3 = driver();
      await s3.put(key, TINY_PNG, 'image/png');
      const res = await fetch(tamperSignature(await s3.signedUrl(key, 60)));
      expect(res.status).toBe(403);
      expect(await res.text()).toContain('SignatureDoesNotMatch');
    });

    // Documents why the front exists. If this starts failing, s3rver has learnt to verify SigV4
    // and the front can go.
    it('with a tampered signature are still served by bare s3rver (it does not verify SigV4)', async () => {
      const key = renderKey();
      const direct = driver({ endpoint: server.rawEndpoint });
      await direct.put(key, TINY_PNG, 'image/png');
      const res = await fetch(tamperSignature(await direct.signedUrl(key, 60)));
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    });

    it('refuse a TTL S3 cannot honour', async () => {
      const s3 = driver();
      for (const ttl of [0, -1, 1.5, MAX_PRESIGN_SECONDS + 1]) {
        expect(await rejection(s3.signedUrl(renderKey(), ttl))).toMatchObject({ code: 'invalid_ttl', transient: false });
      }
      await expect(s3.signedUrl(renderKey(), MAX_PRESIGN_SECONDS)).resolves.toContain(`X-Amz-Expires=${MAX_PRESIGN_SECONDS}`);
    });
  });

  it('refuses unsafe keys before sending any request', async () => {
    const s3 = driver();
    const before = server.requests;
    for (const key of UNSAFE_KEYS) {
      for (const call of [() => s3.put(key, TINY_PNG, 'image/png'), () => s3.get(key), () => s3.delete(key), () => s3.signedUrl(key, 60)]) {
        expect(await rejection(call())).toMatchObject({ code: 'unsafe_key', transient: false });
      }
    }
    expect(server.requests).toBe(before);
  });

  it('reports a missing bucket as a permanent error, never as a missing object', async () => {
    const s3 = driver({ bucket: 'no-such-bucket' });
    for (const call of [() => s3.put(renderKey(), TINY_PNG, 'image/png'), () => s3.get(renderKey()), () => s3.delete(renderKey())]) {
      const err = await rejection(call());
      expect(err).toMatchObject({ code: 'NoSuchBucket', transient: false, status: 404 });
      expect(err.message).toContain('NoSuchBucket');
    }
  });

  it('reports unknown credentials as a permanent error', async () => {
    const err = await rejection(driver({ accessKeyId: 'NOT-A-KEY', secretAccessKey: 'x' }).get(renderKey()));
    expect(err).toMatchObject({ code: 'InvalidAccessKeyId', transient: false, status: 403 });
  });
});

describe('S3StorageDriver error mapping against a scripted server', () => {
  let fake: TestServer;
  let reply: { status: number; code: string } = { status: 500, code: 'InternalError' };
  const drivers: S3StorageDriver[] = [];
  const driver = (endpoint: string): S3StorageDriver => {
    const d = new S3StorageDriver({ bucket: 'b', region: 'us-east-1', endpoint, forcePathStyle: true, ...S3RVER_CREDENTIALS, maxAttempts: 1 });
    drivers.push(d);
    return d;
  };

  beforeAll(async () => {
    fake = await startTestServer((_req, res) => {
      const xml = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${reply.code}</Code><Message>scripted</Message></Error>`;
      res.writeHead(reply.status, { 'content-type': 'application/xml' });
      res.end(xml);
    });
  });
  afterAll(async () => {
    for (const d of drivers) d.destroy();
    await fake?.close();
  });

  it.each([
    [503, 'SlowDown', true],
    [503, 'ServiceUnavailable', true],
    [500, 'InternalError', true],
    [429, 'TooManyRequests', true],
    [400, 'RequestTimeout', true],
    [403, 'AccessDenied', false],
    [404, 'NoSuchBucket', false],
    [400, 'InvalidArgument', false],
  ])('HTTP %i %s -> transient %s', async (status, code, transient) => {
    reply = { status, code };
    const s3 = driver(fake.origin);
    for (const call of [() => s3.put(renderKey(), TINY_PNG, 'image/png'), () => s3.get(renderKey()), () => s3.delete(renderKey())]) {
      expect(await rejection(call())).toMatchObject({ code, transient, status });
    }
  });

  it('treats a refused connection as transient', async () => {
    const closed = await startTestServer(() => undefined);
    const endpoint = closed.origin;
    await closed.close();
    const err = await rejection(driver(endpoint).put(renderKey(), TINY_PNG, 'image/png'));
    expect(err).toMatchObject({ code: 'ECONNREFUSED', transient: true });
    expect(err.status).toBeUndefined();
  });
});

describe('classifyS3Error', () => {
  it('keeps the S3 code, the status and the cause', () => {
    const cause = Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 } });
    const err = classifyS3Error(cause, 'put', 'a.png');
    expect(err).toMatchObject({ code: 'AccessDenied', status: 403, transient: false, cause });
    expect(err.message).toContain('"a.png"');
  });

  it('treats server faults and retryable errors as transient even with unknown codes', () => {
    expect(classifyS3Error({ name: 'Weird', $fault: 'server', $metadata: { httpStatusCode: 501 } }, 'get', 'k').transient).toBe(true);
    expect(classifyS3Error({ name: 'Weird', $retryable: { throttling: true }, $metadata: {} }, 'get', 'k').transient).toBe(true);
    expect(classifyS3Error(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'get', 'k')).toMatchObject({
      code: 'ECONNRESET',
      transient: true,
    });
    expect(classifyS3Error(new TypeError('bug'), 'get', 'k')).toMatchObject({ code: 'TypeError', transient: false });
    expect(classifyS3Error(new Error('AWS SDK error wrapper for Error: read ECONNRESET'), 'get', 'k')).toMatchObject({
      code: 'ECONNRESET',
      transient: true,
    });
  });
});

describe('createStorageDriver', () => {
  const base = { publicBaseUrl: 'http://localhost:3000', signingSecret: 'x'.repeat(40) };

  it('builds the S3 driver from storage.s3', () => {
    const d = createStorageDriver({
      ...base,
      storage: { driver: 's3', dir: '/unused', s3: { bucket: 'renders', region: 'us-east-1', endpoint: 'http://127.0.0.1:1', forcePathStyle: true } },
    } as unknown as AppConfig);
    expect(d).toBeInstanceOf(S3StorageDriver);
    expect((d as S3StorageDriver).bucket).toBe('renders');
    (d as S3StorageDriver).destroy();
  });

  it('refuses STORAGE_DRIVER=s3 without settings, and still builds the local driver', () => {
    expect(() => createStorageDriver({ ...base, storage: { driver: 's3', dir: '/unused' } } as unknown as AppConfig)).toThrow(/S3_BUCKET/);
    expect(createStorageDriver({ ...base, storage: { driver: 'local', dir: '/tmp/x' } } as unknown as AppConfig)).toBeInstanceOf(LocalStorageDriver);
  });
});
