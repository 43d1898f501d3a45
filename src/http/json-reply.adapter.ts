import { StreamableFile } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import type { Response } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Express's `res.json()` with the work a JSON answer of ours never needs taken out: Express turns
 * a body over 1000 characters into a Buffer (so Node writes the header and the body as two
 * chunks, one `writev`), looks up four app settings, re-parses the Content-Type to add the
 * charset and evaluates freshness. Here the string is ended as it is, so Node sends header and
 * body in one write. Same bytes on the wire: the same Content-Type and Content-Length, in the
 * same order. Anything unusual (a Content-Type set by the handler, a conditional request,
 * a status without a body, a value that is not a plain object or array) goes through Express as before.
 */
export function fastJsonReply(response: Response, body: unknown, statusCode: number | undefined): boolean {
  return writeJson(response.req, response, statusCode ?? response.statusCode, body);
}

/** fastJsonReply on a bare node:http request and response (the read fast lane's answers). */
export function writeJson(req: IncomingMessage, res: ServerResponse, status: number, body: unknown): boolean {
  if (typeof body !== 'object' || body === null || body instanceof StreamableFile || ArrayBuffer.isView(body)) return false;
  if (status < 200 || status === 204 || status === 205 || status === 304 || status >= 600) return false;
  // Express may answer these 304 (req.fresh): leave them to it.
  if (req.headers['if-none-match'] !== undefined || req.headers['if-modified-since'] !== undefined) return false;
  if (res.hasHeader('content-type') || res.hasHeader('transfer-encoding')) return false;
  const json = JSON.stringify(body) as string | undefined;
  if (typeof json !== 'string') return false;
  res.statusCode = status;
  res.setHeader('Content-Type', JSON_TYPE);
  if (json.length < LARGE_ANSWER_CHARS) {
    res.setHeader('Content-Length', Buffer.byteLength(json));
    if (req.method === 'HEAD') res.end();
    else res.end(json);
    return true;
  }
  // A large answer (a template of megabytes echoed back) is encoded once, not measured and then
  // encoded again by the write, and written on a later turn of the event loop: the stringify
  // and the write are each milliseconds, and other requests get their turn between them.
  const bytes = Buffer.from(json, 'utf8');
  res.setHeader('Content-Length', bytes.length);
  setImmediate(() => (req.method === 'HEAD' ? res.end() : res.end(bytes)));
  return true;
}

/** From this many characters an answer is written as described in writeJson. */
const LARGE_ANSWER_CHARS = 256 * 1024;

/** Nest's Express adapter, answering handler results through fastJsonReply. */
export class JsonReplyExpressAdapter extends ExpressAdapter {
  override reply(response: unknown, body: unknown, statusCode?: number): unknown {
    if (fastJsonReply(response as Response, body, statusCode)) return response;
    return super.reply(response, body, statusCode);
  }
}
