import { createServer, type Server } from 'node:http';
import { METRICS_UNAUTHORIZED, metricsAuthorized } from './metrics-auth.js';
import type { Metrics } from './metrics.js';

export interface WorkerHealthOptions {
  port: number;
  host: string;
  metrics: Metrics;
  metricsToken: string | null;
  /** The dependencies' state for /readyz (the API's HealthController answers the same bodies). */
  readiness: () => Promise<{ database: 'ok' | 'failing'; redis: 'ok' | 'failing' }>;
  onError?: (err: unknown) => void;
}

const NOT_FOUND = '{"detail":"Not Found"}';

/** The worker's only HTTP port (WORKER_HEALTH_PORT): /healthz, /readyz and GET /metrics. */
export function startWorkerHealthServer(opts: WorkerHealthOptions): Server {
  return createServer((req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    if (url === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    if (path === '/readyz') {
      opts.readiness().then(
        (checks) => {
          const ok = checks.database === 'ok' && checks.redis === 'ok';
          const body = ok ? { status: 'ok', checks } : { detail: { status: 'unavailable', checks } };
          res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(body));
        },
        (err: unknown) => {
          opts.onError?.(err);
          res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('Internal Server Error');
        },
      );
      return;
    }
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(NOT_FOUND);
      return;
    }
    if (!metricsAuthorized(opts.metricsToken, req.headers.authorization)) {
      res.writeHead(401, { 'content-type': 'application/json', ...METRICS_UNAUTHORIZED.headers }).end(METRICS_UNAUTHORIZED.body);
      return;
    }
    opts.metrics.text().then(
      (text) => {
        res.writeHead(200, { 'content-type': opts.metrics.contentType }).end(req.method === 'HEAD' ? undefined : text);
      },
      (err: unknown) => {
        opts.onError?.(err);
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('Internal Server Error');
      },
    );
  }).listen(opts.port, opts.host);
}
