export interface StoredObject {
  body: Buffer;
  contentType: string;
  size: number;
  etag: string;
  lastModified: Date;
}

/** What every driver offers; callers never learn where bytes live, only keys. */
export interface StorageDriver {
  readonly name: 'local' | 's3';
  put(key: string, body: Buffer, contentType: string): Promise<void>;
  get(key: string): Promise<StoredObject | null>;
  delete(key: string): Promise<void>;
  /** A URL a client can GET without an API key, valid for ttlSeconds. */
  signedUrl(key: string, ttlSeconds: number): Promise<string>;
}

export const STORAGE_DRIVER = Symbol('STORAGE_DRIVER');

/** Storage keys are ours, but still refuse anything that could escape a root directory. */
export function assertSafeKey(key: string): void {
  if (
    key.length === 0 ||
    key.length > 512 ||
    key.startsWith('/') ||
    key.includes('\\') ||
    key.includes('\0') ||
    key.split('/').some((seg) => seg === '' || seg === '.' || seg === '..') ||
    !/^[A-Za-z0-9._/-]+$/.test(key)
  ) {
    throw new Error(`unsafe storage key: ${JSON.stringify(key)}`);
  }
}
