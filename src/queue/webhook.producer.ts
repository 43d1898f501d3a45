import { createHash } from 'node:crypto';
import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable } from '@nestjs/common';
import type { Queue } from 'bull';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { withTimeout } from '../common/timeout.js';
import { WEBHOOK_RETRY_DELAYS_MS } from './webhook-retry.js';
import { QueueName, WebhookJob, type DeliverWebhookPayload, type WebhookEvent } from './queue.constants.js';

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

  /**
   * jobId = delivery id, so enqueueing the same delivery again (a relay retry) is a no-op.
   * `subjectId` is the image of an image event, the video of a video event.
   */
  async enqueue(eventId: string, subjectId: string, event: WebhookEvent, url: string, requestId: string): Promise<string> {
    const deliveryId = deliveryIdFor(eventId, url);
    const subject = event.startsWith('video.') ? { videoId: subjectId } : { imageId: subjectId };
    await withTimeout(
      this.queue.add(
        WebhookJob.Deliver,
        { deliveryId, eventId, ...subject, event, url, requestId },
        {
          jobId: deliveryId,
          attempts: WEBHOOK_RETRY_DELAYS_MS.length + 1,
          backoff: { type: 'webhook' },
          removeOnComplete: { age: KEEP_DELIVERED_SECONDS },
          removeOnFail: 1000,
        },
      ),
      this.config.queue.commandTimeoutMs,
      'Redis (webhook enqueue)',
    );
    return deliveryId;
  }
}
