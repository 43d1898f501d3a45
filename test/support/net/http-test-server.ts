/**
 * Local HTTP(S) servers for the network specs: loopback only, ephemeral ports, and counters
 * that let a spec prove a refused request never opened a connection.
 */
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** TLS SNI sent by the client (https servers only). */
  servername?: string | false | null;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, recorded: RecordedRequest) => void;

export interface TestServer {
  readonly host: string;
  readonly port: number;
  /** TCP connections accepted so far. */
  readonly connections: number;
  readonly requests: RecordedRequest[];
  /** Base URL, e.g. http://127.0.0.1:PORT (IPv6 hosts bracketed). */
  readonly origin: string;
  url(path?: string): string;
  reset(): void;
  close(): Promise<void>;
}

export interface StartOptions {
  host?: '127.0.0.1' | '::1';
  tls?: { key: string; cert: string };
}

export async function startTestServer(handler: Handler, options: StartOptions = {}): Promise<TestServer> {
  const host = options.host ?? '127.0.0.1';
  const sockets = new Set<Socket>();
  const requests: RecordedRequest[] = [];
  let connections = 0;

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
        servername: (req.socket as TLSSocket).servername,
      };
      requests.push(recorded);
      handler(req, res, recorded);
    });
  };

  const server = options.tls ? https.createServer({ ...options.tls }, onRequest) : http.createServer(onRequest);
  // Count raw TCP accepts (before any TLS handshake or HTTP parsing).
  server.on('connection', (socket: Socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // A failed handshake is an expected outcome in some specs, not a server crash.
  server.on('tlsClientError', () => undefined);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('server has no TCP address');
  const port = address.port;
  const scheme = options.tls ? 'https' : 'http';
  const origin = `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;

  return {
    host,
    port,
    origin,
    get connections() {
      return connections;
    },
    requests,
    url: (path = '/') => `${origin}${path}`,
    reset() {
      connections = 0;
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** True when this machine can listen on ::1 (some containers have IPv6 disabled). */
export async function hasIPv6Loopback(): Promise<boolean> {
  const server = http.createServer();
  return new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(0, '::1', () => server.close(() => resolve(true)));
  });
}
