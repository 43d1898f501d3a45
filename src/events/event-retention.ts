import { Inject, Injectable, Logger } from '@nestjs/common';
import { PeriodicTask } from '../common/periodic-task.js';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { RulesRepository } from './rules.repository.js';

const PRUNE_BATCH = 1000;

/**
 * Worker graph only. Hourly (and once at start): ingested events and rule runs older than
 * EVENT_RETENTION_DAYS are deleted, in batches, so they do not grow without end. Several workers
 * may prune at once: each deletes rows the others have not.
 */
@Injectable()
export class EventRetention extends PeriodicTask {
  protected readonly logger = new Logger('Events');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly rules: RulesRepository,
  ) {
    super();
  }

  protected get intervalMs(): number {
    return 3_600_000;
  }

  protected override readonly runsAtStart = true;

  protected async pass(): Promise<void> {
    const days = this.config.eventRules.retentionDays;
    let deleted = 0;
    for (let n = -1; n !== 0; deleted += n) n = await this.rules.pruneOlderThan(days, PRUNE_BATCH);
    if (deleted) this.logger.log(`deleted ${deleted} ingested events and rule runs recorded over ${days} days ago`);
  }
}
