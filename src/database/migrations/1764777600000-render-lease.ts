import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The lease of the execution rendering an image (renewed while it runs; lapsed means lost). */
export class RenderLease1764777600000 implements MigrationInterface {
  name = 'RenderLease1764777600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "images" ADD "lease_until" timestamptz(3)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "images" DROP COLUMN "lease_until"`);
  }
}
