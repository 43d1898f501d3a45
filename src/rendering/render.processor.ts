import { OnQueueFailed, Process, Processor } from '@nestjs/bull';
import { Inject, Logger } from '@nestjs/common';
import type { Job } from 'bull';
import type { Logger as Pino } from 'pino';
import { getConfig } from '../config/config.module.js';
import { Metrics } from '../health/metrics.js';
import { ROOT_LOGGER } from '../logging/logger.js';
import { runWithJobLogContext } from '../logging/log-context.js';
import { QueueName, RenderJob, type RenderImagePayload } from '../queue/queue.constants.js';
import { ImagesRepository } from '../images/images.repository.js';
import { RenderJobService } from './render-job.service.js';

/** Worker graph only: any process that loads this class consumes render jobs. */
@Processor(QueueName.Render)
export class RenderProcessor {
  private readonly logger = new Logger('RenderProcessor');

  constructor(
    private readonly jobs: RenderJobService,
    private readonly images: ImagesRepository,
    private readonly metrics: Metrics,
    @Inject(ROOT_LOGGER) private readonly root: Pino,
  ) {}

  // Concurrency must be known when the decorator runs; config is loaded once per process anyway.
  @Process({ name: RenderJob.RenderImage, concurrency: getConfig().workerConcurrency })
  async render(job: Job<RenderImagePayload>): Promise<string> {
    this.metrics.observeQueueWait(QueueName.Render, job);
    const attempt = job.attemptsMade + 1;
    const final = attempt >= (job.opts.attempts ?? 1);
    return runWithJobLogContext(this.root, QueueName.Render, job, async () => {
      // A job queued by a version before request ids has none: its webhooks are tied by the job id.
      const requestId = (job.data.requestId as string | undefined) ?? `job:${String(job.id)}`;
      // execute(): the claim's lease is renewed exactly while this execution runs.
      const outcome = await this.images.execute(() => this.jobs.run(job.data.imageId, attempt, final, requestId));
      return outcome.kind;
    });
  }

  @OnQueueFailed()
  onFailed(job: Job<RenderImagePayload>, err: Error): void {
    void runWithJobLogContext(this.root, QueueName.Render, job, async () => {
      this.logger.warn(`job ${job.id} attempt ${job.attemptsMade} failed: ${err.message}`);
    });
  }
}
