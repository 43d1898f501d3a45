import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable } from '@nestjs/common';
import type { Queue } from 'bull';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { withTimeout } from '../common/timeout.js';
import { QueueName, ScheduleJob, type FireRulePayload, type RuleSchedule } from './queue.constants.js';

/**
 * The one way onto the schedules queue: one Bull repeatable job per scheduled rule, keyed by the
 * rule id. Bull creates one job per tick (its id carries the tick), so however many workers
 * consume the queue a tick is one job; the runs table's unique (rule_id, scheduled_at) is the
 * backstop. Called by the outbox relay only, with the rule's state as it is at that moment.
 */
@Injectable()
export class ScheduleProducer {
  constructor(
    @InjectQueue(QueueName.Schedules) private readonly queue: Queue<FireRulePayload>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private bounded<T>(p: Promise<T>, what: string): Promise<T> {
    return withTimeout(p, this.config.queue.commandTimeoutMs, `Redis (${what})`);
  }

  /** Leaves exactly `schedule`'s repeatable job for the rule (none when null). Idempotent. */
  async sync(ruleId: string, schedule: RuleSchedule | null): Promise<void> {
    const existing = (await this.bounded(this.queue.getRepeatableJobs(), 'repeatable jobs')).filter((r) => r.id === ruleId);
    let present = false;
    for (const r of existing) {
      if (schedule && r.cron === schedule.cron && (r.tz ?? null) === schedule.timezone && !present) {
        present = true;
        continue;
      }
      await this.bounded(this.queue.removeRepeatableByKey(r.key), 'remove repeatable');
    }
    if (!schedule || present) return;
    await this.bounded(
      this.queue.add(ScheduleJob.Fire, { ruleId }, { jobId: ruleId, repeat: { cron: schedule.cron, tz: schedule.timezone }, removeOnComplete: true, removeOnFail: 100 }),
      'add repeatable',
    );
  }
}
