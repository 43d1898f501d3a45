import { Brackets, type ObjectLiteral, type SelectQueryBuilder } from 'typeorm';
import type { CursorPosition } from './cursor.js';

/**
 * Newest-first keyset page over (created_at, id): rows strictly after the cursor, limit + 1 of
 * them so the caller can tell whether another page exists (see toPage).
 */
export function fetchKeysetRows<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  alias: string,
  limit: number,
  cursor?: CursorPosition,
): Promise<T[]> {
  if (cursor) {
    qb.andWhere(
      new Brackets((w) => {
        w.where(`${alias}.created_at < :kCreatedAt`, { kCreatedAt: cursor.createdAt }).orWhere(
          `(${alias}.created_at = :kCreatedAt AND ${alias}.id < :kId)`,
          { kCreatedAt: cursor.createdAt, kId: cursor.id },
        );
      }),
    );
  }
  return qb.orderBy(`${alias}.created_at`, 'DESC').addOrderBy(`${alias}.id`, 'DESC').limit(limit + 1).getMany();
}
