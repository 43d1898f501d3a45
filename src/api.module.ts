import { Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { AssetsModule } from './assets/assets.module.js';
import { CollectionsModule } from './collections/collections.module.js';
import { HttpErrorFilter } from './http/http-error.filter.js';
import { IdempotencyModule } from './idempotency/idempotency.module.js';
import { FastApiValidationPipe, ValidationScopeInterceptor } from './validation/validation.pipe.js';
import { CoreModule } from './core.module.js';
import { EventsModule } from './events/events.module.js';
import { HealthController } from './health/health.controller.js';
import { MetricsController } from './health/metrics.controller.js';
import { MetricsModule } from './health/metrics.module.js';
import { LoggingModule } from './logging/logging.module.js';
import { ImagesModule } from './images/images.module.js';
import { OrgsModule } from './orgs/orgs.module.js';
import { PeopleModule } from './people/people.module.js';
import { PreviewModule } from './rendering/preview.module.js';
import { RenderCoreModule } from './rendering/render-core.module.js';
import { FilesModule } from './storage/files.module.js';
import { StorageModule } from './storage/storage.module.js';
import { TemplatesModule } from './templates/templates.module.js';
import { VideosModule } from './videos/videos.module.js';
import { WebhooksModule } from './webhooks/webhooks.module.js';

/** The API process's root. It enqueues renders but never registers a queue processor. */
@Module({
  imports: [CoreModule, LoggingModule.forRole('api'), MetricsModule.forRole('api'), StorageModule, OrgsModule, IdempotencyModule, RenderCoreModule.forRole('api'), ImagesModule, TemplatesModule, PreviewModule, AssetsModule, FilesModule, CollectionsModule, PeopleModule, EventsModule, WebhooksModule, VideosModule],
  controllers: [HealthController, MetricsController],
  providers: [
    { provide: APP_PIPE, useClass: FastApiValidationPipe },
    { provide: APP_INTERCEPTOR, useClass: ValidationScopeInterceptor },
    { provide: APP_FILTER, useClass: HttpErrorFilter },
  ],
})
export class ApiModule {}
