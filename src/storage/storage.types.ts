import { extname } from 'node:path';

/**
 * The content type of a stored object, by the extension of its key (results and thumbnails are
 * `.png`/`.jpeg`/`.webp`/`.avif`; uploaded assets keep their sniffed format's extension).
 */
const CONTENT_TYPE_BY_EXTENSION: Readonly<Record<string, string>> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.woff2': 'font/woff2',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
};
const UNKNOWN_CONTENT_TYPE = 'application/octet-stream';

export function contentTypeForKey(key: string): string {
  return CONTENT_TYPE_BY_EXTENSION[extname(key).toLowerCase()] ?? UNKNOWN_CONTENT_TYPE;
}

/** Every content type a file download can answer with (the OpenAPI document declares each). */
export const STORED_CONTENT_TYPES: readonly string[] = [...new Set([...Object.values(CONTENT_TYPE_BY_EXTENSION), UNKNOWN_CONTENT_TYPE])];

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

/** The outputs a render keeps by storage key (images and videos alike). */
export interface RenderOutputKeys {
  status: string;
  resultKey: string | null;
  thumbnailKey: string | null;
}

/** The result and thumbnail URLs of a render, signed now (never stored); null until it completed. */
export function signedOutputUrls(row: RenderOutputKeys, storage: StorageDriver, ttlSeconds: number): Promise<[string | null, string | null]> {
  const done = row.status === 'completed';
  return Promise.all([
    done && row.resultKey ? storage.signedUrl(row.resultKey, ttlSeconds) : null,
    done && row.thumbnailKey ? storage.signedUrl(row.thumbnailKey, ttlSeconds) : null,
  ]);
}
