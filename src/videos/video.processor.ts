import { OnQueueFailed, Process, Processor } from '@nestjs/bull';
import { Inject, Logger } from '@nestjs/common';
import type { Job } from 'bull';
import type { Logger as Pino } from 'pino';
import { getConfig } from '../config/config.module.js';
import { ROOT_LOGGER } from '../logging/logger.js';
import { runWithJobLogContext } from '../logging/log-context.js';
import { QueueName, VideoJob, type RenderVideoPayload } from '../queue/queue.constants.js';
import { VideoJobService } from './video-job.service.js';

/** Worker graph only: consumes the videos queue, apart from image renders, so a long clip never holds them up. */
@Processor(QueueName.Videos)
export class VideoProcessor {
  private readonly logger = new Logger('VideoProcessor');

  constructor(
    private readonly jobs: VideoJobService,
    @Inject(ROOT_LOGGER) private readonly root: Pino,
  ) {}

  @Process({ name: VideoJob.RenderVideo, concurrency: getConfig().video.concurrency })
  async render(job: Job<RenderVideoPayload>): Promise<string> {
    const attempt = job.attemptsMade + 1;
    const final = attempt >= (job.opts.attempts ?? 1);
    return runWithJobLogContext(this.root, QueueName.Videos, job, async () => {
      const requestId = (job.data.requestId as string | undefined) ?? `job:${String(job.id)}`;
      return (await this.jobs.run(job.data.videoId, attempt, final, requestId)).kind;
    });
  }

  @OnQueueFailed()
  onFailed(job: Job<RenderVideoPayload>, err: Error): void {
    void runWithJobLogContext(this.root, QueueName.Videos, job, async () => {
      this.logger.warn(`job ${job.id} attempt ${job.attemptsMade} failed: ${err.message}`);
    });
  }
}
