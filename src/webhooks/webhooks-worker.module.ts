import { Module } from '@nestjs/common';
import { CollectionsDataModule } from '../collections/collections-data.module.js';
import { ImagesDataModule } from '../images/images-data.module.js';
import { WebhookProcessor } from './webhook.processor.js';

/** Worker graph only: holds the webhooks queue's processor. */
@Module({ imports: [ImagesDataModule, CollectionsDataModule], providers: [WebhookProcessor] })
export class WebhooksWorkerModule {}
