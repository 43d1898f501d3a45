import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './schema.js';

/**
 * A typed client for the Imtegrate API: openapi-fetch over the types openapi-typescript
 * generates from the repository's openapi.json (`npm run client:generate` rewrites schema.ts).
 * Every path, parameter, body and answer is typed from the document; nothing here is hand-written
 * but the bearer key.
 */
export type { components, operations, paths } from './schema.js';

export type Image = components['schemas']['ImageOut'];
export type Template = components['schemas']['TemplateOut'];
export type TemplateVersion = components['schemas']['TemplateVersionOut'];
export type Asset = components['schemas']['AssetOut'];
export type Collection = components['schemas']['CollectionOut'];
export type ValidationErrorBody = components['schemas']['HTTPValidationError'];

export interface ImtegrateClientOptions {
  /** The API's base URL, e.g. https://images.example.com (no trailing /v1). */
  baseUrl: string;
  /** A key from the admin CLI: ik_live_... or ik_test_... */
  apiKey: string;
  /** Another fetch implementation (tests, proxies); default globalThis.fetch. */
  fetch?: typeof globalThis.fetch;
}

export type ImtegrateClient = Client<paths>;

export function createImtegrateClient(options: ImtegrateClientOptions): ImtegrateClient {
  let baseUrl = options.baseUrl;
  while (baseUrl.endsWith('/')) baseUrl = baseUrl.slice(0, -1);
  const client = createClient<paths>({ baseUrl, fetch: options.fetch });
  client.use({
    onRequest({ request }) {
      request.headers.set('Authorization', `Bearer ${options.apiKey}`);
      return request;
    },
  });
  return client;
}
