/**
 * SSRF-safe outbound HTTP(S) client used for remote images and webhooks.
 *
 * Every hop (the first URL and each redirect) is parsed, resolved and policy-checked from
 * scratch, and the socket is pinned to the very addresses that were checked: a DNS answer that
 * changes between the check and the connect (rebinding) cannot redirect the connection.
 */
import dns from 'node:dns';
import http, { type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { AddressPolicy } from './address-policy.js';
import { SafeRequestError } from './safe-request-error.js';
import {
  assertAddressesAllowed,
  parseTargetUrl,
  precheckHost,
  type ResolvedAddress,
  type TargetUrl,
} from './target-url.js';

export const DEFAULT_MAX_BYTES = 15 * 1024 * 1024;
export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_REDIRECTS = 3;
export const DEFAULT_USER_AGENT = 'Imtegrate/0.1 (+https://github.com/imtegrate)';

export type HttpMethod = 'GET' | 'POST' | 'HEAD';
export type ResolveFn = (hostname: string) => Promise<ReadonlyArray<{ address: string; family: number }>>;

export interface SafeRequestOptions {
  method?: HttpMethod;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** Body cap in bytes, checked against Content-Length and against the bytes streamed. */
  maxBytes?: number;
  /**
   * What a body past maxBytes is: an error (`fail`, the default), or, for callers that only
   * want the status (a webhook receiver's answer), the first maxBytes of it (`truncate`: the
   * connection is closed there and the response says `truncated`).
   */
  overMaxBytes?: 'fail' | 'truncate';
  /** Deadline for the whole call: DNS, connects, redirects, headers and body. */
  timeoutMs?: number;
  /** Socket inactivity limit; defaults to timeoutMs. */
  idleTimeoutMs?: number;
  maxRedirects?: number;
  policy: AddressPolicy;
  /** Resolves a DNS name to all its addresses. Defaults to dns.promises.lookup({ all: true }). */
  lookup?: ResolveFn;
  userAgent?: string;
  /** Extra trusted CA certificates (private PKI); never relaxes certificate verification. */
  ca?: string | Buffer | Array<string | Buffer>;
}

export interface SafeResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The body went past maxBytes and was cut there (overMaxBytes: 'truncate'). */
  truncated?: boolean;
  finalUrl: string;
  redirects: number;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

// Headers we own: letting callers set them would break pinning, framing or the byte cap.
const RESERVED_HEADERS = new Set([
  'host',
  'connection',
  'content-length',
  'transfer-encoding',
  'accept-encoding',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'proxy-connection',
]);

// Credentials must not follow a redirect to another origin.
const CROSS_ORIGIN_STRIPPED = new Set(['authorization', 'cookie', 'proxy-authorization']);

// DNS failures a later attempt may not hit; NXDOMAIN / no data are treated as permanent.
const TRANSIENT_DNS_CODES = new Set(['EAI_AGAIN', 'ETIMEOUT', 'ESERVFAIL', 'ECONNREFUSED', 'ETIMEDOUT', 'ECANCELLED']);

// Certificate and protocol problems only go away when the server operator acts.
const PERMANENT_CONNECT_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_|HOSTNAME_MISMATCH|HPE_|ERR_INVALID_)/;

async function defaultResolve(hostname: string): Promise<ReadonlyArray<{ address: string; family: number }>> {
  // Looked up on each call (not captured at import) so tests can trip-wire it.
  return dns.promises.lookup(hostname, { all: true, verbatim: true });
}

function errnoCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

class Deadline {
  readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;

  constructor(readonly timeoutMs: number) {
    this.timer = setTimeout(() => this.controller.abort(), timeoutMs);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get expired(): boolean {
    return this.controller.signal.aborted;
  }

  error(url: string): SafeRequestError {
    return new SafeRequestError('timeout', `Request to ${url} exceeded ${this.timeoutMs} ms`, { url, reason: 'deadline' });
  }

  /** Rejects with a timeout as soon as the deadline passes, even if `work` never settles. */
  race<T>(work: Promise<T>, url: string): Promise<T> {
    if (this.expired) return Promise.reject(this.error(url));
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => reject(this.error(url));
      this.signal.addEventListener('abort', onAbort, { once: true });
      work.then(
        (v) => {
          this.signal.removeEventListener('abort', onAbort);
          resolve(v);
        },
        (e: unknown) => {
          this.signal.removeEventListener('abort', onAbort);
          reject(e);
        },
      );
    });
  }

  dispose(): void {
    clearTimeout(this.timer);
  }
}

