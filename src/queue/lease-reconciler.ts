import type { Logger } from '@nestjs/common';
import { PeriodicTask } from '../common/periodic-task.js';
import type { AppConfig } from '../config/config.js';
import type { OutboxRepository } from './outbox.repository.js';
import type { OutboxTopic } from './outbox.types.js';

/** A row a reconciler found stale: pending and untouched, or rendering with a lapsed lease. */
export interface StaleRow {
  id: string;
  status: 'pending' | 'rendering';
  attempts: number;
}

/** What a reconciler asks of the table's owner; every change a compare-and-set on the state it saw. */
export interface ReconciledRows<R extends StaleRow> {
  findStale(olderThanMs: number, limit: number): Promise<R[]>;
  postponeSweep(seen: R): Promise<boolean>;
  markForRequeue(seen: R): Promise<boolean>;
  failLost(seen: R, error: { code: string; message: string }): Promise<boolean>;
}

/** How a reconciler is told apart: its rows, their queue and how a lost one fails. */
export interface ReconcilerSpec<R extends StaleRow> {
  logger: Logger;
  rows: ReconciledRows<R>;
  producer: { hasLiveJob(jobId: string): Promise<boolean> };
  /** The outbox topic of its render requests (their job ids). */
  topic: OutboxTopic.RenderRequested | OutboxTopic.VideoRenderRequested;
  /** A word for the log lines ("render", "video"). */
  noun: string;
  lost: { code: string; message: string };
  /**
   * Whether a rendering row may still have a live job that Bull is about to re-deliver (a killed
   * worker's stalled job) and is left alone like a pending one; else its lapsed lease means lost.
   */
  liveJobMayOutliveLease: boolean;
}

/**
 * The reconciler of a table of renders (images, videos): no row stays pending or rendering. Every
 * RENDER_SWEEP_INTERVAL_MS it looks at rendering rows whose lease lapsed and pending rows untouched
 * for RENDER_SWEEP_AFTER_MS; when their job is gone (Redis lost it, or Bull gave up) they are
 * re-driven through the outbox, past RENDER_ATTEMPTS executions failed as lost, with the failure
 * event going through the outbox like any other. A render that finishes meanwhile, or the
 * reconciler of another worker, wins over this one (the rows' changes are compare-and-sets).
 */
export abstract class LeaseReconciler<R extends StaleRow> extends PeriodicTask {
  protected readonly logger: Logger;

  protected constructor(
    private readonly config: AppConfig,
    private readonly outbox: OutboxRepository,
    private readonly spec: ReconcilerSpec<R>,
  ) {
    super();
    this.logger = spec.logger;
  }

  protected get intervalMs(): number {
    return this.config.queue.sweepIntervalMs;
  }

  protected pass(): Promise<number> {
    return this.sweep();
  }

  /** One pass; returns how many rows it re-drove or failed. */
  async sweep(): Promise<number> {
    const { noun } = this.spec;
    let acted = 0;
    for (const row of await this.spec.rows.findStale(this.config.queue.sweepAfterMs, 100)) {
      try {
        if (await this.reconcile(row)) acted++;
      } catch (err) {
        // Redis down: whether the job lives cannot be known; the row is looked at again next pass.
        this.warn(`could not reconcile ${noun} ${row.id}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    if (acted) this.logger.warn(`re-enqueued or failed ${acted} stale ${noun}(s)`);
    return acted;
  }

  private async reconcile(row: R): Promise<boolean> {
    const { rows, producer, noun, lost } = this.spec;
    if (row.status === 'pending' || this.spec.liveJobMayOutliveLease) {
      const latest = await this.outbox.latestRenderRequest(row.id, this.spec.topic);
      // Unsent: the relay still owns it. Sent: the job it made may still be queued or running.
      if (latest?.sent === false || (await producer.hasLiveJob(latest?.jobId ?? row.id))) {
        await rows.postponeSweep(row);
        return false;
      }
    }
    if (row.attempts >= this.config.queue.attempts) {
      const failed = await rows.failLost(row, lost);
      if (failed) this.logger.warn(`${noun} ${row.id} lost after ${row.attempts} attempt(s): failed as ${lost.code}`);
      return failed;
    }
    return rows.markForRequeue(row);
  }
}
