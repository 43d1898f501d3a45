import type { IncomingHttpHeaders } from 'node:http';
import { expect } from '@jest/globals';
import { type ImageServer, sleep } from './image-server.js';
import { api } from './render-flow.js';

/** One delivery a receiver path recorded. */
export interface Received {
  headers: IncomingHttpHeaders;
  raw: string;
}

/** Polls GET /v1/collections/{id} until it is completed (the API's own contract, as a client would). */
export async function waitForCollection<T extends { status: string }>(baseUrl: string, key: string, id: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await api<T>(baseUrl, key, 'GET', `/v1/collections/${id}`);
    expect(r.status).toBe(200);
    if (r.body.status === 'completed') return r.body;
    if (Date.now() > deadline) throw new Error(`collection ${id} still ${r.body.status} after ${timeoutMs} ms: ${JSON.stringify(r.body)}`);
    await sleep(50);
  }
}

/** A receiver path that records every delivery into `received` and answers 204; its URL. */
export function recordDeliveries(receiver: ImageServer, received: Map<string, Received[]>, path: string): string {
  received.set(path, []);
  receiver.route(path, async (req, res) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    received.get(path)?.push({ headers: req.headers, raw });
    res.writeHead(204).end();
  });
  return receiver.url(path);
}
