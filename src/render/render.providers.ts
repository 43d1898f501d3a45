import type { Provider } from '@nestjs/common';
import { createAddressPolicy } from '../common/net/address-policy.js';
import { createImageFetcher } from '../common/net/image-fetcher.js';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { IMAGE_FETCHER } from './render.tokens.js';

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
