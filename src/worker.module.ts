import { Module } from '@nestjs/common';
import { CoreModule } from './core.module.js';
import { RenderWorkerModule } from './rendering/render-worker.module.js';
import { StorageModule } from './storage/storage.module.js';
import { WebhooksWorkerModule } from './webhooks/webhooks-worker.module.js';

/** The worker's root: the only graph that may contain @Processor classes. */
@Module({
  imports: [CoreModule, StorageModule, RenderWorkerModule, WebhooksWorkerModule],
})
export class WorkerModule {}
