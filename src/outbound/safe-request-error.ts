export type SafeRequestErrorCode =
  | 'invalid_url'
  | 'forbidden_address'
  | 'dns_failed'
  | 'timeout'
  | 'too_large'
  | 'too_many_redirects'
  | 'connection_failed'
  | 'http_status';

export interface SafeRequestErrorInit {
  transient?: boolean;
  /** HTTP status, for code 'http_status'. */
  status?: number;
  /** The URL being requested when the error happened (after redirects). */
  url?: string;
  /** Machine-readable detail: the policy reason, the errno/TLS code, ... */
  reason?: string;
  /** For 'forbidden_address': the address that was refused. */
  address?: string;
  cause?: unknown;
}

// Retrying these will not help until someone changes the URL, the server or our config.
const PERMANENT_BY_DEFAULT: ReadonlySet<SafeRequestErrorCode> = new Set([
  'invalid_url',
  'forbidden_address',
  'too_large',
  'too_many_redirects',
  'http_status',
  'dns_failed',
]);

/**
 * The one error type of the outbound client. `transient` tells the render worker and the webhook
 * sender whether a retry may succeed (timeouts, resets, 408/429/5xx) or not (policy refusals,
 * bad URLs, oversized bodies, other 4xx).
 */
export class SafeRequestError extends Error {
  override readonly name = 'SafeRequestError';
  readonly code: SafeRequestErrorCode;
  readonly transient: boolean;
  readonly status?: number;
  readonly url?: string;
  readonly reason?: string;
  readonly address?: string;

  constructor(code: SafeRequestErrorCode, message: string, init: SafeRequestErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = code;
    this.transient = init.transient ?? !PERMANENT_BY_DEFAULT.has(code);
    this.status = init.status;
    this.url = init.url;
    this.reason = init.reason;
    this.address = init.address;
  }
}

export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

export function httpStatusError(status: number, url: string): SafeRequestError {
  return new SafeRequestError('http_status', `HTTP ${status} from ${url}`, {
    status,
    url,
    transient: isTransientStatus(status),
  });
}

export function isSafeRequestError(err: unknown): err is SafeRequestError {
  return err instanceof SafeRequestError;
}
