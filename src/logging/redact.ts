import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';

export const REDACTED = '[Redacted]';

/** Query parameters that are credentials wherever they appear (signed URLs, presigned S3 URLs, tokens). */
const SECRET_PARAMS = new Set([
  'signature',
  'token',
  'access_token',
  'api_key',
  'apikey',
  'key',
  'x-amz-signature',
  'x-amz-credential',
  'x-amz-security-token',
]);

/** Paths whose whole query string is the credential: GET /v1/files/...?expires=&signature=. */
const SIGNED_PATH_PREFIXES = ['/v1/files/'];

/** Longest URL written to a log line; the rest is cut (a URL is the caller's to make long). */
const MAX_LOGGED_URL = 2048;

/**
 * A URL fit for a log line: the query of a signed-file URL is dropped whole, credential
 * parameters anywhere else keep their name but lose their value. Linear, no patterns.
 */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url.slice(0, MAX_LOGGED_URL);
  const path = url.slice(0, q);
  if (SIGNED_PATH_PREFIXES.some((p) => path.startsWith(p))) return `${path.slice(0, MAX_LOGGED_URL)}?${REDACTED}`;
  const parts = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name.replaceAll('+', ' '));
      } catch {
        // Undecodable names are compared as sent.
      }
      return SECRET_PARAMS.has(decoded.toLowerCase()) ? `${name}=${REDACTED}` : pair;
    });
  return `${path}?${parts.join('&')}`.slice(0, MAX_LOGGED_URL);
}

/**
 * Headers written to the access log: an allowlist, so a credential in a header we do not know
 * (X-Auth-Token, a proxy's cookie) never reaches a log. Authorization and cookies are shown as
 * present, never with their value.
 */
const LOGGED_HEADERS = ['host', 'user-agent', 'content-type', 'content-length', 'accept', 'prefer', 'x-forwarded-for'];
const PRESENCE_ONLY_HEADERS = ['authorization', 'proxy-authorization', 'cookie'];

export function loggedHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of LOGGED_HEADERS) {
    const v = headers[name];
    if (v !== undefined) out[name] = (Array.isArray(v) ? v.join(', ') : v).slice(0, 512);
  }
  for (const name of PRESENCE_ONLY_HEADERS) if (headers[name] !== undefined) out[name] = REDACTED;
  const referer = headers.referer;
  if (typeof referer === 'string') out.referer = redactUrl(referer);
  return out;
}

type LoggedRequest = IncomingMessage & { id?: unknown; originalUrl?: string };

/** pino-http's `req` serializer: method, redacted URL, allowlisted headers, peer address. */
export function serializeRequest(req: LoggedRequest): Record<string, unknown> {
  return {
    id: req.id,
    method: req.method,
    url: redactUrl(req.originalUrl ?? req.url ?? ''),
    headers: loggedHeaders(req.headers),
    remoteAddress: req.socket?.remoteAddress,
  };
}

/** pino-http's `res` serializer: the status only (response headers carry signed URLs in bodies' stead). */
export function serializeResponse(res: ServerResponse): Record<string, unknown> {
  return { statusCode: res.statusCode };
}

/**
 * pino's own redaction, a second net for objects someone passes to a log call: credentials by
 * the names they have in this code base.
 */
export const REDACT_PATHS = [
  'authorization',
  'password',
  'signingSecret',
  'signing_secret',
  'secret',
  'token',
  'apiKey',
  'api_key',
  '*.authorization',
  '*.password',
  '*.signingSecret',
  '*.signing_secret',
  '*.secret',
  '*.token',
  '*.apiKey',
  '*.api_key',
  'headers.authorization',
  'headers.cookie',
  '*.headers.authorization',
  '*.headers.cookie',
];
