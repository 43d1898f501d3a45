import { Module } from '@nestjs/common';
import { EventsCoreModule } from './events-core.module.js';
import { ScheduleProcessor } from './schedule.processor.js';

/** Worker graph only: the schedules queue's processor. */
@Module({ imports: [EventsCoreModule], providers: [ScheduleProcessor] })
export class EventsWorkerModule {}
