import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { RenderProducer } from '../queue/render.producer.js';
import { RenderJobService } from './render-job.service.js';

/**
 * No render stays pending or rendering forever: rows untouched for longer than sweepAfterMs are
 * re-enqueued (the job was lost, e.g. Redis was flushed) or, after too many attempts, failed.
 */
@Injectable()
export class RenderSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('RenderSweeper');
  private timer?: NodeJS.Timeout;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly producer: RenderProducer,
    private readonly jobs: RenderJobService,
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
    const stale = (await this.ds.query(
      `SELECT id, org_id, attempts FROM images
       WHERE status IN ('pending', 'rendering') AND COALESCE(updated_at, created_at) < now() - ($1 || ' milliseconds')::interval
       ORDER BY created_at LIMIT 100`,
      [String(this.config.queue.sweepAfterMs)],
    )) as { id: string; org_id: string; attempts: number }[];
    for (const row of stale) {
      if (row.attempts >= this.config.queue.attempts * 2) {
        await this.jobs.fail(row.id, { code: 'render_lost', message: 'The render did not finish after repeated attempts' }, null);
        continue;
      }
      await this.ds.query(`UPDATE images SET updated_at = now() WHERE id = $1`, [row.id]);
      await this.producer.requeue({ imageId: row.id, orgId: row.org_id });
    }
    if (stale.length) this.logger.warn(`re-enqueued or failed ${stale.length} stale render(s)`);
    return stale.length;
  }
}
