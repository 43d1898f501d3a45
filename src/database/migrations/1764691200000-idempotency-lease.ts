import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Idempotency keys scoped by key mode, and an expiring lease for the request in progress. */
export class IdempotencyLease1764691200000 implements MigrationInterface {
  name = 'IdempotencyLease1764691200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "idempotency_keys" ADD "mode" text NOT NULL DEFAULT 'live'`);
    await q.query(`ALTER TABLE "idempotency_keys" ADD "lease_token" uuid`);
    await q.query(`ALTER TABLE "idempotency_keys" ADD "locked_until" timestamptz(3)`);
    await q.query(`DROP INDEX "uq_idempotency_keys_org_key"`);
    await q.query(`CREATE UNIQUE INDEX "uq_idempotency_keys_org_mode_key" ON "idempotency_keys" ("org_id", "mode", "key")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "uq_idempotency_keys_org_mode_key"`);
    await q.query(`DELETE FROM "idempotency_keys" WHERE "mode" <> 'live'`);
    await q.query(`CREATE UNIQUE INDEX "uq_idempotency_keys_org_key" ON "idempotency_keys" ("org_id", "key")`);
    await q.query(`ALTER TABLE "idempotency_keys" DROP COLUMN "locked_until"`);
    await q.query(`ALTER TABLE "idempotency_keys" DROP COLUMN "lease_token"`);
    await q.query(`ALTER TABLE "idempotency_keys" DROP COLUMN "mode"`);
  }
}
