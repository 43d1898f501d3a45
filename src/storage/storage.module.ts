import { Global, Module } from '@nestjs/common';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { LocalStorageDriver } from './local.driver.js';
import { S3StorageDriver } from './s3.driver.js';
import { STORAGE_DRIVER, type StorageDriver } from './storage.types.js';

export function createStorageDriver(config: AppConfig): StorageDriver {
  if (config.storage.driver === 's3') {
    // loadConfig always fills storage.s3 for this driver; a hand-built config might not.
    if (!config.storage.s3) throw new Error('STORAGE_DRIVER=s3 needs storage.s3 settings (S3_BUCKET, ...)');
    return new S3StorageDriver(config.storage.s3);
  }
  return new LocalStorageDriver(config.storage.dir, config.publicBaseUrl, config.signingSecret);
}

@Global()
@Module({
  providers: [{ provide: STORAGE_DRIVER, inject: [APP_CONFIG], useFactory: createStorageDriver }],
  exports: [STORAGE_DRIVER],
})
export class StorageModule {}
