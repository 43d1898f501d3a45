import { Module } from '@nestjs/common';
import { EventRetention } from './event-retention.js';
import { EventsCoreModule } from './events-core.module.js';
import { ScheduleProcessor } from './schedule.processor.js';

/** Worker graph only: the schedules queue's processor and the retention sweep. */
@Module({ imports: [EventsCoreModule], providers: [ScheduleProcessor, EventRetention] })
export class EventsWorkerModule {}
