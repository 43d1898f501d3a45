/** Retry schedule after a failed attempt: 1 min, 5 min, 30 min, 2 h, 12 h (then give up). */
export const WEBHOOK_RETRY_DELAYS_MS = [60_000, 300_000, 1_800_000, 7_200_000, 43_200_000] as const;

/** Attempts of one delivery in all: the first and one per retry delay. */
export const WEBHOOK_ATTEMPTS = WEBHOOK_RETRY_DELAYS_MS.length + 1;

/**
 * Bull attempts of a delivery job: the delivery's own six, plus spares for executions that never
 * reached the receiver (the database was down): those count in Bull but not on the delivery row,
 * which decides when the delivery has failed (the processor then discards the job).
 */
export const WEBHOOK_JOB_ATTEMPTS = WEBHOOK_ATTEMPTS + 4;

export function webhookRetryDelay(attemptsMade: number, scale: number): number {
  const base = WEBHOOK_RETRY_DELAYS_MS[Math.min(Math.max(attemptsMade, 1), WEBHOOK_RETRY_DELAYS_MS.length) - 1];
  return Math.max(1, Math.round(base * scale));
}

/** A failed delivery attempt that names when the next one is due (the time its row shows as next_retry_at). */
export class WebhookRetryLater extends Error {
  constructor(
    message: string,
    readonly retryInMs: number,
  ) {
    super(message);
  }
}

/**
 * The Bull backoff of delivery jobs: the delay the delivery row fixed, when the error carries one
 * (so next_retry_at is when the retry runs); else the schedule by Bull's attempt count.
 */
export function webhookBackoff(attemptsMade: number, err: unknown, scale: number): number {
  const fixed = (err as Partial<WebhookRetryLater> | undefined)?.retryInMs;
  return typeof fixed === 'number' && Number.isFinite(fixed) ? Math.max(1, Math.round(fixed)) : webhookRetryDelay(attemptsMade, scale);
}
