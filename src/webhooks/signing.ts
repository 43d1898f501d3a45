import { createHmac, timingSafeEqual } from 'node:crypto';

export type WebhookEvent = 'image.completed' | 'image.failed' | 'collection.completed';

/** Lowercase hex HMAC-SHA256 of the exact bytes sent: what X-Imtegrate-Signature carries. */
export function signWebhookBody(secret: string, rawBody: string | Buffer): string {
  return createHmac('sha256', secret).update(rawBody).digest('hex');
}

/** For receivers (and our tests): constant-time check of a signature header against the raw body. */
export function verifyWebhookSignature(secret: string, rawBody: string | Buffer, signature: string | undefined): boolean {
  if (!signature || !/^[0-9a-f]{64}$/.test(signature)) return false;
  return timingSafeEqual(Buffer.from(signWebhookBody(secret, rawBody), 'hex'), Buffer.from(signature, 'hex'));
}
