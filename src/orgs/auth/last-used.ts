import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { AppConfig } from '../../config/config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { OrgsService } from '../orgs.service.js';

/**
 * last_used_at without a write on the request path: uses are kept in memory (the latest per key)
 * and written in one UPDATE every LAST_USED_FLUSH_MS, and once more on shutdown.
 */
@Injectable()
export class LastUsedRecorder implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(LastUsedRecorder.name);
  private pending = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly orgs: OrgsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), this.config.lastUsedFlushMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  touch(keyId: string): void {
    this.pending.set(keyId, Date.now());
  }

  /** Writes what was collected; on failure the uses are kept for the next flush (newer ones win). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (this.pending.size === 0) return;
      const batch = this.pending;
      this.pending = new Map();
      try {
        await this.orgs.recordLastUsed(batch);
      } catch (err) {
        this.logger.warn(`last_used_at flush failed (${batch.size} keys, retried next time): ${String(err)}`);
        for (const [id, at] of batch) if (!this.pending.has(id)) this.pending.set(id, at);
      }
    });
    return this.flushing;
  }
}
