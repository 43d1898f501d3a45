import { Module } from '@nestjs/common';
import { ImageRequestsModule } from '../images/image-requests.module.js';
import { RuleFiring } from './rule-firing.js';
import { RulesRepository } from './rules.repository.js';
import { ScheduleSync } from './schedule-sync.js';

/** What the API (ingestion) and the worker (schedule ticks) share: firing a rule, and keeping schedules in Bull. */
@Module({
  imports: [ImageRequestsModule],
  providers: [RulesRepository, RuleFiring, ScheduleSync],
  exports: [RulesRepository, RuleFiring, ImageRequestsModule],
})
export class EventsCoreModule {}
