import { type DynamicModule, Inject, Module, type OnModuleDestroy } from '@nestjs/common';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { addressPolicyProvider, imageFetcherProvider } from '../outbound/image-fetcher.provider.js';
import { RENDERER } from './render.tokens.js';
import { type ClosableRenderer, createRenderer } from './renderer-factory.js';

/** Rendering building blocks shared by the worker and the API (previews, URL pre-flight); no processor. */
@Module({})
export class RenderCoreModule implements OnModuleDestroy {
  constructor(@Inject(RENDERER) private readonly renderer: ClosableRenderer) {}

  static forRole(role: 'api' | 'worker'): DynamicModule {
    return {
      module: RenderCoreModule,
      global: true,
      providers: [
        addressPolicyProvider,
        imageFetcherProvider,
        { provide: RENDERER, inject: [APP_CONFIG], useFactory: (config: AppConfig) => createRenderer(config, role) },
      ],
      exports: [addressPolicyProvider, imageFetcherProvider, RENDERER],
    };
  }

  async onModuleDestroy(): Promise<void> {
    await this.renderer.close?.();
  }
}
