import { assertSafeKey } from './storage.types.js';

export interface StorageErrorInit {
  /** HTTP status from the object store, when there was a response. */
  status?: number;
  cause?: unknown;
}

/**
 * The one error type the storage drivers throw for failures of the store itself. `transient`
 * tells the render worker whether a retry may succeed (5xx, throttling, resets, a full disk) or
 * not (access denied, missing bucket, unsafe key). `code` is the store's own vocabulary (an S3
 * error code such as `NoSuchBucket`, an errno such as `EACCES`) or one of ours (`unsafe_key`,
 * `invalid_ttl`), so logs stay greppable against the provider's documentation.
 */
export class StorageError extends Error {
  override readonly name = 'StorageError';
  readonly status?: number;

  constructor(
    readonly code: string,
    message: string,
    readonly transient: boolean,
    init: StorageErrorInit = {},
  ) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
  }
}

export function isStorageError(err: unknown): err is StorageError {
  return err instanceof StorageError;
}

/** assertSafeKey, but failing with a permanent StorageError so callers handle one error type. */
export function assertStorageKey(key: string): void {
  try {
    assertSafeKey(key);
  } catch (err) {
    throw new StorageError('unsafe_key', (err as Error).message, false);
  }
}

// Conditions that go away on their own: descriptor exhaustion, a busy or full disk, I/O hiccups
// on network filesystems. Anything else (EACCES, EROFS, ENOTDIR...) needs an operator.
const TRANSIENT_FS_CODES: ReadonlySet<string> = new Set([
  'EAGAIN',
  'EBUSY',
  'EMFILE',
  'ENFILE',
  'ENOSPC',
  'EDQUOT',
  'EIO',
  'ETIMEDOUT',
  'ESTALE',
  'EINTR',
]);

export function fsStorageError(err: unknown, action: string, key: string): StorageError {
  if (err instanceof StorageError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code ?? 'EUNKNOWN';
  const detail = err instanceof Error ? err.message : String(err);
  return new StorageError(code, `local storage ${action} of ${JSON.stringify(key)} failed: ${detail}`, TRANSIENT_FS_CODES.has(code), {
    cause: err,
  });
}
