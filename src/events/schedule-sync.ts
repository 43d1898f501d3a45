import { Injectable, type OnModuleInit } from '@nestjs/common';
import { OutboxRelay } from '../queue/outbox.relay.js';
import { OutboxTopic } from '../queue/outbox.types.js';
import { ScheduleProducer } from '../queue/schedule.producer.js';
import { RulesRepository } from './rules.repository.js';

/**
 * Carries out schedule.sync outbox records in this process: the rule's repeatable job is made to
 * match the rule as it is when the record is relayed, so records relayed late or out of order
 * still leave the latest state.
 */
@Injectable()
export class ScheduleSync implements OnModuleInit {
  constructor(
    private readonly relay: OutboxRelay,
    private readonly producer: ScheduleProducer,
    private readonly rules: RulesRepository,
  ) {}

  onModuleInit(): void {
    this.relay.handle(OutboxTopic.ScheduleSync, async ({ ruleId }) => this.producer.sync(ruleId, await this.rules.scheduleOf(ruleId)));
  }
}
