import { randomUUID } from 'node:crypto';
import { InjectQueue } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bull';
import { WEBHOOK_RETRY_DELAYS_MS } from './webhook-retry.js';
import { QueueName, WebhookJob, type DeliverWebhookPayload } from './queue.constants.js';

/** The one way onto the webhooks queue. */
@Injectable()
export class WebhookProducer {
  constructor(@InjectQueue(QueueName.Webhooks) private readonly queue: Queue<DeliverWebhookPayload>) {}

  /** One delivery per image and event: jobId makes a re-run of the render enqueue it only once. */
  async enqueue(imageId: string, event: DeliverWebhookPayload['event'], requestId: string): Promise<void> {
    await this.queue.add(
      WebhookJob.Deliver,
      { deliveryId: randomUUID(), imageId, event, requestId },
      {
        jobId: `${imageId}:${event}`,
        attempts: WEBHOOK_RETRY_DELAYS_MS.length + 1,
        backoff: { type: 'webhook' },
        removeOnComplete: true,
        removeOnFail: 1000,
      },
    );
  }
}
