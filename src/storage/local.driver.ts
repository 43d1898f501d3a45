import { randomBytes, webcrypto } from 'node:crypto';
import { mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { assertStorageKey, fsStorageError } from './storage-error.js';
import { buildSignedFileUrl } from './url-signing.js';
import { contentTypeForKey, type StorageDriver, type StoredObject } from './storage.types.js';

export class LocalStorageDriver implements StorageDriver {
  readonly name = 'local' as const;

  constructor(
    private readonly root: string,
    private readonly publicBaseUrl: string,
    private readonly secret: string,
    private readonly now: () => number = Date.now,
  ) {}

  private path(key: string): string {
    assertStorageKey(key);
    return join(this.root, key);
  }

  async put(key: string, body: Buffer): Promise<void> {
    const file = this.path(key);
    // Write then rename, so a reader never sees half a file and a re-run simply replaces it. The
    // random part keeps two concurrent writers of one key (a stalled job and its retry) apart.
    const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await mkdir(dirname(file), { recursive: true });
      await writeFile(tmp, body);
      await rename(tmp, file);
    } catch (err) {
      await rm(tmp, { force: true }).catch(() => undefined);
      throw fsStorageError(err, 'put', key);
    }
  }

  async get(key: string): Promise<StoredObject | null> {
    const file = this.path(key);
    try {
      // One descriptor for both, so size and mtime describe the bytes read even if a rename
      // swaps the file in between.
      const handle = await open(file, 'r');
      try {
        const st = await handle.stat();
        // A "directory" is only a prefix of other keys; S3 has no object there either.
        if (!st.isFile()) return null;
        const body = await handle.readFile();
        return {
          body,
          size: body.length,
          contentType: contentTypeForKey(key),
          // WebCrypto's digest runs in libuv's thread pool: createHash would hash a 20 MB asset
          // on the API's event loop, tens of ms every other request would wait behind.
          etag: `"${Buffer.from(await webcrypto.subtle.digest('SHA-256', body)).toString('hex').slice(0, 32)}"`,
          lastModified: st.mtime,
        };
      } finally {
        await handle.close();
      }
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return null;
      throw fsStorageError(err, 'get', key);
    }
  }

  async delete(key: string): Promise<void> {
    const file = this.path(key);
    try {
      await rm(file, { force: true });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // Deleting a mere prefix of other keys is a no-op on S3, so it is one here.
      if (code === 'ENOTDIR' || code === 'EISDIR' || code === 'ERR_FS_EISDIR') return;
      throw fsStorageError(err, 'delete', key);
    }
  }

  async signedUrl(key: string, ttlSeconds: number): Promise<string> {
    assertStorageKey(key);
    const expires = Math.floor(this.now() / 1000) + ttlSeconds;
    return buildSignedFileUrl(this.publicBaseUrl, this.secret, key, expires);
  }
}
