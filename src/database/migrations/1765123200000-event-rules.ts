import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Event sources, rules, ingested events and rule runs (src/events/). */
export class EventRules1765123200000 implements MigrationInterface {
  name = 'EventRules1765123200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "event_sources" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "org_id" uuid NOT NULL,
        "type" text NOT NULL,
        "name" text NOT NULL,
        "secret" text NOT NULL,
        "created_at" timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT "PK_event_sources" PRIMARY KEY ("id")
      )`);
    await q.query(`CREATE INDEX "idx_event_sources_org_created" ON "event_sources" ("org_id", "created_at", "id")`);
    await q.query(`
      CREATE TABLE "event_rules" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "org_id" uuid NOT NULL,
        "name" text NOT NULL,
        "event_type" text,
        "schedule_cron" text,
        "schedule_timezone" text,
        "template_id" uuid NOT NULL,
        "mapping" jsonb NOT NULL DEFAULT '{}',
        "filter" jsonb NOT NULL DEFAULT '[]',
        "destination_url" text,
        "enabled" boolean NOT NULL DEFAULT true,
        "is_test" boolean NOT NULL DEFAULT false,
        "api_key_id" uuid,
        "created_at" timestamptz(3) NOT NULL DEFAULT now(),
        "updated_at" timestamptz(3),
        CONSTRAINT "PK_event_rules" PRIMARY KEY ("id")
      )`);
    await q.query(`CREATE INDEX "idx_event_rules_org_created" ON "event_rules" ("org_id", "created_at", "id")`);
    // Ingestion looks up the enabled rules of one event type.
    await q.query(`CREATE INDEX "idx_event_rules_org_type" ON "event_rules" ("org_id", "event_type") WHERE enabled`);
    await q.query(`
      CREATE TABLE "ingested_events" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "org_id" uuid NOT NULL,
        "source_id" uuid NOT NULL,
        "event_id" text NOT NULL,
        "type" text NOT NULL,
        "payload" jsonb NOT NULL,
        "created_at" timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT "PK_ingested_events" PRIMARY KEY ("id")
      )`);
    await q.query(`CREATE UNIQUE INDEX "uq_ingested_events_source_event" ON "ingested_events" ("source_id", "event_id")`);
    await q.query(`
      CREATE TABLE "event_rule_runs" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "org_id" uuid NOT NULL,
        "rule_id" uuid NOT NULL,
        "ingested_event_id" uuid,
        "event_id" text,
        "scheduled_at" timestamptz(3),
        "status" text NOT NULL,
        "reason" text,
        "modifications" jsonb,
        "image_id" uuid,
        "error" jsonb,
        "created_at" timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT "PK_event_rule_runs" PRIMARY KEY ("id")
      )`);
    await q.query(`CREATE INDEX "idx_event_rule_runs_rule_created" ON "event_rule_runs" ("rule_id", "created_at", "id")`);
    await q.query(`CREATE UNIQUE INDEX "uq_event_rule_runs_rule_event" ON "event_rule_runs" ("rule_id", "ingested_event_id")`);
    // One firing per tick however many workers see it.
    await q.query(`CREATE UNIQUE INDEX "uq_event_rule_runs_rule_tick" ON "event_rule_runs" ("rule_id", "scheduled_at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "event_rule_runs"`);
    await q.query(`DROP TABLE "ingested_events"`);
    await q.query(`DROP TABLE "event_rules"`);
    await q.query(`DROP TABLE "event_sources"`);
  }
}
