import { secretEquals } from '../common/secure-compare.js';

/**
 * Whether a scrape may read /metrics: always when no METRICS_TOKEN is set, else only with
 * `Authorization: Bearer <token>` (scheme case-insensitive), compared in constant time.
 */
export function metricsAuthorized(token: string | null, authorization: string | string[] | undefined): boolean {
  if (token === null) return true;
  if (typeof authorization !== 'string') return false;
  const space = authorization.indexOf(' ');
  if (space < 0 || authorization.slice(0, space).toLowerCase() !== 'bearer') return false;
  return secretEquals(authorization.slice(space + 1).trim(), token);
}

/** The 401 both processes answer, in the API's error shape. */
export const METRICS_UNAUTHORIZED = { body: '{"detail":"Not authenticated"}', headers: { 'WWW-Authenticate': 'Bearer' } } as const;
