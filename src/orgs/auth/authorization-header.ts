import type { KeyMode } from '../api-key.entity.js';
import { parseKey } from '../api-keys.js';

export type AuthorizationParse =
  | { kind: 'missing' }
  | { kind: 'malformed'; reason: string }
  | { kind: 'key'; key: string; mode: KeyMode };

/** Longer than any key we issue by far; anything this long is refused without hashing it. */
const MAX_HEADER_LENGTH = 512;

/**
 * Pure parse of the Authorization header. Scheme matching is case-insensitive (RFC 7235) and
 * surrounding or repeated spaces are tolerated; an absent or blank header counts as missing, like
 * FastAPI's HTTPBearer. Whether the key exists is decided later, against the database.
 */
export function parseAuthorizationHeader(header: string | string[] | undefined): AuthorizationParse {
  if (Array.isArray(header)) {
    if (header.length !== 1) return header.length === 0 ? { kind: 'missing' } : { kind: 'malformed', reason: 'repeated header' };
    header = header[0];
  }
  if (header === undefined) return { kind: 'missing' };
  const trimmed = header.trim();
  if (trimmed === '') return { kind: 'missing' };
  if (trimmed.length > MAX_HEADER_LENGTH) return { kind: 'malformed', reason: 'too long' };
  const parts = trimmed.split(/[ \t]+/);
  if (parts.length !== 2) return { kind: 'malformed', reason: parts.length === 1 ? 'no credentials' : 'extra tokens' };
  const [scheme, key] = parts;
  if (scheme.toLowerCase() !== 'bearer') return { kind: 'malformed', reason: 'not a bearer scheme' };
  const parsed = parseKey(key);
  if (!parsed) return { kind: 'malformed', reason: 'not an Imtegrate key' };
  return { kind: 'key', key, mode: parsed.mode };
}
