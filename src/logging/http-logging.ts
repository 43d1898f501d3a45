import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { storage, Store } from 'nestjs-pino/storage.js';
import { requestIdFrom } from './request-id.js';
import { serializeRequest, serializeResponse } from './redact.js';

type Req = IncomingMessage & { id?: unknown; log?: Logger };
type Next = (err?: unknown) => void;

/** Scraped or probed every few seconds: an access line each would drown the rest. */
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

const pathOf = (url: string | undefined): string => {
  const u = url ?? '/';
  const q = u.indexOf('?');
  return q < 0 ? u : u.slice(0, q);
};

/**
 * The access log and the request id, installed first on the API: pino-http gives each request
 * a child logger bound to `reqId` (X-Request-Id when sane, else a UUID, echoed in the response
 * header) and writes one line when the response is done. The logger is put into nestjs-pino's
 * async storage, so every Nest Logger call made for this request carries the same reqId.
 */
export function httpLogging(root: Logger): Array<(req: Req, res: ServerResponse, next: Next) => void> {
  const http = pinoHttp({
    logger: root,
    quietReqLogger: true,
    wrapSerializers: false,
    serializers: { req: serializeRequest, res: serializeResponse },
    genReqId: (req, res) => {
      const id = requestIdFrom(req.headers['x-request-id']);
      res.setHeader('X-Request-Id', id);
      return id;
    },
    customLogLevel: (_req, res, err) => (err !== undefined || res.statusCode >= 500 ? 'error' : 'info'),
    autoLogging: { ignore: (req) => QUIET_PATHS.has(pathOf(req.url)) },
  });
  return [http as unknown as (req: Req, res: ServerResponse, next: Next) => void, bindRequestLogger];
}

/**
 * Makes req.log the logger of everything this request runs. Installed again after the body is
 * read: stream callbacks run outside the request's async context.
 */
export function bindRequestLogger(req: Req, _res: ServerResponse, next: Next): void {
  // Already this request's context (a body-less request keeps it through the body middleware): nothing to restore.
  if (req.log === undefined || storage.getStore()?.logger === req.log) {
    next();
    return;
  }
  storage.run(new Store(req.log), next);
}
