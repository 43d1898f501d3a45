import { Process, Processor } from '@nestjs/bull';
import { Inject, Logger } from '@nestjs/common';
import type { Job } from 'bull';
import type { Logger as Pino } from 'pino';
import { Metrics } from '../health/metrics.js';
import { runWithJobLogContext } from '../logging/log-context.js';
import { ROOT_LOGGER } from '../logging/logger.js';
import { QueueName, ScheduleJob, type FireRulePayload } from '../queue/queue.constants.js';
import { RuleFiring } from './rule-firing.js';
import { RulesRepository } from './rules.repository.js';

export type TickOutcome = 'fired' | 'duplicate' | 'stale';

/**
 * Worker graph only. One tick of a scheduled rule: the payload is
 * `{"type": "schedule", "scheduled_at": <tick>, "rule_id": ...}`, the tick being the time Bull
 * scheduled the job for (its `prevMillis`), identical in every worker. The run's unique
 * (rule_id, scheduled_at) makes a tick fire once however many workers or deliveries see it.
 */
@Processor(QueueName.Schedules)
export class ScheduleProcessor {
  private readonly logger = new Logger('Schedules');

  constructor(
    private readonly rules: RulesRepository,
    private readonly firing: RuleFiring,
    private readonly metrics: Metrics,
    @Inject(ROOT_LOGGER) private readonly root: Pino,
  ) {}

  @Process({ name: ScheduleJob.Fire, concurrency: 4 })
  async tick(job: Job<FireRulePayload>): Promise<TickOutcome> {
    this.metrics.observeQueueWait(QueueName.Schedules, job);
    return runWithJobLogContext(this.root, QueueName.Schedules, job, async () => {
      const opts = job.opts as typeof job.opts & { prevMillis?: number };
      const scheduledAt = new Date(opts.prevMillis ?? job.timestamp);
      const rule = await this.rules.findById(job.data.ruleId);
      const repeat = opts.repeat as { cron?: string; tz?: string } | undefined;
      // A job of an older state of the rule (changed, disabled, deleted): its sync removes it; it must not fire meanwhile.
      if (!rule || !rule.enabled || rule.scheduleCron === null || (repeat?.cron !== undefined && repeat.cron !== rule.scheduleCron) || (repeat?.tz ?? 'UTC') !== (rule.scheduleTimezone ?? 'UTC')) {
        return 'stale';
      }
      if (await this.rules.tickRecorded(rule.id, scheduledAt)) return 'duplicate';
      const scheduled_at = scheduledAt.toISOString();
      const plan = await this.firing.plan(rule, { type: 'schedule', scheduled_at, rule_id: rule.id }, { event_rule_id: rule.id, scheduled_at });
      const run = await this.rules.transaction((em) => this.firing.persist(em, rule, plan, { scheduledAt }, `schedule:${rule.id}:${scheduled_at}`));
      if (!run) return 'duplicate';
      this.firing.announce();
      this.logger.log(`rule ${rule.id} tick ${scheduled_at}: ${run.status}`);
      return 'fired';
    });
  }
}