async function resolveTarget(
  target: TargetUrl,
  policy: AddressPolicy,
  resolve: ResolveFn,
  deadline: Deadline,
): Promise<ResolvedAddress[]> {
  const literal = precheckHost(target, policy);
  if (literal) return literal;

  let answers: ReadonlyArray<{ address: string; family: number }>;
  try {
    answers = await deadline.race(resolve(target.hostname), target.href);
  } catch (err) {
    if (err instanceof SafeRequestError) throw err;
    const code = errnoCode(err);
    throw new SafeRequestError('dns_failed', `DNS lookup failed for ${target.hostname}: ${code ?? String(err)}`, {
      url: target.href,
      reason: code,
      transient: code !== undefined && TRANSIENT_DNS_CODES.has(code),
      cause: err,
    });
  }

  const seen = new Set<string>();
  const addresses: ResolvedAddress[] = [];
  for (const a of answers ?? []) {
    const family = typeof a?.address === 'string' ? isIP(a.address) : 0;
    if (family === 0) {
      throw new SafeRequestError('dns_failed', `DNS returned a non-address for ${target.hostname}`, {
        url: target.href,
        reason: 'bad_answer',
      });
    }
    if (!seen.has(a.address)) {
      seen.add(a.address);
      addresses.push({ address: a.address, family: family as 4 | 6 });
    }
  }
  if (addresses.length === 0) {
    throw new SafeRequestError('dns_failed', `DNS returned no address for ${target.hostname}`, {
      url: target.href,
      reason: 'no_address',
    });
  }
  // All or nothing: one public address next to a private one must not let the private one in.
  assertAddressesAllowed(target, addresses, policy);
  return addresses;
}

/** A lookup for http.request that can only ever answer with the already-checked addresses. */
function pinnedLookup(target: TargetUrl, addresses: readonly ResolvedAddress[]): LookupFunction {
  return (hostname, options, callback) => {
    if (hostname !== target.hostname) {
      const err = Object.assign(new Error(`unexpected lookup of ${hostname}`), { code: 'ENOTFOUND' });
      callback(err, '', 0);
      return;
    }
    const wanted = options.family === 4 || options.family === 6 ? options.family : 0;
    const list = wanted === 0 ? addresses : addresses.filter((a) => a.family === wanted);
    if (list.length === 0) {
      const err = Object.assign(new Error(`no IPv${wanted} address for ${hostname}`), { code: 'ENOTFOUND' });
      callback(err, '', 0);
      return;
    }
    if (options.all) {
      (callback as unknown as (e: null, a: ResolvedAddress[]) => void)(null, list.map((a) => ({ ...a })));
    } else {
      callback(null, list[0].address, list[0].family);
    }
  };
}

interface Hop {
  target: TargetUrl;
  addresses: ResolvedAddress[];
  method: HttpMethod;
  headers: OutgoingHttpHeaders;
  body?: Buffer;
  maxBytes: number;
  truncate: boolean;
  idleTimeoutMs: number;
  ca?: SafeRequestOptions['ca'];
  deadline: Deadline;
}

interface HopResult {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  truncated?: boolean;
}

function connectionError(err: unknown, url: string): SafeRequestError {
  const code = errnoCode(err) ?? 'unknown';
  const message = err instanceof Error ? err.message : String(err);
  return new SafeRequestError('connection_failed', `Connection to ${url} failed: ${message}`, {
    url,
    reason: code,
    transient: !PERMANENT_CONNECT_CODE.test(code),
    cause: err,
  });
}

function tooLarge(url: string, maxBytes: number, detail: string): SafeRequestError {
  return new SafeRequestError('too_large', `Response from ${url} exceeds ${maxBytes} bytes (${detail})`, {
    url,
    reason: detail,
  });
}

