import { Inject, Injectable, Logger } from '@nestjs/common';
import { PeriodicTask } from '../common/periodic-task.js';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { ImageError } from '../images/image.entity.js';
import { ImagesRepository, type StaleImage } from '../images/images.repository.js';
import { OutboxRepository } from '../queue/outbox.repository.js';
import { RenderProducer } from '../queue/render.producer.js';

const LOST: ImageError = { code: 'render_lost', message: 'The render did not finish after repeated attempts' };

/**
 * The reconciler: no render stays pending or rendering. Every RENDER_SWEEP_INTERVAL_MS it looks at
 * rendering rows whose lease lapsed (the execution died) and pending rows untouched for
 * RENDER_SWEEP_AFTER_MS whose job is gone (Redis lost it), and re-drives them: back to pending with
 * a new render request in the outbox. Past RENDER_ATTEMPTS executions the render fails as
 * render_lost instead, and its image.failed event goes through the outbox like any other.
 * Every change is a compare-and-set on the state the row was seen in (and on a lapsed lease), so
 * a render that finishes meanwhile, or the reconciler of another worker, wins over this one.
 */
@Injectable()
export class RenderSweeper extends PeriodicTask {
  protected readonly logger = new Logger('RenderSweeper');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly producer: RenderProducer,
    private readonly images: ImagesRepository,
    private readonly outbox: OutboxRepository,
  ) {
    super();
  }

  protected get intervalMs(): number {
    return this.config.queue.sweepIntervalMs;
  }

  protected pass(): Promise<number> {
    return this.sweep();
  }

  /** One pass; returns how many renders it re-drove or failed. */
  async sweep(): Promise<number> {
    const stale = await this.images.findStale(this.config.queue.sweepAfterMs, 100);
    let acted = 0;
    for (const row of stale) {
      try {
        if (await this.reconcile(row)) acted++;
      } catch (err) {
        // Redis down: whether the job lives cannot be known; the row is looked at again next pass.
        this.warn(`could not reconcile ${row.id}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    if (acted) this.logger.warn(`re-enqueued or failed ${acted} stale render(s)`);
    return acted;
  }

  private async reconcile(row: StaleImage): Promise<boolean> {
    const budget = this.config.queue.attempts;
    if (row.status === 'pending') {
      const latest = await this.outbox.latestRenderRequest(row.id);
      // Unsent: the relay still owns it. Sent: the job it made may still be queued or running.
      if (latest?.sent === false || (await this.producer.hasLiveJob(latest?.jobId ?? row.id))) {
        await this.images.postponeSweep(row);
        return false;
      }
    }
    // A rendering row found here has a lapsed lease: its execution is lost.
    if (row.attempts >= budget) {
      const failed = await this.images.failLost(row, LOST);
      if (failed) this.logger.warn(`render ${row.id} lost after ${row.attempts} attempt(s): failed as render_lost`);
      return failed;
    }
    return this.images.markForRequeue(row);
  }
}
