import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable } from '@nestjs/common';
import type { Queue } from 'bull';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { withTimeout } from '../common/timeout.js';
import { imageIdOfJob, LIVE_JOB_STATES, QueueName, RenderJob, type RenderImagePayload } from './queue.constants.js';

/** The one way onto the render queue (called by the OutboxRelay only). Every call is bounded by REDIS_COMMAND_TIMEOUT_MS. */
@Injectable()
export class RenderProducer {
  constructor(
    @InjectQueue(QueueName.Render) private readonly queue: Queue<RenderImagePayload>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private bounded<T>(p: Promise<T>, what: string): Promise<T> {
    return withTimeout(p, this.config.queue.commandTimeoutMs, `Redis (${what})`);
  }

  /**
   * The job id comes from the outbox record (the image id the first time), so enqueueing the same
   * record twice (a relay retry after a lost acknowledgement) is a no-op while the first job exists.
   */
  async enqueue(payload: RenderImagePayload & { jobId: string }): Promise<void> {
    await this.bounded(
      this.queue.add(
        RenderJob.RenderImage,
        { imageId: payload.imageId, orgId: payload.orgId, requestId: payload.requestId },
        {
          jobId: payload.jobId,
          attempts: this.config.queue.attempts,
          backoff: { type: 'exponential', delay: this.config.queue.backoffMs },
          removeOnComplete: true,
          removeOnFail: 1000,
        },
      ),
      'render enqueue',
    );
  }

  /** Whether this job is still queued or running (then the reconciler leaves its image alone). */
  hasLiveJob(jobId: string): Promise<boolean> {
    return jobIsLive(this.queue, jobId, this.config.queue.commandTimeoutMs);
  }

  /** Fires on the queue's global completed/failed events with the image id (used by Prefer: wait). */
  onSettled(listener: (imageId: string) => void): () => void {
    return onJobsSettled(this.queue, listener);
  }
}

/** Whether a job of `queue` is still queued or running; every Redis call bounded by `timeoutMs`. */
export async function jobIsLive(queue: Queue, jobId: string, timeoutMs: number): Promise<boolean> {
  const job = await withTimeout(queue.getJob(jobId), timeoutMs, 'Redis (getJob)');
  if (!job) return false;
  return LIVE_JOB_STATES.has(await withTimeout(job.getState(), timeoutMs, 'Redis (job state)'));
}

/** Calls `listener` with the subject id (job ids are `<id>` or `<id>:<re-drive>`) of every job of `queue` that completes or fails; returns the unsubscribe. */
export function onJobsSettled(queue: Queue, listener: (id: string) => void): () => void {
  const done = (jobId: string | number) => listener(imageIdOfJob(jobId));
  queue.on('global:completed', done);
  queue.on('global:failed', done);
  return () => {
    queue.removeListener('global:completed', done);
    queue.removeListener('global:failed', done);
  };
}
