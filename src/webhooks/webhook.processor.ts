import { Process, Processor } from '@nestjs/bull';
import { Inject, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Job } from 'bull';
import type { Logger as Pino } from 'pino';
import { DataSource } from 'typeorm';
import { Metrics } from '../health/metrics.js';
import { ROOT_LOGGER } from '../logging/logger.js';
import { runWithJobLogContext } from '../logging/log-context.js';
import type { AddressPolicy } from '../outbound/address-policy.js';
import { ADDRESS_POLICY } from '../outbound/image-fetcher.provider.js';
import { safeRequest } from '../outbound/safe-request.js';
import { SafeRequestError } from '../outbound/safe-request-error.js';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { describeFetchError } from '../images/url-preflight.js';
import { ImagesRepository } from '../images/images.repository.js';
import { OrgEntity } from '../orgs/org.entity.js';
import { EventType, ResourceKind } from '../queue/outbox.types.js';
import { QueueName, WebhookJob, type DeliverWebhookPayload } from '../queue/queue.constants.js';
import { WEBHOOK_ATTEMPTS, webhookRetryDelay, WebhookRetryLater } from '../queue/webhook-retry.js';
import { EventResources } from './event-resources.js';
import { signWebhookBody, WEBHOOK_USER_AGENT } from './signing.js';
import { type AttemptOutcome, WebhookDeliveriesRepository } from './webhook-deliveries.repository.js';
import type { DeliveryAttempt, WebhookDeliveryEntity } from './webhook-delivery.entity.js';
import { WebhookEndpointsRepository } from './webhook-endpoints.repository.js';

/** Of a receiver's answer only the status counts: more body than this is not read (nor a failure). */
const RESPONSE_CAP_BYTES = 64 * 1024;
/** DESIGN section 8: a receiver gets 10 s to answer. */
const DELIVERY_TIMEOUT_MS = 10_000;

/** The sixth attempt failed too: the row is `failed` and the job must not run again. */
class DeliveryGaveUp extends Error {}

/**
 * Worker graph only. Attempts one delivery row: a signed POST of {type, created_at, data}, the data
 * read now (URLs freshly signed). Every attempt is recorded on the row (compare-and-set); any
 * non-2xx, timeout, connection error or refused address throws, and Bull retries on the webhook
 * schedule until the sixth attempt, when the row is `failed`. A worker killed mid-attempt leaves
 * the job to Bull's stalled-job recovery and the row pending, so the event is attempted again.
 */
