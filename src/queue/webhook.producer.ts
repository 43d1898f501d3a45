import { createHash } from 'node:crypto';
import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable } from '@nestjs/common';
import type { Queue } from 'bull';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { withTimeout } from '../common/timeout.js';
import { WEBHOOK_JOB_ATTEMPTS } from './webhook-retry.js';
import { LIVE_JOB_STATES, QueueName, WebhookJob, type DeliverWebhookPayload } from './queue.constants.js';

/** Finished deliveries are kept this long so a late duplicate enqueue of the same delivery is a no-op. */
const KEEP_DELIVERED_SECONDS = 24 * 3600;

/**
 * One delivery per event and destination, whatever retries or duplicates happen upstream: a
 * name-based UUID (v5 layout, SHA-256) over both.
 */
export function deliveryIdFor(eventId: string, destination: string): string {
  const h = createHash('sha256').update(`${eventId}\n${destination}`).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

/** The one way onto the webhooks queue (called by the OutboxRelay only). */
@Injectable()
export class WebhookProducer {
  constructor(
    @InjectQueue(QueueName.Webhooks) private readonly queue: Queue<DeliverWebhookPayload>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private bounded<T>(p: Promise<T>, what: string): Promise<T> {
    return withTimeout(p, this.config.queue.commandTimeoutMs, `Redis (${what})`);
  }

  /**
   * Queues the delivery unless its job still lives (the sweeper, for a pending row whose job Redis
   * lost or Bull gave up on). A finished job of the same id is removed first, since it would make
   * the add a no-op. Answers whether it queued.
   */
  async requeue(deliveryId: string, requestId: string): Promise<boolean> {
    const job = await this.bounded(this.queue.getJob(deliveryId), 'getJob');
    if (job) {
      if (LIVE_JOB_STATES.has(await this.bounded(job.getState(), 'job state'))) return false;
      await this.bounded(job.remove(), 'job remove');
    }
    await this.enqueue(deliveryId, requestId);
    return true;
  }

  /** jobId = delivery id, so enqueueing the same delivery again (a relay retry) is a no-op. */
  async enqueue(deliveryId: string, requestId: string): Promise<void> {
    await this.bounded(
      this.queue.add(
        WebhookJob.Deliver,
        { deliveryId, requestId },
        {
          jobId: deliveryId,
          attempts: WEBHOOK_JOB_ATTEMPTS,
          backoff: { type: 'webhook' },
          removeOnComplete: { age: KEEP_DELIVERED_SECONDS },
          removeOnFail: 1000,
        },
      ),
      'webhook enqueue',
    );
  }
}
