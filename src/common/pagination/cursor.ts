import { errorItem, RequestValidationError } from '../../http/validation-errors.js';

/** Opaque keyset cursor over (created_at, id), newest first. */
export interface CursorPosition {
  createdAt: Date;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function encodeCursor(pos: CursorPosition): string {
  return Buffer.from(JSON.stringify([pos.createdAt.toISOString(), pos.id]), 'utf8').toString('base64url');
}

export function decodeCursor(raw: string): CursorPosition | null {
  if (raw.length === 0 || raw.length > 200 || !/^[A-Za-z0-9_-]+$/.test(raw)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) return null;
  const [iso, id] = parsed as unknown[];
  if (typeof iso !== 'string' || typeof id !== 'string' || !UUID.test(id)) return null;
  const createdAt = new Date(iso);
  if (Number.isNaN(createdAt.getTime()) || createdAt.toISOString() !== iso) return null;
  return { createdAt, id };
}

export interface Page<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  next_cursor: string | null;
}

/** Callers fetch limit + 1 rows; the extra row only tells whether there is a next page. */
export function toPage<R extends CursorPosition, T>(rows: R[], limit: number, map: (r: R) => T): Page<T> {
  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  const last = pageRows[pageRows.length - 1];
  return {
    object: 'list',
    data: pageRows.map(map),
    has_more: hasMore,
    next_cursor: hasMore && last ? encodeCursor(last) : null,
  };
}

/** The 422 for a cursor we did not issue (or that was altered). */
export function invalidCursor(raw: string): RequestValidationError {
  return new RequestValidationError([
    errorItem('value_error', ['query', 'cursor'], raw, { error: 'invalid cursor: pass next_cursor from a previous page unchanged' }),
  ]);
}

/** A `cursor` query value: absent, or one of ours (else the 422 above). */
export function cursorParam(raw: string | undefined): CursorPosition | undefined {
  if (raw === undefined) return undefined;
  const pos = decodeCursor(raw);
  if (!pos) throw invalidCursor(raw);
  return pos;
}
