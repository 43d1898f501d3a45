import { Module } from '@nestjs/common';
import { WebhookEndpointsController } from './webhook-endpoints.controller.js';
import { WebhookEndpointsService } from './webhook-endpoints.service.js';
import { WebhooksDataModule } from './webhooks-data.module.js';

/** API graph: the webhook endpoints API (and, through WebhooksDataModule, the relay's event fan-out). */
@Module({ imports: [WebhooksDataModule], controllers: [WebhookEndpointsController], providers: [WebhookEndpointsService] })
export class WebhooksModule {}
