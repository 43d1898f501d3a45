import { createHash } from 'node:crypto';
import Stripe from 'stripe';
import { verifyWebhookSignature } from '../webhooks/signing.js';

/** Stripe's own default: a signed timestamp older than five minutes is a replay. */
export const STRIPE_TOLERANCE_SECONDS = 300;
const MAX_ID_LENGTH = 255;
const MAX_TYPE_LENGTH = 200;

export type Verified =
  | { ok: true; eventId: string; type: string; payload: unknown }
  /** The signature does not hold: 401, nothing recorded. */
  | { ok: false; status: 401; detail: string }
  /** Signed, but not an event we can read: 400. */
  | { ok: false; status: 400; detail: string };

const header = (h: string | string[] | undefined): string | undefined => (Array.isArray(h) ? (h.length === 1 ? h[0] : undefined) : h);

/**
 * A Stripe event: the Stripe-Signature header checked with the official library on the exact
 * bytes received (timestamped HMAC, five-minute tolerance); its type becomes `stripe.<type>`.
 */
export function verifyStripe(raw: Buffer, headers: Record<string, string | string[] | undefined>, secret: string): Verified {
  const sig = header(headers['stripe-signature']);
  if (!sig) return { ok: false, status: 401, detail: 'Missing Stripe-Signature header' };
  let event: { id?: unknown; type?: unknown };
  try {
    event = Stripe.webhooks.constructEvent(raw, sig, secret, STRIPE_TOLERANCE_SECONDS) as unknown as { id?: unknown; type?: unknown };
  } catch (err) {
    if (err instanceof Stripe.errors.StripeSignatureVerificationError) return { ok: false, status: 401, detail: 'Invalid Stripe signature' };
    // Signed correctly but not JSON.
    return { ok: false, status: 400, detail: 'The event body is not JSON' };
  }
  if (typeof event !== 'object' || event === null || typeof event.id !== 'string' || typeof event.type !== 'string') {
    return { ok: false, status: 400, detail: 'A Stripe event has a string id and type' };
  }
  if (event.id.length > MAX_ID_LENGTH || event.type.length > MAX_TYPE_LENGTH) return { ok: false, status: 400, detail: 'The event id or type is too long' };
  return { ok: true, eventId: event.id, type: `stripe.${event.type}`, payload: event };
}

/**
 * A generic signed webhook: X-Imtegrate-Signature is the hex HMAC-SHA256 of the raw body with the
 * source's secret (compared in constant time). Type from X-Event-Type or the body's `type`; id
 * from X-Event-Id, the body's `id`, or a hash of the body (so an identical resend is a replay).
 */
export function verifyHmac(raw: Buffer, headers: Record<string, string | string[] | undefined>, secret: string): Verified {
  const sig = header(headers['x-imtegrate-signature']);
  if (!sig) return { ok: false, status: 401, detail: 'Missing X-Imtegrate-Signature header' };
  if (!verifyWebhookSignature(secret, raw, sig.trim().toLowerCase())) return { ok: false, status: 401, detail: 'Invalid signature' };
  let payload: unknown;
  try {
    payload = JSON.parse(raw.toString('utf8'));
  } catch {
    return { ok: false, status: 400, detail: 'The event body is not JSON' };
  }
  const body = typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? (payload as Record<string, unknown>) : {};
  const type = header(headers['x-event-type']) ?? (typeof body.type === 'string' ? body.type : undefined);
  if (!type) return { ok: false, status: 400, detail: 'The event type is missing: send X-Event-Type or a string "type" in the body' };
  const bodyId = typeof body.id === 'string' || (typeof body.id === 'number' && Number.isFinite(body.id)) ? String(body.id) : undefined;
  const eventId = header(headers['x-event-id']) ?? bodyId ?? `sha256:${createHash('sha256').update(raw).digest('hex')}`;
  if (eventId.length === 0 || eventId.length > MAX_ID_LENGTH || type.length > MAX_TYPE_LENGTH) {
    return { ok: false, status: 400, detail: `The event id must be 1 to ${MAX_ID_LENGTH} characters and the type at most ${MAX_TYPE_LENGTH}` };
  }
  return { ok: true, eventId, type, payload };
}
