import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { AppConfig } from './config/config.js';
import { APP_CONFIG, ConfigModule } from './config/config.module.js';
import { typeormOptions } from './database/typeorm-options.js';
import { ENTITIES } from './entities.js';
import { QueueModule } from './queue/queue.module.js';

/** What the API and the worker share: validated config, the database (migrations only) and the queues. */
@Module({
  imports: [
    ConfigModule,
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({ ...typeormOptions(config.databaseUrl, ENTITIES), autoLoadEntities: false }),
    }),
    QueueModule,
  ],
  exports: [ConfigModule, TypeOrmModule, QueueModule],
})
export class CoreModule {}
