import { BullModule } from '@nestjs/bull';
import { Global, Module } from '@nestjs/common';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { QUEUES } from './queue.constants.js';
import { OutboxRelay } from './outbox.relay.js';
import { OutboxRepository } from './outbox.repository.js';
import { RenderProducer } from './render.producer.js';
import { ScheduleProducer } from './schedule.producer.js';
import { VideoProducer } from './video.producer.js';
import { WebhookProducer } from './webhook.producer.js';
import { webhookBackoff } from './webhook-retry.js';

const registered = BullModule.registerQueue(...QUEUES.map((name) => ({ name })));

@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        // Plain options, never a shared ioredis client: Bull needs its own connections per role.
        redis: { ...config.redis, maxRetriesPerRequest: null, enableReadyCheck: false },
        prefix: config.queuePrefix,
        settings: {
          lockDuration: config.queue.lockDurationMs,
          lockRenewTime: Math.floor(config.queue.lockDurationMs / 2),
          stalledInterval: config.queue.stalledIntervalMs,
          maxStalledCount: 3,
          backoffStrategies: {
            // DESIGN's 1 min, 5 min, 30 min, 2 h, 12 h, as the delivery row counts its attempts.
            webhook: (attemptsMade: number, err: unknown) => webhookBackoff(attemptsMade, err, config.webhookRetryScale),
          },
        },
        defaultJobOptions: { removeOnComplete: 1000, removeOnFail: 5000 },
      }),
    }),
    registered,
  ],
  // Every process that has the queues relays the outbox into them (see OutboxRelay).
  providers: [RenderProducer, VideoProducer, WebhookProducer, ScheduleProducer, OutboxRepository, OutboxRelay],
  exports: [registered, RenderProducer, VideoProducer, WebhookProducer, ScheduleProducer, OutboxRepository, OutboxRelay],
})
export class QueueModule {}
