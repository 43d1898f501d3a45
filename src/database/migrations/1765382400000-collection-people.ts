import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A collection is either one modification set over several templates (`templates`) or one
 * template rendered once per person of the directory (`people`, POST /v1/people/renders);
 * person_ids[i] is the person image_ids[i] was rendered for.
 */
export class CollectionPeople1765382400000 implements MigrationInterface {
  name = 'CollectionPeople1765382400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "collections" ADD "source" text NOT NULL DEFAULT 'templates'`);
    await q.query(`ALTER TABLE "collections" ADD "person_ids" uuid array NOT NULL DEFAULT '{}'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "collections" DROP COLUMN "person_ids"`);
    await q.query(`ALTER TABLE "collections" DROP COLUMN "source"`);
  }
}
