import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Constant-time equality of two secrets. Both sides are hashed first, so neither the time nor
 * timingSafeEqual's length check tells a caller how long the expected value is or how much of
 * it matched.
 */
export function secretEquals(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}
