import { Module } from '@nestjs/common';
import { ImagesDataModule } from '../images/images-data.module.js';
import { VideosDataModule } from '../videos/videos-data.module.js';
import { WebhookProcessor } from './webhook.processor.js';

/** Worker graph only: holds the webhooks queue's processor. */
@Module({ imports: [ImagesDataModule, VideosDataModule], providers: [WebhookProcessor] })
export class WebhooksWorkerModule {}
