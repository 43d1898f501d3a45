import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The transactional outbox (queue/outbox.entity.ts). */
export class Outbox1764648000000 implements MigrationInterface {
  name = 'Outbox1764648000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "outbox" (
        "id" uuid NOT NULL,
        "topic" text NOT NULL,
        "queue_prefix" text NOT NULL,
        "aggregate_id" uuid NOT NULL,
        "payload" jsonb NOT NULL,
        "created_at" timestamptz(3) NOT NULL DEFAULT now(),
        "available_at" timestamptz(3) NOT NULL DEFAULT now(),
        "attempts" integer NOT NULL DEFAULT 0,
        "sent_at" timestamptz(3),
        "last_error" text,
        CONSTRAINT "PK_outbox" PRIMARY KEY ("id")
      )`);
    await q.query(`CREATE INDEX "idx_outbox_aggregate" ON "outbox" ("aggregate_id", "created_at")`);
    // The relay's scan: only unsent records, in due order.
    await q.query(`CREATE INDEX "idx_outbox_unsent" ON "outbox" ("available_at") WHERE sent_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "outbox"`);
  }
}
