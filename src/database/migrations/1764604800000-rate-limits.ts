import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per-key rate limits (NULL = the RATE_LIMIT_PER_MINUTE default, 0 = unlimited) and the partial
 * index behind the per-organisation cap on pending renders: the cap's count reads only this
 * index, which holds nothing but the pending rows.
 */
export class RateLimits1764604800000 implements MigrationInterface {
  name = 'RateLimits1764604800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "api_keys" ADD "rate_limit_per_minute" integer`);
    await q.query(`ALTER TABLE "api_keys" ADD CONSTRAINT "chk_api_keys_rate_limit" CHECK ("rate_limit_per_minute" >= 0)`);
    await q.query(`CREATE INDEX "idx_images_org_pending" ON "images" ("org_id") WHERE status = 'pending'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "idx_images_org_pending"`);
    await q.query(`ALTER TABLE "api_keys" DROP CONSTRAINT "chk_api_keys_rate_limit"`);
    await q.query(`ALTER TABLE "api_keys" DROP COLUMN "rate_limit_per_minute"`);
  }
}
