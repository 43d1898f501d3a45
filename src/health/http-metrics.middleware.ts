import type { IncomingMessage, ServerResponse } from 'node:http';
import { matchRoute, type RouteInfo } from '../http/route-miss.js';
import type { Metrics } from './metrics.js';

type Req = IncomingMessage & { route?: { path?: unknown }; baseUrl?: string; originalUrl?: string };

/** Label for a request no route serves: one value, whatever the path, so cardinality stays bounded. */
export const UNMATCHED_ROUTE = 'unmatched';

/** Methods reported by name; anything else a client invents is OTHER. */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

export interface HttpMetricsOptions {
  /** The app's routes (read once routes exist, i.e. on the first request). */
  routes: () => readonly RouteInfo[];
  /** Prefixes served by mounted apps rather than routes (Swagger UI, the queue dashboard): one label each. */
  mounts: readonly string[];
}

/**
 * Counts every response and its latency by route template, method and status. The template
 * comes from the route Express matched, else (a request refused before routing, such as a 413
 * body) from matching the path against the app's routes, else it is `unmatched`; never the raw
 * path.
 */
export function httpMetricsMiddleware(metrics: Metrics, opts: HttpMetricsOptions): (req: Req, res: ServerResponse, next: () => void) => void {
  let routes: readonly RouteInfo[] | undefined;
  const templateOf = (req: Req, path: string): string => {
    const mount = opts.mounts.find((m) => path === m || path.startsWith(`${m}/`));
    if (mount !== undefined) return mount;
    if (typeof req.route?.path === 'string') return (req.baseUrl ?? '') + req.route.path;
    routes ??= opts.routes();
    return matchRoute(routes, req.method ?? 'GET', path)?.path ?? UNMATCHED_ROUTE;
  };
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    let done = false;
    const record = (): void => {
      if (done) return;
      done = true;
      const url = req.originalUrl ?? req.url ?? '/';
      const q = url.indexOf('?');
      const labels = {
        method: METHODS.has(req.method ?? '') ? (req.method as string) : 'OTHER',
        route: templateOf(req, q < 0 ? url : url.slice(0, q)),
        // A client that went away before an answer was written is a 499, as nginx counts it.
        status: String(res.headersSent || res.writableEnded ? res.statusCode : 499),
      };
      metrics.httpRequests.inc(labels);
      metrics.httpDuration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    };
    res.once('finish', record);
    res.once('close', record);
    next();
  };
}
