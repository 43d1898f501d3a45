import { createHmac, timingSafeEqual } from 'node:crypto';

export type WebhookEvent = 'image.completed' | 'image.failed';

/** Lowercase hex HMAC-SHA256 of the exact bytes sent: what X-Imtegrate-Signature carries. */
export function signWebhookBody(secret: string, rawBody: string | Buffer): string {
  return createHmac('sha256', secret).update(rawBody).digest('hex');
}

/** For receivers (and our tests): constant-time check of a signature header against the raw body. */
export function verifyWebhookSignature(secret: string, rawBody: string | Buffer, signature: string | undefined): boolean {
  if (!signature || !/^[0-9a-f]{64}$/.test(signature)) return false;
  return timingSafeEqual(Buffer.from(signWebhookBody(secret, rawBody), 'hex'), Buffer.from(signature, 'hex'));
}

/** Retry schedule after a failed attempt: 1 min, 5 min, 30 min, 2 h, 12 h (then give up). */
export const WEBHOOK_RETRY_DELAYS_MS = [60_000, 300_000, 1_800_000, 7_200_000, 43_200_000] as const;

export function webhookRetryDelay(attemptsMade: number, scale: number): number {
  const base = WEBHOOK_RETRY_DELAYS_MS[Math.min(Math.max(attemptsMade, 1), WEBHOOK_RETRY_DELAYS_MS.length) - 1];
  return Math.max(1, Math.round(base * scale));
}
