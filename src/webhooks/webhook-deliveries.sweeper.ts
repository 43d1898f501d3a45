import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { WebhookProducer } from '../queue/webhook.producer.js';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository.js';

const BATCH = 100;
const PRUNE_BATCH = 1000;
const PRUNE_EVERY_MS = 3_600_000;

/**
 * Worker graph only. Every WEBHOOK_SWEEP_INTERVAL_MS: a pending delivery overdue by
 * WEBHOOK_SWEEP_AFTER_MS whose job no longer lives (Redis lost it, or Bull gave up before the row
 * did) is queued again, so a delivery row never stays pending forever. Hourly: finished deliveries
 * older than WEBHOOK_DELIVERY_RETENTION_DAYS are deleted, in batches. Several workers may sweep at
 * once: a live job is left alone and a requeue of the same delivery id is one job.
 */
@Injectable()
export class WebhookDeliveriesSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Webhooks');
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private lastPrune = 0;
  private lastFailureLog = 0;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly deliveries: WebhookDeliveriesRepository,
    private readonly producer: WebhookProducer,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.kick(), this.config.webhookSweep.intervalMs);
    this.timer.unref();
    this.kick();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private kick(): void {
    this.running ??= this.sweep().finally(() => (this.running = undefined));
  }

  private async sweep(): Promise<void> {
    try {
      let requeued = 0;
      for (const id of await this.deliveries.findOverdue(this.config.webhookSweep.afterMs, BATCH)) {
        if (await this.producer.requeue(id, `sweep:${id}`)) requeued++;
      }
      if (requeued) this.logger.warn(`queued ${requeued} overdue webhook deliveries again (their jobs were gone)`);
      if (Date.now() - this.lastPrune > PRUNE_EVERY_MS) {
        this.lastPrune = Date.now();
        await this.prune();
      }
    } catch (err) {
      // The database or Redis is away; the next pass catches up. One line a minute is enough.
      if (Date.now() - this.lastFailureLog < 60_000) return;
      this.lastFailureLog = Date.now();
      this.logger.warn(`webhook delivery sweep failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private async prune(): Promise<void> {
    let deleted = 0;
    for (let n = PRUNE_BATCH; n === PRUNE_BATCH; deleted += n) n = await this.deliveries.pruneFinished(this.config.webhookDeliveryRetentionDays, PRUNE_BATCH);
    if (deleted) this.logger.log(`deleted ${deleted} webhook deliveries finished over ${this.config.webhookDeliveryRetentionDays} days ago`);
  }
}
