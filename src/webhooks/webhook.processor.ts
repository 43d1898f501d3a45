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
import { ImageOut } from '../images/image.dto.js';
import { ImagesRepository } from '../images/images.repository.js';
import { OrgEntity } from '../orgs/org.entity.js';
import { QueueName, WebhookJob, type DeliverWebhookPayload } from '../queue/queue.constants.js';
import { STORAGE_DRIVER, type StorageDriver } from '../storage/storage.types.js';
import { signWebhookBody } from './signing.js';
import { VideoOut } from '../videos/video.dto.js';
import { VideoEntity } from '../videos/video.entity.js';
import { VideosRepository } from '../videos/videos.repository.js';

const RESPONSE_CAP_BYTES = 64 * 1024;

/**
 * Worker graph only. Delivers per-render webhooks: a signed POST of {type, created_at, data:
 * ImageOut (VideoOut for video events)}; any non-2xx, timeout or refused address throws, and Bull retries on the webhook
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
    private readonly videos: VideosRepository,
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

  /** What an event is about (the image, or the video of a video event), as delivered now: URLs freshly signed. */
  private async subjectOf(d: DeliverWebhookPayload): Promise<{ orgId: string; webhookUrl: string | null; data: () => Promise<unknown> } | null> {
    const ttl = this.config.signedUrlTtlSeconds;
    const row = d.videoId ? await this.videos.findById(d.videoId) : d.imageId ? await this.images.findById(d.imageId) : null;
    if (!row) return null;
    const data = row instanceof VideoEntity ? () => VideoOut.from(row, this.storage, ttl) : () => ImageOut.from(row, this.storage, ttl);
    return { orgId: row.orgId, webhookUrl: row.webhookUrl, data };
  }

  /** One delivery attempt: the HTTP status of a 2xx answer, 0 when there is nothing to deliver, else throws. */
  private async attempt(job: Job<DeliverWebhookPayload>): Promise<number> {
    const { deliveryId, event } = job.data;
    const subjectId = job.data.videoId ?? job.data.imageId;
    const subject = await this.subjectOf(job.data);
    // The destination fixed with the event; jobs queued before events carried it use the row's.
    const url = job.data.url ?? subject?.webhookUrl;
    if (!subject || !url) return 0;
    const org = await this.ds.getRepository(OrgEntity).findOneByOrFail({ id: subject.orgId });
    const data = await subject.data();
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
}
