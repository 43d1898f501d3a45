import { Module } from '@nestjs/common';
import { EventRulesController } from './event-rules.controller.js';
import { EventRulesService } from './event-rules.service.js';
import { EventSourcesController } from './event-sources.controller.js';
import { EventSourcesService } from './event-sources.service.js';
import { EventsCoreModule } from './events-core.module.js';
import { IngestController } from './ingest.controller.js';
import { IngestService } from './ingest.service.js';

/** API graph: event rules, sources and the ingest endpoint. */
@Module({
  imports: [EventsCoreModule],
  controllers: [EventRulesController, EventSourcesController, IngestController],
  providers: [EventRulesService, EventSourcesService, IngestService],
})
export class EventsModule {}
