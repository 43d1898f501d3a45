import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Every scope that existed before webhook endpoints, people and event rules. */
export const SCOPES_BEFORE_1765468800000 = ['images:read', 'images:write', 'templates:read', 'templates:write', 'webhooks:write'];

/** The scopes that came with them. */
export const SCOPES_ADDED_1765468800000 = ['webhooks:read', 'people:read', 'people:write', 'rules:read', 'rules:write'];

/**
 * Keys store their scope list, so a key made with every scope ("all", the default) before the new
 * features would lack theirs after the upgrade. A key that held every scope of its time gets the
 * new ones; a key limited on purpose stays as it is. Idempotent (a scope it has is not added twice).
 */
export class GrantNewScopes1765468800000 implements MigrationInterface {
  name = 'GrantNewScopes1765468800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `UPDATE api_keys SET scopes = scopes || ARRAY(SELECT s FROM unnest($2::text[]) AS s WHERE s <> ALL (api_keys.scopes))
       WHERE scopes @> $1::text[] AND NOT scopes @> $2::text[]`,
      [SCOPES_BEFORE_1765468800000, SCOPES_ADDED_1765468800000],
    );
  }

  async down(): Promise<void> {
    // Nothing to undo: a key that holds a scope the older schema does not know is refused nothing by it.
  }
}
