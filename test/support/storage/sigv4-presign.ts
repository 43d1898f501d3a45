/**
 * An independent check of SigV4 presigned S3 URLs, written from the AWS specification rather
 * than with the SDK, because s3rver (our test server) does not verify V4 signatures at all: it
 * only looks up the access key and the expiry. Without this, a broken signer would pass every
 * test.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export type PresignCheck = 'ok' | 'expired' | 'invalid';

export interface PresignedRequest {
  method: string;
  /** Path and query exactly as sent, e.g. `/bucket/key.png?X-Amz-...`. */
  pathAndQuery: string;
  /** Lower-case header names; must hold every signed header (at least `host`). */
  headers: Record<string, string | string[] | undefined>;
}

function rfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const hmac = (key: Buffer | string, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();

function parseQuery(raw: string): Array<[string, string]> | null {
  if (raw === '') return [];
  try {
    return raw.split('&').map((pair) => {
      const i = pair.indexOf('=');
      const name = i < 0 ? pair : pair.slice(0, i);
      const value = i < 0 ? '' : pair.slice(i + 1);
      return [decodeURIComponent(name), decodeURIComponent(value)];
    });
  } catch {
    return null;
  }
}

export function verifyPresignedRequest(
  req: PresignedRequest,
  secretFor: (accessKeyId: string) => string | undefined,
  nowMs: number,
): PresignCheck {
  const q = req.pathAndQuery.indexOf('?');
  const path = q < 0 ? req.pathAndQuery : req.pathAndQuery.slice(0, q);
  const params = parseQuery(q < 0 ? '' : req.pathAndQuery.slice(q + 1));
  if (!params) return 'invalid';
  const amz = new Map<string, string>();
  for (const [name, value] of params) {
    if (!name.startsWith('X-Amz-')) continue;
    if (amz.has(name)) return 'invalid';
    amz.set(name, value);
  }
  const algorithm = amz.get('X-Amz-Algorithm');
  const credential = amz.get('X-Amz-Credential') ?? '';
  const amzDate = amz.get('X-Amz-Date') ?? '';
  const expiresRaw = amz.get('X-Amz-Expires') ?? '';
  const signedHeaders = amz.get('X-Amz-SignedHeaders') ?? '';
  const signature = amz.get('X-Amz-Signature') ?? '';
  if (algorithm !== 'AWS4-HMAC-SHA256') return 'invalid';
  if (!/^\d{8}T\d{6}Z$/.test(amzDate) || !/^\d{1,6}$/.test(expiresRaw) || Number(expiresRaw) > 604800) return 'invalid';
  if (!/^[0-9a-f]{64}$/.test(signature)) return 'invalid';

  const [accessKeyId, date, region, service, terminator, ...rest] = credential.split('/');
  if (rest.length > 0 || terminator !== 'aws4_request' || date !== amzDate.slice(0, 8) || !region || service !== 's3') return 'invalid';
  const secret = accessKeyId ? secretFor(accessKeyId) : undefined;
  if (secret === undefined) return 'invalid';

  const headerNames = signedHeaders.split(';');
  if (!headerNames.includes('host') || [...headerNames].sort().join(';') !== signedHeaders) return 'invalid';
  let canonicalHeaders = '';
  for (const name of headerNames) {
    const value = req.headers[name];
    if (value === undefined) return 'invalid';
    const joined = Array.isArray(value) ? value.join(',') : value;
    canonicalHeaders += `${name}:${joined.trim().replace(/\s+/g, ' ')}\n`;
  }

  const canonicalQuery = params
    .filter(([name]) => name !== 'X-Amz-Signature')
    .map(([name, value]) => [rfc3986(name), rfc3986(value)] as const)
    .sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  const canonicalRequest = [
    req.method.toUpperCase(),
    path,
    canonicalQuery,
    canonicalHeaders,
    signedHeaders,
    amz.get('X-Amz-Content-Sha256') ?? 'UNSIGNED-PAYLOAD',
  ].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(canonicalRequest).digest('hex')].join('\n');
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
  const expected = hmac(signingKey, stringToSign);
  if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) return 'invalid';

  const signedAt = Date.UTC(
    Number(amzDate.slice(0, 4)),
    Number(amzDate.slice(4, 6)) - 1,
    Number(amzDate.slice(6, 8)),
    Number(amzDate.slice(9, 11)),
    Number(amzDate.slice(11, 13)),
    Number(amzDate.slice(13, 15)),
  );
  return nowMs > signedAt + Number(expiresRaw) * 1000 ? 'expired' : 'ok';
}

/** The same check for a whole URL, as a browser would send it (Host = the URL's host). */
export function verifyPresignedUrl(url: string, secretFor: (accessKeyId: string) => string | undefined, nowMs: number): PresignCheck {
  const u = new URL(url);
  return verifyPresignedRequest({ method: 'GET', pathAndQuery: `${u.pathname}${u.search}`, headers: { host: u.host } }, secretFor, nowMs);
}
