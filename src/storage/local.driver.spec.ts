import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LocalStorageDriver } from './local.driver.js';
import { StorageError, fsStorageError } from './storage-error.js';
import type { StorageDriver } from './storage.types.js';
import { TINY_PNG, UNSAFE_KEYS, renderKey } from '../../test/support/storage/storage-fixtures.js';
import { verifyFileSignature } from './url-signing.js';

const SECRET = 'local-driver-spec-secret-0123456789abcdef';

function listRecursive(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' });
}

describe('LocalStorageDriver', () => {
  let parent: string;
  let root: string;
  // Through the interface, as callers see it (the class's put ignores the content type).
  let storage: StorageDriver;

  beforeAll(() => {
    // The root sits one level down so a key escaping it would land somewhere we can look.
    parent = mkdtempSync(join(tmpdir(), 'imtegrate-local-'));
    root = join(parent, 'root');
    storage = new LocalStorageDriver(root, 'http://localhost:3000', SECRET);
  });
  afterAll(() => {
    rmSync(parent, { recursive: true, force: true });
  });

  it('overwrites atomically: concurrent readers only ever see a whole version, and no temp file stays', async () => {
    const key = renderKey();
    const a = Buffer.alloc(1024 * 1024, 0xa);
    const b = Buffer.alloc(1536 * 1024, 0xb);
    await storage.put(key, a, 'image/png');
    let writing = true;
    const writer = (async () => {
      for (let i = 0; i < 20; i++) await storage.put(key, i % 2 ? a : b, 'image/png');
      writing = false;
    })();
    let reads = 0;
    while (writing) {
      const obj = await storage.get(key);
      expect(obj!.body.equals(a) || obj!.body.equals(b)).toBe(true);
      expect(obj!.size).toBe(obj!.body.length);
      reads++;
    }
    await writer;
    expect(reads).toBeGreaterThan(0);
    expect(listRecursive(root).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('leaves one whole version when two writers race on a key', async () => {
    const key = renderKey();
    const a = Buffer.alloc(512 * 1024, 0xa);
    const b = Buffer.alloc(700 * 1024, 0xb);
    await Promise.all([storage.put(key, a, 'image/png'), storage.put(key, b, 'image/png'), storage.put(key, a, 'image/png')]);
    const obj = await storage.get(key);
    expect(obj!.body.equals(a) || obj!.body.equals(b)).toBe(true);
    expect(listRecursive(root).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('returns null for a missing key', async () => {
    expect(await storage.get(renderKey())).toBeNull();
  });

  it('refuses unsafe keys and writes nothing outside its root', async () => {
    const before = readdirSync(parent).sort();
    for (const key of UNSAFE_KEYS) {
      for (const call of [() => storage.put(key, TINY_PNG, 'image/png'), () => storage.get(key), () => storage.delete(key), () => storage.signedUrl(key, 60)]) {
        const err = await call().then(
          () => null,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(StorageError);
        expect(err).toMatchObject({ code: 'unsafe_key', transient: false });
        expect((err as Error).message).toMatch(/unsafe storage key/);
      }
    }
    expect(readdirSync(parent).sort()).toEqual(before);
    expect(existsSync(join(parent, 'escape.png'))).toBe(false);
  });

  it('signs a URL that verifyFileSignature accepts until it expires', async () => {
    const now = 1_800_000_000_000;
    const clocked = new LocalStorageDriver(root, 'http://localhost:3000', SECRET, () => now);
    const key = renderKey();
    const url = new URL(await clocked.signedUrl(key, 600));
    expect(url.origin).toBe('http://localhost:3000');
    expect(url.pathname).toBe(`/v1/files/${key}`);
    const expires = url.searchParams.get('expires');
    const signature = url.searchParams.get('signature');
    expect(Number(expires)).toBe(now / 1000 + 600);
    expect(verifyFileSignature(SECRET, key, expires, signature, now / 1000)).toBe('ok');
    expect(verifyFileSignature(SECRET, key, expires, signature, now / 1000 + 600)).toBe('ok');
    expect(verifyFileSignature(SECRET, key, expires, signature, now / 1000 + 601)).toBe('expired');
    expect(verifyFileSignature(SECRET, renderKey(), expires, signature, now / 1000)).toBe('invalid');
    expect(verifyFileSignature('another-secret-0123456789abcdef01234567', key, expires, signature, now / 1000)).toBe('invalid');
  });

  it('turns an unexpected filesystem failure into a permanent StorageError and cleans up', async () => {
    // A file where a directory must go: mkdir fails with ENOTDIR/EEXIST whoever runs the test
    // (permission tests would pass vacuously as root).
    const blocker = join(root, 'blocked');
    writeFileSync(blocker, 'x');
    const err = await storage.put('blocked/images/a.png', TINY_PNG, 'image/png').then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).code).toMatch(/^(ENOTDIR|EEXIST)$/);
    expect((err as StorageError).transient).toBe(false);
    expect((err as StorageError).message).toContain('blocked/images/a.png');
    expect(listRecursive(root).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('classifies errno codes by whether waiting can help', () => {
    const errno = (code: string): NodeJS.ErrnoException => Object.assign(new Error(code), { code });
    expect(fsStorageError(errno('ENOSPC'), 'put', 'k')).toMatchObject({ code: 'ENOSPC', transient: true });
    expect(fsStorageError(errno('EMFILE'), 'get', 'k')).toMatchObject({ code: 'EMFILE', transient: true });
    expect(fsStorageError(errno('EACCES'), 'put', 'k')).toMatchObject({ code: 'EACCES', transient: false });
    expect(fsStorageError(errno('EROFS'), 'put', 'k')).toMatchObject({ code: 'EROFS', transient: false });
    expect(fsStorageError('odd', 'put', 'k')).toMatchObject({ code: 'EUNKNOWN', transient: false });
  });
});