function exchange(hop: Hop): Promise<HopResult> {
  const { target, deadline } = hop;
  const url = target.href;
  return new Promise<HopResult>((resolve, reject) => {
    let settled = false;
    let res: IncomingMessage | undefined;

    const finish = (err: SafeRequestError | null, result?: HopResult): void => {
      if (settled) return;
      settled = true;
      deadline.signal.removeEventListener('abort', onAbort);
      if (err) {
        res?.destroy();
        req.destroy();
        reject(err);
      } else {
        resolve(result!);
      }
    };
    const fail = (err: unknown): void => {
      if (deadline.expired) finish(deadline.error(url));
      else finish(err instanceof SafeRequestError ? err : connectionError(err, url));
    };
    const onAbort = (): void => finish(deadline.error(url));

    const mod = target.protocol === 'https:' ? https : http;
    const options: https.RequestOptions & { autoSelectFamily?: boolean } = {
      protocol: target.protocol,
      host: target.hostname,
      port: target.port,
      path: target.path,
      method: hop.method,
      headers: hop.headers,
      setHost: false,
      // A private agent per request: no pooled socket, opened for another host or policy, can be
      // reused, and nothing lingers after the call.
      agent: false,
      lookup: pinnedLookup(target, hop.addresses),
      autoSelectFamily: true,
      servername: target.ip === null ? target.hostname : undefined,
      ca: hop.ca,
      timeout: hop.idleTimeoutMs,
      signal: deadline.signal,
    };
    const req = mod.request(options);
    deadline.signal.addEventListener('abort', onAbort, { once: true });

    req.on('timeout', () => {
      finish(
        new SafeRequestError('timeout', `No activity from ${url} for ${hop.idleTimeoutMs} ms`, { url, reason: 'idle' }),
      );
    });
    req.on('error', fail);
    req.on('response', (response) => {
      res = response;
      const status = response.statusCode ?? 0;
      const base = { status, headers: response.headers };

      if (REDIRECT_STATUSES.has(status) && response.headers.location) {
        // The redirect body is never needed; closing the private socket is cheaper than draining.
        finish(null, { ...base, body: Buffer.alloc(0) });
        response.destroy();
        req.destroy();
        return;
      }

      const noBody = hop.method === 'HEAD' || status === 204 || status === 304 || (status >= 100 && status < 200);
      const declared = Number(response.headers['content-length']);
      if (!noBody && !hop.truncate && Number.isFinite(declared) && declared > hop.maxBytes) {
        finish(tooLarge(url, hop.maxBytes, `content-length ${declared}`));
        return;
      }

      const chunks: Buffer[] = [];
      let received = 0;
      response.on('data', (chunk: Buffer) => {
        if (received + chunk.length > hop.maxBytes) {
          if (!hop.truncate) {
            finish(tooLarge(url, hop.maxBytes, 'streamed'));
            return;
          }
          chunks.push(chunk.subarray(0, hop.maxBytes - received));
          finish(null, { ...base, body: Buffer.concat(chunks, hop.maxBytes), truncated: true });
          // The rest is not wanted: close the private socket rather than read it.
          response.destroy();
          req.destroy();
          return;
        }
        received += chunk.length;
        chunks.push(chunk);
      });
      response.on('end', () => finish(null, { ...base, body: Buffer.concat(chunks, received) }));
      response.on('error', fail);
      response.on('close', () => {
        if (!response.complete) fail(Object.assign(new Error('connection closed before the body ended'), { code: 'ECONNRESET' }));
      });
    });

    if (hop.body !== undefined) req.end(hop.body);
    else req.end();
  });
}

function buildHeaders(
  target: TargetUrl,
  userHeaders: Record<string, string>,
  userAgent: string,
  body: Buffer | undefined,
): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(userHeaders)) {
    if (!RESERVED_HEADERS.has(name.toLowerCase())) headers[name.toLowerCase()] = value;
  }
  headers['host'] = target.hostHeader;
  headers['accept-encoding'] = 'identity';
  headers['connection'] = 'close';
  if (headers['user-agent'] === undefined) headers['user-agent'] = userAgent;
  if (body !== undefined) headers['content-length'] = String(body.length);
  return headers;
}

