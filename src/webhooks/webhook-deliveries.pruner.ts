import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository.js';

const EVERY_MS = 3_600_000;
const BATCH = 1000;

/**
 * Worker graph only: deletes finished deliveries older than WEBHOOK_DELIVERY_RETENTION_DAYS, once
 * at start and hourly, in batches so no statement holds many row locks. Several workers may run it
 * at once: a row deleted twice is simply gone.
 */
@Injectable()
export class WebhookDeliveriesPruner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Webhooks');
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly deliveries: WebhookDeliveriesRepository,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.kick(), EVERY_MS);
    this.timer.unref();
    this.kick();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private kick(): void {
    this.running ??= this.prune().finally(() => (this.running = undefined));
  }

  private async prune(): Promise<void> {
    try {
      let deleted = 0;
      for (let n = BATCH; n === BATCH; deleted += n) n = await this.deliveries.pruneFinished(this.config.webhookDeliveryRetentionDays, BATCH);
      if (deleted) this.logger.log(`deleted ${deleted} webhook deliveries finished over ${this.config.webhookDeliveryRetentionDays} days ago`);
    } catch (err) {
      // The database is away; the next pass catches up.
      this.logger.warn(`webhook delivery retention pass failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
