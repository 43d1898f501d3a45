import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Init1764345600000 implements MigrationInterface {
  name = 'Init1764345600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pgcrypto`);
    await q.query(`
      CREATE TABLE "organizations" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "name" text NOT NULL,
        "signing_secret" text NOT NULL,
        "created_at" timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT "PK_organizations" PRIMARY KEY ("id")
      )`);
    await q.query(`
      CREATE TABLE "api_keys" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "org_id" uuid NOT NULL,
        "name" text NOT NULL DEFAULT '',
        "mode" text NOT NULL,
        "prefix" text NOT NULL,
        "secret_hash" text NOT NULL,
        "scopes" text array NOT NULL,
        "created_at" timestamptz(3) NOT NULL DEFAULT now(),
        "last_used_at" timestamptz(3),
        "revoked_at" timestamptz(3),
        CONSTRAINT "PK_api_keys" PRIMARY KEY ("id"),
        CONSTRAINT "fk_api_keys_org_id" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX "idx_api_keys_org_id" ON "api_keys" ("org_id")`);
    await q.query(`CREATE UNIQUE INDEX "uq_api_keys_secret_hash" ON "api_keys" ("secret_hash")`);
    await q.query(`
      CREATE TABLE "images" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "org_id" uuid NOT NULL,
        "template_id" uuid NOT NULL,
        "template_version" integer NOT NULL,
        "status" text NOT NULL DEFAULT 'pending',
        "modifications" jsonb NOT NULL DEFAULT '[]',
        "result_key" text,
        "thumbnail_key" text,
        "error" jsonb,
        "image_metadata" jsonb NOT NULL DEFAULT '{}',
        "duration_ms" integer,
        "created_at" timestamptz(3) NOT NULL DEFAULT now(),
        "started_at" timestamptz(3),
        "completed_at" timestamptz(3),
        "updated_at" timestamptz(3),
        "is_test" boolean NOT NULL DEFAULT false,
        "api_key_id" uuid,
        "format" text NOT NULL DEFAULT 'png',
        "quality" integer,
        "scale" integer NOT NULL DEFAULT 1,
        "webhook_url" text,
        "collection_id" uuid,
        "metadata" jsonb NOT NULL DEFAULT '{}',
        "attempts" integer NOT NULL DEFAULT 0,
        CONSTRAINT "PK_images" PRIMARY KEY ("id")
      )`);
    await q.query(`CREATE INDEX "idx_images_org_created" ON "images" ("org_id", "created_at", "id")`);
    await q.query(`CREATE INDEX "idx_images_template_id" ON "images" ("template_id")`);
    await q.query(`CREATE INDEX "idx_images_collection_id" ON "images" ("collection_id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "images"`);
    await q.query(`DROP TABLE "api_keys"`);
    await q.query(`DROP TABLE "organizations"`);
  }
}
