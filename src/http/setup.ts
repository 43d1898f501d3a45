import { jsonBodyMiddleware, type JsonBodyOptions } from './json-body.middleware.js';
import { pathDecodingMiddleware } from './path-decoding.middleware.js';

/**
 * Registers the request-side middleware in the order they must run (path first, so that
 * routing sees uvicorn's decoding; then the body). Call before `app.init()`/`app.listen()`, on
 * an app created with `{ bodyParser: false }`.
 */
export function useFastApiMiddleware(app: { use(...handlers: unknown[]): unknown }, options: JsonBodyOptions): void {
  app.use(pathDecodingMiddleware());
  app.use(jsonBodyMiddleware(options));
}
