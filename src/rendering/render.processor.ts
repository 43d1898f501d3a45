import { OnQueueFailed, Process, Processor } from '@nestjs/bull';
import { Logger } from '@nestjs/common';
import type { Job } from 'bull';
import { getConfig } from '../config/config.module.js';
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
  ) {}

  // Concurrency must be known when the decorator runs; config is loaded once per process anyway.
  @Process({ name: RenderJob.RenderImage, concurrency: getConfig().workerConcurrency })
  async render(job: Job<RenderImagePayload>): Promise<string> {
    const attempt = job.attemptsMade + 1;
    const final = attempt >= (job.opts.attempts ?? 1);
    // execute(): the claim's lease is renewed exactly while this execution runs.
    const outcome = await this.images.execute(() => this.jobs.run(job.data.imageId, attempt, final));
    return outcome.kind;
  }

  @OnQueueFailed()
  onFailed(job: Job<RenderImagePayload>, err: Error): void {
    this.logger.warn(`job ${job.id} attempt ${job.attemptsMade} failed: ${err.message}`);
  }
}
