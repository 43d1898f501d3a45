import { Inject, Injectable, Logger } from '@nestjs/common';
import { PeriodicTask } from '../common/periodic-task.js';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { OutboxRepository } from '../queue/outbox.repository.js';
import { OutboxTopic } from '../queue/outbox.types.js';
import { VideoProducer } from '../queue/video.producer.js';
import type { VideoError } from './video.entity.js';
import { VideosRepository, type StaleVideo } from './videos.repository.js';

const LOST: VideoError = { code: 'video_lost', message: 'The video did not finish after repeated attempts' };

/**
 * The videos' reconciler, as RenderSweeper is the images': no video stays pending or rendering.
 * Every RENDER_SWEEP_INTERVAL_MS it looks at rendering rows whose lease lapsed and pending rows
 * untouched for RENDER_SWEEP_AFTER_MS; when their job is gone (Redis lost it, or Bull gave up on
 * a job that stalled too often) they are re-driven through the outbox, past RENDER_ATTEMPTS
 * executions failed as video_lost. A live job (a killed worker's stalled job Bull is about to
 * re-deliver) is left alone. Every change is a compare-and-set on the state the row was seen in.
 */
@Injectable()
export class VideoSweeper extends PeriodicTask {
  protected readonly logger = new Logger('VideoSweeper');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly producer: VideoProducer,
    private readonly videos: VideosRepository,
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

  /** One pass; returns how many videos it re-drove or failed. */
  async sweep(): Promise<number> {
    let acted = 0;
    for (const row of await this.videos.findStale(this.config.queue.sweepAfterMs, 100)) {
      try {
        if (await this.reconcile(row)) acted++;
      } catch (err) {
        this.warn(`could not reconcile video ${row.id}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    if (acted) this.logger.warn(`re-enqueued or failed ${acted} stale video(s)`);
    return acted;
  }

  private async reconcile(row: StaleVideo): Promise<boolean> {
    const latest = await this.outbox.latestRenderRequest(row.id, OutboxTopic.VideoRenderRequested);
    if (latest?.sent === false || (await this.producer.hasLiveJob(latest?.jobId ?? row.id))) {
      await this.videos.postponeSweep(row);
      return false;
    }
    if (row.attempts >= this.config.queue.attempts) {
      const failed = await this.videos.failLost(row, LOST);
      if (failed) this.logger.warn(`video ${row.id} lost after ${row.attempts} attempt(s): failed as video_lost`);
      return failed;
    }
    return this.videos.markForRequeue(row);
  }
}
