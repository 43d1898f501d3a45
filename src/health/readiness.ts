import type { Queue } from 'bull';
import type { DataSource } from 'typeorm';
import { withTimeout } from '../common/timeout.js';

export interface Readiness {
  database: 'ok' | 'failing';
  redis: 'ok' | 'failing';
}

/** PostgreSQL and Redis each answer within a second (the API's /readyz and the worker's). */
export async function checkReadiness(ds: DataSource, queue: Queue): Promise<Readiness> {
  const [db, redis] = await Promise.allSettled([withTimeout(ds.query('SELECT 1'), 1000), withTimeout(queue.client.ping(), 1000)]);
  return { database: db.status === 'fulfilled' ? 'ok' : 'failing', redis: redis.status === 'fulfilled' ? 'ok' : 'failing' };
}
