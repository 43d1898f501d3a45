import type { Provider } from '@nestjs/common';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { type AddressPolicy, createAddressPolicy } from './address-policy.js';
import { createImageFetcher } from './image-fetcher.js';

/** Injection token of the SSRF-safe image fetcher (the API's URL pre-flight and the worker's renders). */
export const IMAGE_FETCHER = Symbol('IMAGE_FETCHER');

/** Injection token of the address policy outbound destinations are checked against (FETCH_ALLOW_CIDRS). */
export const ADDRESS_POLICY = Symbol('ADDRESS_POLICY');

export const addressPolicyProvider: Provider = {
  provide: ADDRESS_POLICY,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig): AddressPolicy => createAddressPolicy({ allowCidrs: config.fetchAllowCidrs }),
};

export const imageFetcherProvider: Provider = {
  provide: IMAGE_FETCHER,
  inject: [APP_CONFIG, ADDRESS_POLICY],
  useFactory: (config: AppConfig, policy: AddressPolicy) =>
    createImageFetcher({
      policy,
      maxBytes: config.fetch.maxBytes,
      timeoutMs: config.fetch.timeoutMs,
      maxRedirects: config.fetch.maxRedirects,
    }),
};
