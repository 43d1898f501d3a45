import type { IncomingMessage, ServerResponse } from 'node:http';
import { RequestValidationError, errorItem } from '../http/validation-errors.js';
import { BodyBuffer } from '../threads/body-buffer.js';
import { ApiError } from './api-error.js';
import { decodeJsonBytes, parseJsonBody } from './python-json.js';

export const BODY_PARSE_ERROR_DETAIL = 'There was an error parsing the body';
export const BODY_TOO_LARGE_DETAIL = 'Request body too large';

export type JsonBodyFailure =
  | { kind: 'decode'; pos: number; error: string }
  | { kind: 'undecodable' }
  /** Ours: more JSON values than we read, or a parse past its thread's deadline (413). */
  | { kind: 'too_complex'; detail: string }
  /** Ours: every body-reading thread is taken and the queue full (503). */
  | { kind: 'busy'; detail: string };

/**
 * What `req.body` holds when a JSON body could not be read. FastAPI only parses the body of
 * routes that declare one, so the failure is kept here and raised by the body DTO's pipe;
 * routes without a body never see it.
 */
export class UnreadableJsonBody {
  constructor(readonly failure: JsonBodyFailure) {}

  /**
   * FastAPI's answer: 422 json_invalid for a JSONDecodeError, 400 for anything else; and ours:
   * 413 for a well-formed body with more values than we read (JsonBodyOptions.maxValues), 503
   * when no thread can read it now.
   */
  toError(): RequestValidationError | ApiError {
    const f = this.failure;
    if (f.kind === 'decode') {
      return new RequestValidationError([errorItem('json_invalid', ['body', f.pos], {}, { error: f.error })]);
    }
    if (f.kind === 'too_complex') return new ApiError(413, f.detail);
    if (f.kind === 'busy') return new ApiError(503, f.detail, { 'Retry-After': '1' });
    return new ApiError(400, BODY_PARSE_ERROR_DETAIL);
  }
}

/** Bodies read in a thread (the large ones), so later steps can split their own work on them. */
const largeBodies = new WeakSet<object>();

/**
 * Whether a parsed body is one of the large ones (read in a thread): steps that cost
 * milliseconds per 100 KB on it (validation) give the event loop a turn around their work.
 */
export function isLargeBody(value: unknown): boolean {
  return typeof value === 'object' && value !== null && largeBodies.has(value);
}

/** FastAPI's test: `application/json` or `application/*+json`, parameters ignored. */
export function isJsonContentType(value: string | undefined): boolean {
  if (!value) return false;
  const parts = value.split(';')[0].trim().toLowerCase().split('/');
  if (parts.length !== 2) return false;
  return parts[0] === 'application' && (parts[1] === 'json' || parts[1].endsWith('+json'));
}

export const tooComplexDetail = (values: number, maxValues: number): string =>
  `Request body too complex: it holds ${values} JSON values; the limit is ${maxValues}`;

/**
 * The parsed body as FastAPI would see it (undefined when empty), or why it cannot be read.
 * `maxValues` bounds what the rest of the request may have to walk (validation, echoing input
 * in errors, the idempotency fingerprint): those run on the event loop.
 */
export function readJsonBody(bytes: Uint8Array, maxValues = Infinity): unknown {
  if (bytes.length === 0) return undefined;
  const text = decodeJsonBytes(bytes);
  if (text === undefined) return new UnreadableJsonBody({ kind: 'undecodable' });
  const r = parseJsonBody(text, undefined, maxValues);
  if (r.ok) return r.value;
  if (r.kind === 'decode') return new UnreadableJsonBody({ kind: 'decode', pos: r.pos, error: r.error });
  if (r.kind === 'too_complex') return new UnreadableJsonBody({ kind: 'too_complex', detail: tooComplexDetail(r.values, r.maxValues) });
  return new UnreadableJsonBody({ kind: 'undecodable' });
}

/** Reads a body off the event loop (JsonBodyPool): resolves to what readJsonBody would answer. */
export type JsonBodyReader = (bytes: Buffer) => Promise<{ body: unknown; bytes: Buffer }>;

export interface JsonBodyOptions {
  /** Larger bodies are refused with 413 as soon as that is known. */
  limitBytes: number;
  /** Well-formed bodies with more JSON values are refused with 413 (readJsonBody). */
  maxValues?: number;
  /**
   * Bodies of at least `minBytes` are parsed by `read` (a worker thread) instead of on the
   * event loop: parsing runs at about 100 ms per MB.
   */
  offLoop?: { minBytes: number; read: JsonBodyReader };
  /**
   * After a 413 the rest of the upload is read and dropped, so the client can read the answer
   * on a connection that stays in sync; an upload still going after this long is cut off.
   */
  drainMs?: number;
}

type Req = IncomingMessage & { body?: unknown; rawBody?: Buffer; _body?: boolean };
type Next = (err?: unknown) => void;

/**
 * Reads `application/json` and `*+json` bodies into `req.body` (and the bytes into
 * `req.rawBody`) with Python's json semantics; other content types are left to their own
 * handlers. Register it instead of Nest's body parser (`bodyParser: false`).
 */
export function jsonBodyMiddleware(options: JsonBodyOptions): (req: Req, res: ServerResponse, next: Next) => void {
  const { limitBytes, drainMs = 5000, maxValues = Infinity, offLoop } = options;
  return (req, res, next) => {
    if (req._body || req.body !== undefined || !isJsonContentType(req.headers['content-type'])) {
      next();
      return;
    }
    let settled = false;

    const cleanup = (): void => {
      req.removeListener('data', onData);
      req.removeListener('end', onEnd);
      req.removeListener('error', onGone);
      req.removeListener('close', onGone);
    };
    const refuse = (): void => {
      settled = true;
      cleanup();
      // Keep the stream flowing with nobody listening: the rest is read and dropped, not kept.
      req.resume();
      res.once('finish', () => {
        if (!req.complete) setTimeout(() => req.socket?.destroy(), drainMs).unref();
      });
      next(new ApiError(413, BODY_TOO_LARGE_DETAIL));
    };
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limitBytes) {
      refuse();
      return;
    }
    // One buffer as the body arrives, not chunks kept to the end (BodyBuffer: why).
    const body = new BodyBuffer(limitBytes, declared);
    function onData(chunk: Buffer): void {
      if (!body.append(chunk)) refuse();
    }
    function onEnd(): void {
      settled = true;
      cleanup();
      const size = body.size;
      const bytes = body.take();
      const done = (parsed: unknown, raw: Buffer): void => {
        req.rawBody = raw;
        req.body = parsed;
        req._body = true;
        next();
      };
      if (!offLoop || size < offLoop.minBytes) {
        done(readJsonBody(bytes, maxValues), bytes);
        return;
      }
      offLoop.read(bytes).then(({ body: parsed, bytes: raw }) => {
        if (typeof parsed === 'object' && parsed !== null) largeBodies.add(parsed);
        done(parsed, raw);
      }, next);
    }
    // The client went away mid-upload: there is nobody left to answer.
    function onGone(): void {
      if (settled) return;
      settled = true;
      cleanup();
    }

    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onGone);
    req.on('close', onGone);
  };
}
