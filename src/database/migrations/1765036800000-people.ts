import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The people directory (photo, name, caller reference, tags; soft delete). */
export class People1765036800000 implements MigrationInterface {
  name = 'People1765036800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "people" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "org_id" uuid NOT NULL,
        "name" text NOT NULL,
        "external_id" text,
        "photo_asset_id" uuid NOT NULL,
        "tags" jsonb NOT NULL DEFAULT '{}',
        "created_at" timestamptz(3) NOT NULL DEFAULT now(),
        "updated_at" timestamptz(3) NOT NULL DEFAULT now(),
        "deleted_at" timestamptz(3),
        CONSTRAINT "PK_people" PRIMARY KEY ("id")
      )`);
    await q.query(`CREATE INDEX "idx_people_org_created" ON "people" ("org_id", "created_at", "id")`);
    await q.query(
      `CREATE UNIQUE INDEX "uq_people_org_external_id" ON "people" ("org_id", "external_id") WHERE deleted_at IS NULL AND external_id IS NOT NULL`,
    );
    await q.query(`CREATE INDEX "idx_people_tags" ON "people" USING gin ("tags" jsonb_path_ops)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "people"`);
  }
}
