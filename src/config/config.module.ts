import { Global, Module } from '@nestjs/common';
import { type AppConfig, loadConfig } from './config.js';

export const APP_CONFIG = Symbol('APP_CONFIG');

let cached: AppConfig | undefined;

/** Loaded once per process; tests override by calling setConfigForProcess before booting. */
export function getConfig(): AppConfig {
  cached ??= loadConfig();
  return cached;
}

export function setConfigForProcess(config: AppConfig): void {
  cached = config;
}

@Global()
@Module({
  providers: [{ provide: APP_CONFIG, useFactory: getConfig }],
  exports: [APP_CONFIG],
})
export class ConfigModule {}
