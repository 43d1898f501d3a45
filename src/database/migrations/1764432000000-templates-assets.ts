import type { MigrationInterface, QueryRunner } from 'typeorm';

export class TemplatesAssets1764432000000 implements MigrationInterface {
  name = 'TemplatesAssets1764432000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "templates" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "org_id" uuid NOT NULL,
        "name" text NOT NULL,
        "width" integer NOT NULL,
        "height" integer NOT NULL,
        "background" jsonb NOT NULL DEFAULT '{}',
        "layers" jsonb NOT NULL DEFAULT '[]',
        "current_version" integer,
        "metadata" jsonb NOT NULL DEFAULT '{}',
        "created_at" timestamptz(3) NOT NULL DEFAULT now(),
        "updated_at" timestamptz(3),
        "archived_at" timestamptz(3),
        CONSTRAINT "PK_templates" PRIMARY KEY ("id")
      )`);
    await q.query(`CREATE INDEX "idx_templates_org_created" ON "templates" ("org_id", "created_at", "id")`);
    await q.query(`
      CREATE TABLE "template_versions" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "template_id" uuid NOT NULL,
        "org_id" uuid NOT NULL,
        "version" integer NOT NULL,
        "name" text NOT NULL,
        "width" integer NOT NULL,
        "height" integer NOT NULL,
        "background" jsonb NOT NULL DEFAULT '{}',
        "layers" jsonb NOT NULL DEFAULT '[]',
        "created_at" timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT "PK_template_versions" PRIMARY KEY ("id")
      )`);
    await q.query(
      `CREATE UNIQUE INDEX "uq_template_versions_template_version" ON "template_versions" ("template_id", "version")`,
    );
    // Published versions are history: renders pin them, so nothing may rewrite or remove one.
    await q.query(`
      CREATE FUNCTION template_versions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'template_versions rows are immutable (% refused)', TG_OP USING ERRCODE = 'restrict_violation';
      END $$`);
    await q.query(`
      CREATE TRIGGER "trg_template_versions_immutable" BEFORE UPDATE OR DELETE ON "template_versions"
      FOR EACH ROW EXECUTE FUNCTION template_versions_immutable()`);
    await q.query(`
      CREATE TABLE "assets" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "org_id" uuid NOT NULL,
        "kind" text NOT NULL,
        "content_type" text NOT NULL,
        "format" text NOT NULL,
        "filename" text NOT NULL DEFAULT '',
        "bytes" integer NOT NULL,
        "width" integer,
        "height" integer,
        "font_family" text,
        "sha256" text NOT NULL,
        "storage_key" text NOT NULL,
        "created_at" timestamptz(3) NOT NULL DEFAULT now(),
        "deleted_at" timestamptz(3),
        CONSTRAINT "PK_assets" PRIMARY KEY ("id")
      )`);
    await q.query(`CREATE INDEX "idx_assets_org_created" ON "assets" ("org_id", "created_at", "id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "assets"`);
    await q.query(`DROP TRIGGER "trg_template_versions_immutable" ON "template_versions"`);
    await q.query(`DROP TABLE "template_versions"`);
    await q.query(`DROP FUNCTION template_versions_immutable()`);
    await q.query(`DROP TABLE "templates"`);
  }
}
