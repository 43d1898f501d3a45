import { createHash } from 'node:crypto';

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/**
 * Key order must not matter: `{"a":1,"b":2}` and `{"b":2,"a":1}` are the same request. Every other
 * difference must: the copy has no prototype, so a `__proto__` key stays an own property (on a
 * plain object the assignment would set the prototype instead and vanish from the fingerprint).
 */
export function canonicalJson(value: unknown): string {
  const walk = (v: unknown): Json => {
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      const out = Object.create(null) as { [k: string]: Json };
      for (const k of Object.keys(v).sort()) out[k] = walk((v as Record<string, unknown>)[k]);
      return out;
    }
    return (v ?? null) as Json;
  };
  return JSON.stringify(walk(value));
}

export function requestHash(method: string, path: string, body: unknown): string {
  return createHash('sha256').update(`${method.toUpperCase()} ${path}\n${canonicalJson(body)}`).digest('hex');
}

/** Printable ASCII only, like Stripe; anything else is a 422 on the header. */
export function isValidIdempotencyKey(key: string): boolean {
  return key.length >= 1 && key.length <= MAX_IDEMPOTENCY_KEY_LENGTH && /^[\x21-\x7e]+$/.test(key);
}
