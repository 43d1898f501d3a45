import { Inject, Injectable } from '@nestjs/common';
import { ApiError } from '../http/api-error.js';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { STORAGE_DRIVER, assertSafeKey, type StorageDriver } from './storage.types.js';
import { verifyFileSignature } from './url-signing.js';

export interface FileResponse {
  status: 200 | 304;
  headers: Record<string, string>;
  body: Buffer | null;
}

/** Serves local-storage objects to holders of a valid, unexpired signed URL: the signature is the credential. */
@Injectable()
export class FilesService {
  constructor(
    @Inject(STORAGE_DRIVER) private readonly storage: StorageDriver,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async read(key: string, expires: unknown, signature: unknown, ifNoneMatch: string | undefined, now = Date.now()): Promise<FileResponse> {
    if (this.storage.name !== 'local') throw new ApiError(404, 'Not Found');
    const nowSeconds = Math.floor(now / 1000);
    try {
      assertSafeKey(key);
    } catch {
      throw new ApiError(403, 'Invalid or expired signature');
    }
    const check = verifyFileSignature(this.config.signingSecret, key, expires, signature, nowSeconds);
    if (check === 'expired') throw new ApiError(403, 'Signature expired');
    if (check !== 'ok') throw new ApiError(403, 'Invalid or expired signature');
    const obj = await this.storage.get(key);
    if (!obj) throw new ApiError(404, 'File not found');
    const maxAge = Math.max(0, Number(expires) - nowSeconds);
    const headers: Record<string, string> = {
      'Content-Type': obj.contentType,
      ETag: obj.etag,
      'Last-Modified': obj.lastModified.toUTCString(),
      // The URL itself expires; caches must not outlive it, and stored objects never change under a key.
      'Cache-Control': `private, max-age=${maxAge}, immutable`,
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; sandbox",
    };
    if (ifNoneMatch && ifNoneMatch.split(',').some((t) => t.trim() === obj.etag || t.trim() === '*')) {
      return { status: 304, headers, body: null };
    }
    return { status: 200, headers: { ...headers, 'Content-Length': String(obj.size) }, body: obj.body };
  }
}
