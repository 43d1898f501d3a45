import { Global, Module, type OnModuleDestroy, Inject } from '@nestjs/common';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { imageFetcherProvider } from './render.providers.js';
import { RENDERER, type Renderer } from './render.tokens.js';
import { createRenderer } from './renderer-factory.js';

/** Rendering building blocks shared by the worker and the API (previews, URL pre-flight); no processor. */
@Global()
@Module({
  providers: [
    imageFetcherProvider,
    { provide: RENDERER, inject: [APP_CONFIG], useFactory: (config: AppConfig) => createRenderer(config) },
  ],
  exports: [imageFetcherProvider, RENDERER],
})
export class RenderCoreModule implements OnModuleDestroy {
  constructor(@Inject(RENDERER) private readonly renderer: Renderer & { close?: () => Promise<void> }) {}

  async onModuleDestroy(): Promise<void> {
    await this.renderer.close?.();
  }
}
