import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable } from '@nestjs/common';
import type { Queue } from 'bull';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { withTimeout } from '../common/timeout.js';
import { QueueName, VideoJob, type RenderVideoPayload } from './queue.constants.js';
import { jobIsLive, onJobsSettled } from './render.producer.js';

/** The one way onto the videos queue (called by the OutboxRelay only). Every call is bounded by REDIS_COMMAND_TIMEOUT_MS. */
@Injectable()
export class VideoProducer {
  constructor(
    @InjectQueue(QueueName.Videos) private readonly queue: Queue<RenderVideoPayload>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The job id is the outbox record's (the video id the first time): a relay retry adds nothing while the job exists. */
  async enqueue(payload: RenderVideoPayload & { jobId: string }): Promise<void> {
    await withTimeout(
      this.queue.add(
        VideoJob.RenderVideo,
        { videoId: payload.videoId, orgId: payload.orgId, requestId: payload.requestId },
        {
          jobId: payload.jobId,
          attempts: this.config.queue.attempts,
          backoff: { type: 'exponential', delay: this.config.queue.backoffMs },
          removeOnComplete: true,
          removeOnFail: 1000,
        },
      ),
      this.config.queue.commandTimeoutMs,
      'Redis (video enqueue)',
    );
  }

  /** Whether this job is still queued or running (then the reconciler leaves its video alone). */
  hasLiveJob(jobId: string): Promise<boolean> {
    return jobIsLive(this.queue, jobId, this.config.queue.commandTimeoutMs);
  }

  /** Fires on the queue's global completed/failed events with the video id (used by Prefer: wait). */
  onSettled(listener: (videoId: string) => void): () => void {
    return onJobsSettled(this.queue, listener);
  }
}
