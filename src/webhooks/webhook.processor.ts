import { Process, Processor } from '@nestjs/bull';
import { Inject, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Job } from 'bull';
import type { Logger as Pino } from 'pino';
import { Metrics } from '../health/metrics.js';
import { ROOT_LOGGER } from '../logging/logger.js';
import { runWithJobLogContext } from '../logging/log-context.js';
import { DataSource } from 'typeorm';
import { createAddressPolicy, type AddressPolicy } from '../outbound/address-policy.js';
import { safeRequest } from '../outbound/safe-request.js';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { CollectionOut } from '../collections/collection.dto.js';
import { CollectionsRepository } from '../collections/collections.repository.js';
import { ImageOut } from '../images/image.dto.js';
import { ImagesRepository } from '../images/images.repository.js';
import { OrgEntity } from '../orgs/org.entity.js';
import { QueueName, WebhookJob, type DeliverWebhookPayload } from '../queue/queue.constants.js';
import { STORAGE_DRIVER, type StorageDriver } from '../storage/storage.types.js';
import { signWebhookBody } from './signing.js';

const RESPONSE_CAP_BYTES = 64 * 1024;

/**
 * Worker graph only. Delivers per-render and per-collection webhooks: a signed POST of {type,
 * created_at, data: ImageOut | CollectionOut}; any non-2xx, timeout or refused address throws, and Bull retries on the webhook
 * schedule. The same SSRF rules as image fetching apply (resolved and checked before connecting).
 */
@Processor(QueueName.Webhooks)
export class WebhookProcessor {
  private readonly logger = new Logger('Webhooks');
  private readonly policy: AddressPolicy;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(STORAGE_DRIVER) private readonly storage: StorageDriver,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly images: ImagesRepository,
    private readonly collections: CollectionsRepository,
    private readonly metrics: Metrics,
    @Inject(ROOT_LOGGER) private readonly root: Pino,
  ) {
    this.policy = createAddressPolicy({ allowCidrs: config.fetchAllowCidrs });
  }

  @Process({ name: WebhookJob.Deliver, concurrency: 8 })
  async deliver(job: Job<DeliverWebhookPayload>): Promise<number> {
    this.metrics.observeQueueWait(QueueName.Webhooks, job);
    return runWithJobLogContext(this.root, QueueName.Webhooks, job, async () => {
      try {
        const status = await this.attempt(job);
        this.metrics.webhookDeliveries.inc({ outcome: status === 0 ? 'skipped' : 'delivered' });
        return status;
      } catch (err) {
        const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
        this.metrics.webhookDeliveries.inc({ outcome: last ? 'failed' : 'retried' });
        throw err;
      }
    });
  }

  /** One delivery attempt: the HTTP status of a 2xx answer, 0 when there is nothing to deliver, else throws. */
  private async attempt(job: Job<DeliverWebhookPayload>): Promise<number> {
    const { deliveryId, event } = job.data;
    const subjectId = job.data.event === 'collection.completed' ? job.data.collectionId : job.data.imageId;
    const subject = job.data.event === 'collection.completed' ? await this.collectionSubject(job.data.collectionId) : await this.imageSubject(job.data.imageId);
    // The destination fixed with the event; jobs queued before events carried it use the row's.
    const url = job.data.url ?? subject?.webhookUrl;
    if (!subject || !url) return 0;
    const org = await this.ds.getRepository(OrgEntity).findOneByOrFail({ id: subject.orgId });
    const data = subject.data;
    const body = JSON.stringify({ type: event, created_at: new Date().toISOString(), data });
    const attempt = job.attemptsMade + 1;
    const res = await safeRequest(url, {
      method: 'POST',
      body,
      headers: {
        'Content-Type': 'application/json',
        'X-Imtegrate-Signature': signWebhookBody(org.signingSecret, body),
        'X-Imtegrate-Delivery-Id': deliveryId,
        'X-Imtegrate-Event': event,
        'X-Imtegrate-Attempt': String(attempt),
      },
      policy: this.policy,
      timeoutMs: 10_000,
      maxBytes: RESPONSE_CAP_BYTES,
      maxRedirects: 0,
    });
    if (res.status < 200 || res.status >= 300) {
      this.logger.warn(`webhook ${deliveryId} (${event} for ${subjectId}) attempt ${attempt}: HTTP ${res.status}`);
      throw new Error(`webhook endpoint answered HTTP ${res.status}`);
    }
    this.logger.log(`webhook ${deliveryId} (${event} for ${subjectId}) delivered on attempt ${attempt}`);
    return res.status;
  }

  /** An image event's `data`: the image exactly as GET /v1/images/{id} returns it, freshly signed. */
  private async imageSubject(imageId: string): Promise<EventSubject | null> {
    const image = await this.images.findById(imageId);
    if (!image) return null;
    return { orgId: image.orgId, webhookUrl: image.webhookUrl, data: await ImageOut.from(image, this.storage, this.config.signedUrlTtlSeconds) };
  }

  /** collection.completed's `data`: the collection exactly as GET /v1/collections/{id} returns it. */
  private async collectionSubject(collectionId: string): Promise<EventSubject | null> {
    const row = await this.collections.findById(collectionId);
    return row && { orgId: row.orgId, webhookUrl: row.webhookUrl, data: CollectionOut.from(row) };
  }
}

/** What a delivery needs of the resource an event is about. */
interface EventSubject {
  orgId: string;
  webhookUrl: string | null;
  data: unknown;
}