function sameOrigin(a: TargetUrl, b: TargetUrl): boolean {
  return a.protocol === b.protocol && a.hostname === b.hostname && a.port === b.port;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The door check for a destination a caller hands us (a `webhook_url`, an `image_url`): parses it,
 * resolves its host and applies the address policy, without connecting. Resolves with the checked
 * addresses; rejects with SafeRequestError (invalid_url, forbidden_address, dns_failed, timeout).
 * Delivery and fetching check again at connect time, since DNS can change in between.
 */
export async function checkOutboundUrl(
  rawUrl: string,
  opts: { policy: AddressPolicy; lookup?: ResolveFn; timeoutMs?: number },
): Promise<ResolvedAddress[]> {
  const target = parseTargetUrl(rawUrl);
  const deadline = new Deadline(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  try {
    return await resolveTarget(target, opts.policy, opts.lookup ?? defaultResolve, deadline);
  } finally {
    deadline.dispose();
  }
}

/**
 * Performs one request with SSRF protection, following redirects. Resolves with the final
 * response whatever its status (callers decide what a 4xx/5xx means; see httpStatusError).
 * Rejects with SafeRequestError.
 */
export async function safeRequest(rawUrl: string, opts: SafeRequestOptions): Promise<SafeResponse> {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxRedirects = opts.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const resolve = opts.lookup ?? defaultResolve;
  const userAgent = opts.userAgent ?? DEFAULT_USER_AGENT;
  // A zero or NaN limit would silently disable a protection; that is a caller bug, not a fetch error.
  if (!(maxBytes >= 0) || !(timeoutMs > 0) || !Number.isInteger(maxRedirects) || maxRedirects < 0) {
    throw new RangeError('safeRequest: maxBytes >= 0, timeoutMs > 0 and an integer maxRedirects >= 0 are required');
  }

  let method: HttpMethod = opts.method ?? 'GET';
  let body = opts.body === undefined ? undefined : Buffer.isBuffer(opts.body) ? opts.body : Buffer.from(opts.body);
  let userHeaders: Record<string, string> = { ...(opts.headers ?? {}) };

  const deadline = new Deadline(timeoutMs);
  try {
    let target = parseTargetUrl(rawUrl);
    for (let redirects = 0; ; redirects++) {
      const addresses = await resolveTarget(target, opts.policy, resolve, deadline);
      if (deadline.expired) throw deadline.error(target.href);

      const result = await exchange({
        target,
        addresses,
        method,
        headers: buildHeaders(target, userHeaders, userAgent, body),
        body,
        maxBytes,
        truncate: opts.overMaxBytes === 'truncate',
        idleTimeoutMs: opts.idleTimeoutMs ?? timeoutMs,
        ca: opts.ca,
        deadline,
      });

      const location = headerValue(result.headers.location);
      // A redirect without a usable Location is a final answer, as exchange() already treated it.
      if (!REDIRECT_STATUSES.has(result.status) || !location) {
        return { ...result, finalUrl: target.href, redirects };
      }
      if (redirects >= maxRedirects) {
        throw new SafeRequestError('too_many_redirects', `More than ${maxRedirects} redirects from ${rawUrl}`, {
          url: target.href,
        });
      }

      const next = parseTargetUrl(location, target.href);
      // Browser semantics: 303 always becomes GET; 301/302 turn a POST into a GET.
      if ((result.status === 303 && method !== 'HEAD') || ((result.status === 301 || result.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
        userHeaders = Object.fromEntries(Object.entries(userHeaders).filter(([k]) => k.toLowerCase() !== 'content-type'));
      }
      if (!sameOrigin(target, next)) {
        userHeaders = Object.fromEntries(
          Object.entries(userHeaders).filter(([k]) => !CROSS_ORIGIN_STRIPPED.has(k.toLowerCase())),
        );
      }
      target = next;
    }
  } finally {
    deadline.dispose();
  }
}
