import type { Provider } from '@nestjs/common';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { createAddressPolicy } from './address-policy.js';
import { createImageFetcher } from './image-fetcher.js';

/** Injection token of the SSRF-safe image fetcher (the API's URL pre-flight and the worker's renders). */
export const IMAGE_FETCHER = Symbol('IMAGE_FETCHER');

export const imageFetcherProvider: Provider = {
  provide: IMAGE_FETCHER,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig) =>
    createImageFetcher({
      policy: createAddressPolicy({ allowCidrs: config.fetchAllowCidrs }),
      maxBytes: config.fetch.maxBytes,
      timeoutMs: config.fetch.timeoutMs,
      maxRedirects: config.fetch.maxRedirects,
    }),
};
