import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { writeJson } from './json-reply.adapter.js';

type Next = (err?: unknown) => void;
export type RawMiddleware = (req: IncomingMessage, res: ServerResponse, next: Next) => void;

/** A request a lane takes: the route template it stands for and the work that makes its answer. */
export interface FastRoute {
  /** The template Express would have matched (`/v1/images/:image_id`): the metrics label. */
  route: string;
  /** The JSON answer; a throw is answered by the app's exception filter (onError). */
  answer(res: ServerResponse): Promise<{ status: number; body: unknown }>;
}

export interface FastLane {
  /** Decides synchronously, from the request alone, whether this lane answers it; untaken requests go to Express. */
  take(req: IncomingMessage): FastRoute | undefined;
}

export interface FastLaneOptions {
  /** What the app runs before routing, in its order (request id and access log, metrics, log context). */
  middlewares: readonly RawMiddleware[];
  /** Answers an error exactly as the app's exception filter does. */
  onError(err: unknown, req: IncomingMessage, res: ServerResponse): void;
}

/**
 * Answers a few hot reads beside Express and Nest, on the HTTP server itself. Measured on the
 * read bench, Express's routing and Nest's per-request pipeline (guard, interceptor, pipes,
 * rxjs) cost about twice the work of a read itself; a lane runs only the app's own middleware
 * (the access line, metrics, the log context) and the same services (auth, limiter, service,
 * exception filter) the controller would. A lane takes a request only when it can answer it
 * exactly as the controller would; anything else (another path or method, a query string, a
 * key not in the verified-key cache...) goes to Express untouched, as before. READ_FAST_LANE=false
 * turns it off.
 */
export function installFastLane(server: Server, lanes: readonly FastLane[], opts: FastLaneOptions): void {
  const fallback = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    for (const lane of lanes) {
      const taken = lane.take(req);
      if (taken) return serve(req, res, taken, opts);
    }
    for (const listener of fallback) listener.call(server, req, res);
  });
}

function serve(req: IncomingMessage, res: ServerResponse, taken: FastRoute, opts: FastLaneOptions): void {
  // What Express's router leaves on a request, read by the metrics middleware for its label.
  Object.assign(req, { route: { path: taken.route }, baseUrl: '' });
  let i = 0;
  const next: Next = (err) => {
    if (err !== undefined) return opts.onError(err, req, res);
    const middleware = opts.middlewares[i++];
    if (middleware) return middleware(req, res, next);
    taken
      .answer(res)
      .then(({ status, body }) => {
        if (!writeJson(req, res, status, body)) throw new Error(`fast lane ${taken.route}: not a JSON answer`);
      })
      .catch((e: unknown) => opts.onError(e, req, res));
  };
  next();
}
