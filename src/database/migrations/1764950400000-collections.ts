import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Collections: one modification set rendered over several templates, with exact counters. */
export class Collections1764950400000 implements MigrationInterface {
  name = 'Collections1764950400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "collections" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "org_id" uuid NOT NULL,
        "is_test" boolean NOT NULL DEFAULT false,
        "api_key_id" uuid,
        "status" text NOT NULL DEFAULT 'rendering',
        "template_ids" uuid array NOT NULL,
        "image_ids" uuid array NOT NULL,
        "renders_total" integer NOT NULL,
        "renders_completed" integer NOT NULL DEFAULT 0,
        "renders_failed" integer NOT NULL DEFAULT 0,
        "format" text NOT NULL DEFAULT 'png',
        "webhook_url" text,
        "metadata" jsonb NOT NULL DEFAULT '{}',
        "created_at" timestamptz(3) NOT NULL DEFAULT now(),
        "completed_at" timestamptz(3),
        CONSTRAINT "PK_collections" PRIMARY KEY ("id")
      )`);
    await q.query(`CREATE INDEX "idx_collections_org_created" ON "collections" ("org_id", "created_at", "id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "collections"`);
  }
}
