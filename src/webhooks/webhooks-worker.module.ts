import { Module } from '@nestjs/common';
import { CollectionsDataModule } from '../collections/collections-data.module.js';
import { ImagesDataModule } from '../images/images-data.module.js';
import { EventResources } from './event-resources.js';
import { WebhookDeliveriesSweeper } from './webhook-deliveries.sweeper.js';
import { VideosDataModule } from '../videos/videos-data.module.js';
import { WebhookProcessor } from './webhook.processor.js';
import { WebhooksDataModule } from './webhooks-data.module.js';

/** Worker graph only: holds the webhooks queue's processor. */
@Module({ imports: [ImagesDataModule, CollectionsDataModule, VideosDataModule, WebhooksDataModule], providers: [WebhookProcessor, EventResources, WebhookDeliveriesSweeper] })
export class WebhooksWorkerModule {}
