import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The retention sweep's scans (EVENT_RETENTION_DAYS): ingested events and rule runs by age. */
export class EventRetention1765555200000 implements MigrationInterface {
  name = 'EventRetention1765555200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX "idx_ingested_events_created" ON "ingested_events" ("created_at")`);
    await q.query(`CREATE INDEX "idx_event_rule_runs_created" ON "event_rule_runs" ("created_at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "idx_event_rule_runs_created"`);
    await q.query(`DROP INDEX "idx_ingested_events_created"`);
  }
}
