import { Module } from '@nestjs/common';
import { ImagesDataModule } from '../images/images-data.module.js';
import { EventResources } from './event-resources.js';
import { WebhookDeliveriesPruner } from './webhook-deliveries.pruner.js';
import { WebhookProcessor } from './webhook.processor.js';
import { WebhooksDataModule } from './webhooks-data.module.js';

/** Worker graph only: holds the webhooks queue's processor. */
@Module({ imports: [ImagesDataModule, WebhooksDataModule], providers: [WebhookProcessor, EventResources, WebhookDeliveriesPruner] })
export class WebhooksWorkerModule {}
