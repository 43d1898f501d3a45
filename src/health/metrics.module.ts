import { getQueueToken } from '@nestjs/bull';
import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { Queue } from 'bull';
import { QUEUES } from '../queue/queue.constants.js';
import { Metrics, type MetricsRole } from './metrics.js';

/** One Metrics (registry) per process; its queue-depth gauge reads every queue at scrape time. */
@Global()
@Module({})
export class MetricsModule {
  static forRole(role: MetricsRole): DynamicModule {
    return {
      module: MetricsModule,
      providers: [
        {
          provide: Metrics,
          inject: QUEUES.map((name) => getQueueToken(name)),
          useFactory: (...queues: Queue[]) => new Metrics(role, new Map(QUEUES.map((name, i) => [name, queues[i]]))),
        },
      ],
      exports: [Metrics],
    };
  }
}
