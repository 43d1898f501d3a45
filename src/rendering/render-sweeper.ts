import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { ImagesRepository } from '../images/images.repository.js';
import { OutboxRepository } from '../queue/outbox.repository.js';
import { RenderProducer } from '../queue/render.producer.js';

/**
 * No render stays pending or rendering forever: rows untouched for longer than sweepAfterMs are
 * re-enqueued (the job was lost, e.g. Redis was flushed) or, after too many attempts, failed.
 * Every change is a compare-and-set on the state the row was seen in, so a render that finishes
 * meanwhile, or a second sweeper, wins over this one.
 */
@Injectable()
export class RenderSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('RenderSweeper');
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly producer: RenderProducer,
    private readonly images: ImagesRepository,
    private readonly outbox: OutboxRepository,
  ) {}

  onApplicationBootstrap(): void {
    const every = Math.max(1000, Math.floor(this.config.queue.sweepAfterMs / 4));
    this.timer = setInterval(() => {
      this.sweep().catch((err: unknown) => this.logger.warn(`sweep failed: ${String(err)}`));
    }, every);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  async sweep(): Promise<number> {
    const stale = await this.images.findStale(this.config.queue.sweepAfterMs, 100);
    for (const row of stale) {
      if (row.attempts >= this.config.queue.attempts * 2) {
        await this.images.failLost(row, { code: 'render_lost', message: 'The render did not finish after repeated attempts' });
        continue;
      }
      // A job still queued or running owns the row; counting it as lost would drop its result.
      const latest = await this.outbox.latestRenderRequest(row.id);
      // Unsent: the relay still owns it. Sent: the job it made may still be queued or running.
      if (latest?.sent === false || (await this.producer.hasLiveJob(latest?.jobId ?? row.id))) {
        await this.images.postponeSweep(row);
        continue;
      }
      // The new render request is written with the row change; the relay enqueues it.
      await this.images.markForRequeue(row);
    }
    if (stale.length) this.logger.warn(`re-enqueued or failed ${stale.length} stale render(s)`);
    return stale.length;
  }
}
