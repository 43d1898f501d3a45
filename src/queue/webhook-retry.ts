/** Retry schedule after a failed attempt: 1 min, 5 min, 30 min, 2 h, 12 h (then give up). */
export const WEBHOOK_RETRY_DELAYS_MS = [60_000, 300_000, 1_800_000, 7_200_000, 43_200_000] as const;

/** Attempts of one delivery in all: the first and one per retry delay. */
export const WEBHOOK_ATTEMPTS = WEBHOOK_RETRY_DELAYS_MS.length + 1;

export function webhookRetryDelay(attemptsMade: number, scale: number): number {
  const base = WEBHOOK_RETRY_DELAYS_MS[Math.min(Math.max(attemptsMade, 1), WEBHOOK_RETRY_DELAYS_MS.length) - 1];
  return Math.max(1, Math.round(base * scale));
}
