import { Redis, type RedisOptions } from 'ioredis';

/**
 * Cross-process invalidation of the API's verified-key cache: whoever revokes a key or changes
 * what it may do (the admin CLI) publishes its id here, and every API process drops it at once.
 */
export const keyEventsChannel = (queuePrefix: string): string => `${queuePrefix}:api-key-changed`;

export interface KeyChange {
  keyId: string;
}

/**
 * Publishes one change; resolves with the number of API processes subscribed. Fails (rather than
 * hangs) within a few seconds when Redis is unreachable, so the caller can say that the change
 * reaches caches only when their entries expire (API_KEY_CACHE_TTL_MS).
 */
export async function publishKeyChange(redis: RedisOptions, queuePrefix: string, change: KeyChange): Promise<number> {
  const client = new Redis({ ...redis, lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0, retryStrategy: () => null, commandTimeout: 3000 });
  client.on('error', () => undefined); // the rejected promise below carries the failure
  try {
    await client.connect();
    return await client.publish(keyEventsChannel(queuePrefix), JSON.stringify(change));
  } finally {
    client.disconnect();
  }
}
