/**
 * FastAPI-compatible HTTP edges: body reading, path decoding and the one exception filter.
 *
 *   const app = await NestFactory.create(ApiModule, { bodyParser: false });
 *   useFastApiMiddleware(app, { limitBytes: 10 * 1024 * 1024 });
 *   // ApiModule providers: { provide: APP_FILTER, useClass: HttpErrorFilter }
 */
export { ApiError } from './api-error.js';
export { HttpErrorFilter, resolveErrorResponse, type ErrorReply, type RequestFacts } from './http-error.filter.js';
export { isJsonContentType, jsonBodyMiddleware, readJsonBody, UnreadableJsonBody, type JsonBodyOptions } from './json-body.middleware.js';
export { pathDecodingMiddleware, pythonRoutablePath, pyUnquote } from './path-decoding.middleware.js';
export { parseJsonBody, pyDumps, type JsonParseResult } from './python-json.js';
export { collectRoutes, matchRoute, matchRouteMiss, type RouteInfo, type RouteMiss } from './route-miss.js';
export { useFastApiMiddleware } from './setup.js';