@Processor(QueueName.Webhooks)
export class WebhookProcessor {
  private readonly logger = new Logger('Webhooks');

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ADDRESS_POLICY) private readonly policy: AddressPolicy,
    private readonly deliveries: WebhookDeliveriesRepository,
    private readonly endpoints: WebhookEndpointsRepository,
    private readonly resources: EventResources,
    private readonly images: ImagesRepository,
    private readonly metrics: Metrics,
    @Inject(ROOT_LOGGER) private readonly root: Pino,
  ) {}

  @Process({ name: WebhookJob.Deliver, concurrency: 8 })
  async deliver(job: Job<DeliverWebhookPayload>): Promise<number> {
    this.metrics.observeQueueWait(QueueName.Webhooks, job);
    return runWithJobLogContext(this.root, QueueName.Webhooks, job, async () => {
      try {
        const status = await this.attempt(job.data);
        this.metrics.webhookDeliveries.inc({ outcome: status === 0 ? 'skipped' : 'delivered' });
        return status;
      } catch (err) {
        // The row decides when a delivery has failed; Bull's spare attempts are for executions the row never saw.
        if (err instanceof DeliveryGaveUp) await job.discard();
        const last = err instanceof DeliveryGaveUp || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
        this.metrics.webhookDeliveries.inc({ outcome: last ? 'failed' : 'retried' });
        throw err;
      }
    });
  }

  /** One attempt: the HTTP status of a 2xx answer, 0 when there is nothing (more) to deliver, else throws. */
  private async attempt(data: DeliverWebhookPayload): Promise<number> {
    const row = (await this.deliveries.findById(data.deliveryId)) ?? (await this.adoptLegacyJob(data));
    if (!row || row.status !== 'pending') return 0;
    const secret = await this.secretFor(row);
    const payload = secret === null ? null : await this.resources.data(row.resourceKind, row.resourceId);
    if (secret === null || payload === null) {
      await this.deliveries.abandon(row.id);
      this.logger.warn(`webhook ${row.id} (${row.eventType}) abandoned: its endpoint or resource is gone`);
      return 0;
    }
    const body = JSON.stringify({ type: row.eventType, created_at: row.occurredAt.toISOString(), data: payload });
    const number = row.attemptCount + 1;
    const started = Date.now();
    let status: number | null = null;
    let error: string | null = null;
    try {
      const res = await safeRequest(row.url, {
        method: 'POST',
        body,
        headers: {
          'Content-Type': 'application/json',
          'X-Imtegrate-Signature': signWebhookBody(secret, body),
          'X-Imtegrate-Delivery-Id': row.id,
          'X-Imtegrate-Event': row.eventType,
          'X-Imtegrate-Attempt': String(number),
        },
        userAgent: WEBHOOK_USER_AGENT,
        // Checked again here: DNS may have changed since registration.
        policy: this.policy,
        timeoutMs: DELIVERY_TIMEOUT_MS,
        maxBytes: RESPONSE_CAP_BYTES,
        overMaxBytes: 'truncate',
        maxRedirects: 0,
      });
      status = res.status;
    } catch (err) {
      if (!(err instanceof SafeRequestError)) throw err;
      error = describeFetchError(err);
    }
    const ok = status !== null && status >= 200 && status < 300;
    if (!ok && error === null) error = `HTTP ${status}`;
    const record: DeliveryAttempt = { attempted_at: new Date(started).toISOString(), response_status: status, error: ok ? null : error, latency_ms: Date.now() - started };
    const retryInMs = webhookRetryDelay(number, this.config.webhookRetryScale);
    const outcome: AttemptOutcome = ok
      ? { status: 'succeeded' }
      : number >= WEBHOOK_ATTEMPTS
        ? { status: 'failed' }
        : { status: 'pending', nextRetryAt: new Date(Date.now() + retryInMs) };
    // Lost only to a duplicate execution of the same attempt, which then drives the delivery.
    if (!(await this.deliveries.recordAttempt(row.id, row.attemptCount, record, outcome))) return 0;
    const what = `webhook ${row.id} (${row.eventType} for ${row.resourceId})`;
    if (ok) {
      this.logger.log(`${what} delivered on attempt ${number}`);
      return status as number;
    }
    if (outcome.status === 'failed') {
      this.logger.warn(`${what} attempt ${number}: ${error}; giving up`);
      throw new DeliveryGaveUp(`webhook endpoint: ${error}; gave up after ${number} attempts`);
    }
    this.logger.warn(`${what} attempt ${number}: ${error}; next attempt in ${retryInMs} ms`);
    throw new WebhookRetryLater(`webhook endpoint: ${error}`, retryInMs);
  }

  /** The org's signing secret for an explicit URL, the endpoint's for an endpoint; null when the endpoint was deleted. */
  private async secretFor(row: WebhookDeliveryEntity): Promise<string | null> {
    if (row.endpointId === null) return (await this.ds.getRepository(OrgEntity).findOneByOrFail({ id: row.orgId })).signingSecret;
    const endpoint = await this.endpoints.findById(row.endpointId);
    return endpoint && !endpoint.deletedAt ? endpoint.secret : null;
  }

  /** A job queued before deliveries had rows: makes its row (same delivery id), so it is logged and retried like the rest. */
  private async adoptLegacyJob(data: DeliverWebhookPayload): Promise<WebhookDeliveryEntity | null> {
    if (!data.imageId || !data.eventId || !data.event) return null;
    const image = await this.images.findById(data.imageId);
    const url = data.url ?? image?.webhookUrl;
    if (!image || !url) return null;
    await this.deliveries.insert([
      {
        id: data.deliveryId,
        orgId: image.orgId,
        endpointId: null,
        url,
        eventId: data.eventId,
        eventType: data.event === 'image.completed' ? EventType.ImageCompleted : EventType.ImageFailed,
        resourceKind: ResourceKind.Image,
        resourceId: image.id,
        occurredAt: new Date(),
      },
    ]);
    return this.deliveries.findById(data.deliveryId);
  }
}
