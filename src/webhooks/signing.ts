import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** Lowercase hex HMAC-SHA256 of the exact bytes sent: what X-Imtegrate-Signature carries. */
export function signWebhookBody(secret: string, rawBody: string | Buffer): string {
  return createHmac('sha256', secret).update(rawBody).digest('hex');
}

/** For receivers (and our tests): constant-time check of a signature header against the raw body. */
export function verifyWebhookSignature(secret: string, rawBody: string | Buffer, signature: string | undefined): boolean {
  if (!signature || !/^[0-9a-f]{64}$/.test(signature)) return false;
  return timingSafeEqual(Buffer.from(signWebhookBody(secret, rawBody), 'hex'), Buffer.from(signature, 'hex'));
}

/** A new endpoint secret: 32 random bytes, base64url, with a prefix that says what it is (e.g. to secret scanners). */
export function generateEndpointSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/** package.json sits two levels above this file both in src/ (tests) and in dist/ (the image copies it next to dist/). */
const PACKAGE_VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** The User-Agent of every webhook request. */
export const WEBHOOK_USER_AGENT = `Imtegrate-Webhooks/${PACKAGE_VERSION}`;
