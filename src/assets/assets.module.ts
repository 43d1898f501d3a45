import { Inject, Module, type OnModuleDestroy } from '@nestjs/common';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { AssetsController } from './assets.controller.js';
import { AssetsService, UPLOAD_SCANNER } from './assets.service.js';
import { type ClosableScanner, createUploadScanner } from './inspect-pool.js';

@Module({
  controllers: [AssetsController],
  providers: [AssetsService, { provide: UPLOAD_SCANNER, inject: [APP_CONFIG], useFactory: (config: AppConfig) => createUploadScanner(config) }],
})
export class AssetsModule implements OnModuleDestroy {
  constructor(@Inject(UPLOAD_SCANNER) private readonly scanner: ClosableScanner) {}

  async onModuleDestroy(): Promise<void> {
    await this.scanner.close();
  }
}
