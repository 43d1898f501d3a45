/**
 * A real S3-compatible server for the storage specs: s3rver on 127.0.0.1 with an ephemeral port
 * and a throw-away directory, behind a small front (also 127.0.0.1, ephemeral) that refuses
 * presigned requests whose SigV4 signature does not verify, which s3rver itself never checks.
 * Everything else passes straight through to s3rver, which still enforces presigned expiry and
 * the access key id.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyPresignedRequest } from './sigv4-presign.js';

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  httpServer?: http.Server;
}
type S3rverConstructor = new (options: {
  address: string;
  port: number;
  silent: boolean;
  directory: string;
  configureBuckets: Array<{ name: string }>;
  resetOnClose?: boolean;
}) => S3rverInstance;

// s3rver is CommonJS without type declarations; createRequire keeps the ESM build typed.
const requireCjs = createRequire(import.meta.url);

/** s3rver's one built-in account. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface S3TestServer {
  /** The verifying front: what drivers under test should use. */
  readonly endpoint: string;
  /** s3rver itself, for showing what it does and does not check. */
  readonly rawEndpoint: string;
  readonly bucket: string;
  /** Requests that reached the front, so a spec can prove a refused call sent nothing. */
  readonly requests: number;
  close(): Promise<void>;
}

export async function startS3TestServer(bucket = 'imtegrate-test'): Promise<S3TestServer> {
  const directory = mkdtempSync(join(tmpdir(), 'imtegrate-s3rver-'));
  const S3rver = requireCjs('s3rver') as S3rverConstructor;
  const s3rver = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
  const { port: rawPort } = await s3rver.run();

  let requests = 0;
  const sockets = new Set<Socket>();
  const refuse = (res: ServerResponse, status: number, code: string, message: string): void => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
    res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(xml) });
    res.end(xml);
  };
  const front = http.createServer((req: IncomingMessage, res: ServerResponse) => {
    requests++;
    const url = req.url ?? '/';
    if (/[?&]X-Amz-Signature=/.test(url)) {
      const check = verifyPresignedRequest(
        { method: req.method ?? 'GET', pathAndQuery: url, headers: req.headers },
        (id) => (id === S3RVER_CREDENTIALS.accessKeyId ? S3RVER_CREDENTIALS.secretAccessKey : undefined),
        Date.now(),
      );
      // 'expired' goes through on purpose: s3rver's own expiry check is what answers it.
      if (check === 'invalid') {
        req.resume();
        refuse(res, 403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.');
        return;
      }
    }
    const upstream = http.request(
      // No pooled sockets, so closing s3rver never waits for an idle keep-alive connection.
      { host: '127.0.0.1', port: rawPort, method: req.method, path: url, headers: req.headers, agent: false },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => (res.headersSent ? res.destroy() : refuse(res, 502, 'BadGateway', 's3rver unreachable')));
    req.pipe(upstream);
  });
  front.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    front.once('error', reject);
    front.listen(0, '127.0.0.1', () => resolve());
  });
  const frontPort = (front.address() as AddressInfo).port;

  return {
    endpoint: `http://127.0.0.1:${frontPort}`,
    rawEndpoint: `http://127.0.0.1:${rawPort}`,
    bucket,
    get requests() {
      return requests;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => front.close(() => resolve()));
      const closing = s3rver.close();
      // fetch() in the specs keeps connections to the raw endpoint alive; drop them.
      s3rver.httpServer?.closeAllConnections();
      await closing;
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
