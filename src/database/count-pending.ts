import type { DataSource } from 'typeorm';

/**
 * An organisation's rows in status `pending` of a render table, counted up to `upTo` (a cap):
 * a huge backlog costs no more to count than the cap. For the pending caps of images and videos.
 */
export async function countPendingUpTo(ds: DataSource, table: 'images' | 'videos', orgId: string, upTo: number): Promise<number> {
  const rows = (await ds.query(`SELECT count(*)::int AS n FROM (SELECT 1 FROM ${table} WHERE org_id = $1 AND status = 'pending' LIMIT $2) AS p`, [
    orgId,
    upTo,
  ])) as { n: number }[];
  return rows[0].n;
}
