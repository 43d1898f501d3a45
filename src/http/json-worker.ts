import { announceTaskStart, transferring } from '../threads/deadline-pool.js';
import type { JsonParseRequest, JsonParseResponse } from './json-body-pool.js';
import { readJsonBody, UnreadableJsonBody } from './json-body.middleware.js';
import { sideTablesOf } from './python-json.js';

/** Thread entry of JsonBodyPool (a piscina task handler): reads one JSON body. */
export default function parseJson(req: JsonParseRequest): unknown {
  announceTaskStart(req);
  const bytes = req.bytes;
  const body = readJsonBody(bytes, req.maxValues);
  const reply: JsonParseResponse =
    body instanceof UnreadableJsonBody ? { kind: 'unreadable', failure: body.failure } : { kind: 'ok', value: body, tables: sideTablesOf(body) };
  if (!req.moved) return reply;
  // Moved in, so moved back (not copied): they are the request's rawBody.
  return transferring({ ...reply, bytes }, [bytes.buffer]);
}
