import type { IncomingMessage, ServerResponse } from 'node:http';
import { createBullBoard } from '@bull-board/api';
import { BullAdapter } from '@bull-board/api/bullAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bull';
import { secretEquals } from '../common/secure-compare.js';

export const QUEUE_DASHBOARD_PATH = '/admin/queues';

type Handler = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

const UNAUTHORIZED_BODY = '{"detail":"Not authenticated"}';

/**
 * Whether `authorization` is HTTP basic auth with exactly these credentials. User and password
 * are both compared (constant time each, no early exit), so a response time tells nothing about
 * which part was wrong.
 */
export function basicAuthMatches(authorization: string | undefined, user: string, password: string): boolean {
  if (typeof authorization !== 'string') return false;
  const space = authorization.indexOf(' ');
  if (space < 0 || authorization.slice(0, space).toLowerCase() !== 'basic') return false;
  const decoded = Buffer.from(authorization.slice(space + 1).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return false;
  const userOk = secretEquals(decoded.slice(0, colon), user);
  const passwordOk = secretEquals(decoded.slice(colon + 1), password);
  return userOk && passwordOk;
}

/**
 * bull-board over every queue, behind basic auth, to mount at QUEUE_DASHBOARD_PATH. The caller
 * mounts it only when both credentials are configured; unmounted, the path is the router's 404.
 */
export function queueDashboard(queues: readonly Queue[], credentials: { user: string; password: string }): Handler {
  const server = new ExpressAdapter();
  server.setBasePath(QUEUE_DASHBOARD_PATH);
  // @bull-board/express pins its own copy of @bull-board/api; the two declare the same adapter
  // interface with separate private members, so only the types disagree.
  createBullBoard({ queues: queues.map((q) => new BullAdapter(q)), serverAdapter: server as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'] });
  const board = server.getRouter() as unknown as Handler;
  return (req, res, next) => {
    if (!basicAuthMatches(req.headers.authorization, credentials.user, credentials.password)) {
      res.writeHead(401, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(UNAUTHORIZED_BODY),
        'www-authenticate': 'Basic realm="Imtegrate queues", charset="UTF-8"',
      });
      res.end(UNAUTHORIZED_BODY);
      return;
    }
    board(req, res, next);
  };
}
