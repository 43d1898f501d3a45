import { Module } from '@nestjs/common';
import { CoreModule } from './core.module.js';
import { EventsWorkerModule } from './events/events-worker.module.js';
import { MetricsModule } from './health/metrics.module.js';
import { LoggingModule } from './logging/logging.module.js';
import { RenderWorkerModule } from './rendering/render-worker.module.js';
import { StorageModule } from './storage/storage.module.js';
import { VideosWorkerModule } from './videos/videos-worker.module.js';
import { WebhooksWorkerModule } from './webhooks/webhooks-worker.module.js';

/** The worker's root: the only graph that may contain @Processor classes. */
@Module({
  imports: [CoreModule, LoggingModule.forRole('worker'), MetricsModule.forRole('worker'), StorageModule, RenderWorkerModule, WebhooksWorkerModule, EventsWorkerModule, VideosWorkerModule],
})
export class WorkerModule {}
