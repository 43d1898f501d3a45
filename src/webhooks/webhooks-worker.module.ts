import { Module } from '@nestjs/common';
import { WebhookProcessor } from './webhook.processor.js';

/** Worker graph only: holds the webhooks queue's processor. */
@Module({ providers: [WebhookProcessor] })
export class WebhooksWorkerModule {}
