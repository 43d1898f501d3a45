import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Organisation webhook endpoints and the delivery log (webhooks/). */
export class WebhookEndpoints1764864000000 implements MigrationInterface {
  name = 'WebhookEndpoints1764864000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "webhook_endpoints" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "org_id" uuid NOT NULL,
        "url" text NOT NULL,
        "events" text array,
        "description" text,
        "secret" text NOT NULL,
        "created_at" timestamptz(3) NOT NULL DEFAULT now(),
        "updated_at" timestamptz(3),
        "deleted_at" timestamptz(3),
        CONSTRAINT "PK_webhook_endpoints" PRIMARY KEY ("id")
      )`);
    await q.query(`CREATE INDEX "idx_webhook_endpoints_org_created" ON "webhook_endpoints" ("org_id", "created_at", "id")`);
    await q.query(`
      CREATE TABLE "webhook_deliveries" (
        "id" uuid NOT NULL,
        "org_id" uuid NOT NULL,
        "queue_prefix" text NOT NULL,
        "endpoint_id" uuid,
        "url" text NOT NULL,
        "event_id" uuid NOT NULL,
        "event_type" text NOT NULL,
        "resource_kind" text NOT NULL,
        "resource_id" uuid NOT NULL,
        "occurred_at" timestamptz(3) NOT NULL,
        "status" text NOT NULL DEFAULT 'pending',
        "attempts" jsonb NOT NULL DEFAULT '[]',
        "attempt_count" integer NOT NULL DEFAULT 0,
        "next_retry_at" timestamptz(3),
        "created_at" timestamptz(3) NOT NULL DEFAULT now(),
        "updated_at" timestamptz(3),
        CONSTRAINT "PK_webhook_deliveries" PRIMARY KEY ("id")
      )`);
    await q.query(`CREATE INDEX "idx_webhook_deliveries_endpoint_created" ON "webhook_deliveries" ("endpoint_id", "created_at", "id")`);
    await q.query(`CREATE INDEX "idx_webhook_deliveries_event" ON "webhook_deliveries" ("event_id")`);
    // The retention sweep's scan: finished deliveries by age.
    await q.query(`CREATE INDEX "idx_webhook_deliveries_finished" ON "webhook_deliveries" ("updated_at") WHERE status <> 'pending'`);
    // The delivery sweeper's scan: pending deliveries, oldest first.
    await q.query(`CREATE INDEX "idx_webhook_deliveries_pending" ON "webhook_deliveries" ("created_at") WHERE status = 'pending'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "webhook_deliveries"`);
    await q.query(`DROP TABLE "webhook_endpoints"`);
  }
}
