import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export type Handler = (req: IncomingMessage, res: ServerResponse, n: number) => unknown;

export interface ImageServer {
  url(path: string): string;
  /** Requests seen per path. */
  hits(path: string): number;
  route(path: string, handler: Handler): void;
  close(): Promise<void>;
}

/** A loopback HTTP server the tests script per path: the only "remote" images tests fetch. */
export async function startImageServer(): Promise<ImageServer> {
  const routes = new Map<string, Handler>();
  const counts = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const n = (counts.get(path) ?? 0) + 1;
    counts.set(path, n);
    const handler = routes.get(path);
    if (!handler) {
      res.writeHead(404).end();
      return;
    }
    Promise.resolve(handler(req, res, n)).catch(() => res.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    hits: (path) => counts.get(path) ?? 0,
    route: (path, handler) => void routes.set(path, handler),
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

type Probe<T> = () => Promise<T | false | undefined | null> | T | false | undefined | null;

/** Polls `probe` every 50 ms until it answers something truthy (that answer), or throws after `timeoutMs`. */
export async function until<T>(what: string, probe: Probe<T>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

export function sendPng(res: ServerResponse, body: Buffer): void {
  res.writeHead(200, { 'content-type': 'image/png', 'content-length': body.length, 'cache-control': 'no-store' });
  res.end(body);
}
