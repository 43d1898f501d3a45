import type { Queue } from 'bull';
import type { DataSource } from 'typeorm';

export interface Readiness {
  database: 'ok' | 'failing';
  redis: 'ok' | 'failing';
}

/** PostgreSQL and Redis each answer within a second (the API's /readyz and the worker's). */
export async function checkReadiness(ds: DataSource, queue: Queue): Promise<Readiness> {
  const [db, redis] = await Promise.allSettled([withTimeout(ds.query('SELECT 1'), 1000), withTimeout(queue.client.ping(), 1000)]);
  return { database: db.status === 'fulfilled' ? 'ok' : 'failing', redis: redis.status === 'fulfilled' ? 'ok' : 'failing' };
}

export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolveP, reject) => {
    const t = setTimeout(() => reject(new Error('timeout')), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolveP(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
