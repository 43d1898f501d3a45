export * from './address-policy.js';
export * from './image-fetcher.js';
export * from './safe-request-error.js';
export * from './safe-request.js';
export * from './target-url.js';
