import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable } from '@nestjs/common';
import type { Queue } from 'bull';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { QueueName, RenderJob, type RenderImagePayload } from './queue.constants.js';

/** The one way onto the render queue. */
@Injectable()
export class RenderProducer {
  constructor(
    @InjectQueue(QueueName.Render) private readonly queue: Queue<RenderImagePayload>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * jobId = image id, so enqueueing the same image twice (a retried request, the sweeper) is a
   * no-op while the first job exists.
   */
  async enqueue(payload: RenderImagePayload): Promise<void> {
    await this.queue.add(RenderJob.RenderImage, payload, {
      jobId: payload.imageId,
      attempts: this.config.queue.attempts,
      backoff: { type: 'exponential', delay: this.config.queue.backoffMs },
      removeOnComplete: true,
      removeOnFail: 1000,
    });
  }

  /** Whether this image's job is still queued or running (then the sweeper leaves it alone). */
  async hasLiveJob(imageId: string): Promise<boolean> {
    const job = await this.queue.getJob(imageId);
    if (!job) return false;
    const state = await job.getState();
    return state === 'active' || state === 'waiting' || state === 'delayed';
  }

  /** Re-enqueue after the previous job for this image finished or vanished (sweeper). */
  async requeue(payload: RenderImagePayload): Promise<void> {
    const old = await this.queue.getJob(payload.imageId);
    if (old) {
      const state = await old.getState();
      if (state === 'active' || state === 'waiting' || state === 'delayed') return;
      await old.remove();
    }
    await this.enqueue(payload);
  }

  /** Resolves on the queue's global completed/failed events for this image (used by Prefer: wait). */
  onSettled(listener: (imageId: string) => void): () => void {
    const done = (jobId: string | number) => listener(String(jobId));
    this.queue.on('global:completed', done);
    this.queue.on('global:failed', done);
    return () => {
      this.queue.removeListener('global:completed', done);
      this.queue.removeListener('global:failed', done);
    };
  }
}
