import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Video renders (POST /v1/videos): a row per clip, with its progress and its rendering lease. */
export class Videos1765209600000 implements MigrationInterface {
  name = 'Videos1765209600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "videos" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "org_id" uuid NOT NULL,
        "template_id" uuid NOT NULL,
        "template_version" integer NOT NULL,
        "status" text NOT NULL DEFAULT 'pending',
        "progress" real NOT NULL DEFAULT 0,
        "modifications" jsonb NOT NULL DEFAULT '[]',
        "duration_seconds" double precision NOT NULL,
        "fps" integer NOT NULL,
        "format" text NOT NULL DEFAULT 'mp4',
        "poster_time" double precision NOT NULL DEFAULT 0,
        "result_key" text,
        "thumbnail_key" text,
        "error" jsonb,
        "video_metadata" jsonb NOT NULL DEFAULT '{}',
        "duration_ms" integer,
        "created_at" timestamptz(3) NOT NULL DEFAULT now(),
        "started_at" timestamptz(3),
        "completed_at" timestamptz(3),
        "updated_at" timestamptz(3),
        "lease_until" timestamptz(3),
        "is_test" boolean NOT NULL DEFAULT false,
        "api_key_id" uuid,
        "webhook_url" text,
        "metadata" jsonb NOT NULL DEFAULT '{}',
        "attempts" integer NOT NULL DEFAULT 0,
        CONSTRAINT "PK_videos" PRIMARY KEY ("id")
      )`);
    await q.query(`CREATE INDEX "idx_videos_org_created" ON "videos" ("org_id", "created_at", "id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "videos"`);
  }
}
