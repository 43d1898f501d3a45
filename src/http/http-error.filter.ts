import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger, NotFoundException, PayloadTooLargeException, Optional } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { RequestValidationError } from '../http/validation-errors.js';
import { ApiError } from './api-error.js';
import { BODY_PARSE_ERROR_DETAIL, BODY_TOO_LARGE_DETAIL, readJsonBody, UnreadableJsonBody } from './json-body.middleware.js';
import { NonFiniteNumberError, pyDumps, withNonFiniteAsText } from './python-json.js';
import { collectRoutes, matchRouteMiss, type RouteInfo } from './route-miss.js';

export interface ErrorReply {
  status: number;
  headers: Record<string, string>;
  /** Absent for statuses that have no body (1xx, 204, 205, 304). */
  body?: string;
  contentType?: string;
  /** Not an HTTP error of ours: log it. */
  unexpected?: unknown;
}

/** What the filter needs to know about the request. */
export interface RequestFacts {
  method: string;
  /** The URL as received, which Nest's router-miss message quotes. */
  originalUrl: string;
  /** The path the router matched against (after any rewriting), without the query. */
  path: string;
}

const INTERNAL_ERROR: Omit<ErrorReply, 'unexpected'> = {
  status: 500,
  headers: {},
  body: 'Internal Server Error',
  contentType: 'text/plain; charset=utf-8',
};

const bodyAllowed = (status: number): boolean => status >= 200 && status !== 204 && status !== 205 && status !== 304;

function json(status: number, payload: unknown, headers: Record<string, string> = {}): ErrorReply {
  if (!bodyAllowed(status)) return { status, headers };
  try {
    return { status, headers, body: pyDumps(payload), contentType: 'application/json' };
  } catch (err) {
    // Starlette cannot write NaN/Infinity either and answers 500; we echo them as Python's
    // repr strings instead ("inf"), so bad input never turns into an internal error.
    if (!(err instanceof NonFiniteNumberError)) return { ...INTERNAL_ERROR, unexpected: err };
    return { status, headers, body: pyDumps(withNonFiniteAsText(payload)), contentType: 'application/json' };
  }
}

const NEST_BODY_KEYS = new Set(['statusCode', 'message', 'error', 'errorCode']);

/** `detail` of an HttpException: its message for Nest's built-in bodies, else its response. */
function detailOf(ex: HttpException): unknown {
  if (ex instanceof ApiError) return ex.detail;
  const r = ex.getResponse();
  if (typeof r !== 'object' || r === null) return r;
  const rec = r as Record<string, unknown>;
  if (rec.statusCode === ex.getStatus() && 'message' in rec && Object.keys(rec).every((k) => NEST_BODY_KEYS.has(k))) return rec.message;
  return r;
}

/** Errors of body-parser/raw-body (another parser than ours), as Nest's adapter wraps them. */
function bodyReadError(cause: unknown): ErrorReply | undefined {
  if (typeof cause !== 'object' || cause === null || typeof (cause as { type?: unknown }).type !== 'string') return undefined;
  const { type, body } = cause as { type: string; body?: unknown };
  if (type === 'entity.too.large') return json(413, { detail: BODY_TOO_LARGE_DETAIL });
  if (type === 'entity.parse.failed' && typeof body === 'string') {
    const parsed = readJsonBody(Buffer.from(body, 'utf8'));
    if (parsed instanceof UnreadableJsonBody) return resolveErrorResponse(parsed.toError(), { method: '', originalUrl: '', path: '' }, () => []);
  }
  if (/^(entity|request|stream|encoding|charset)\./.test(type)) return json(400, { detail: BODY_PARSE_ERROR_DETAIL });
  return undefined;
}

/**
 * The response FastAPI would give for an exception: 422 for validation errors, `{"detail": ...}`
 * with the status (and headers) of an HttpException, 404/405 for router misses, and a plain
 * 500 for anything else. `routes` is only consulted for a router miss.
 */
export function resolveErrorResponse(exception: unknown, req: RequestFacts, routes: () => readonly RouteInfo[]): ErrorReply {
  if (exception instanceof RequestValidationError) return json(422, { detail: exception.detail });
  if (!(exception instanceof HttpException)) return { ...INTERNAL_ERROR, unexpected: exception };

  // Nest's own answer when no route matched: "Cannot GET /x".
  if (exception instanceof NotFoundException && exception.message === `Cannot ${req.method} ${req.originalUrl}`) {
    const miss = matchRouteMiss(routes(), req.method, req.path);
    return miss.status === 405 ? json(405, { detail: 'Method Not Allowed' }, { Allow: miss.allow }) : json(404, { detail: 'Not Found' });
  }
  const cause = (exception as { cause?: unknown }).cause;
  const fromBodyParser = bodyReadError(cause);
  if (fromBodyParser) return fromBodyParser;
  // A path parameter Express could not percent-decode (only without pathDecodingMiddleware).
  if (cause instanceof URIError) return json(404, { detail: 'Not Found' });
  // Nest's own 413 (e.g. multer's file-size limit) gets the one documented body.
  if (exception instanceof PayloadTooLargeException) return json(413, { detail: BODY_TOO_LARGE_DETAIL });

  const headers = exception instanceof ApiError ? exception.headers : {};
  return json(exception.getStatus(), { detail: detailOf(exception) }, headers);
}

type Req = IncomingMessage & { originalUrl?: string; baseUrl?: string; path?: string; id?: unknown };

function requestFacts(req: Req): RequestFacts {
  const originalUrl = req.originalUrl ?? req.url ?? '/';
  const path = req.path !== undefined ? (req.baseUrl ?? '') + req.path : originalUrl.split('?')[0];
  return { method: req.method ?? 'GET', originalUrl, path };
}

/** A request id fit for a log line: `req.id`, else the X-Request-Id header. */
function requestId(req: Req): string {
  const header = req.headers['x-request-id'];
  const raw = typeof req.id === 'string' || typeof req.id === 'number' ? String(req.id) : Array.isArray(header) ? header[0] : header;
  // Header text goes into logs: no control characters, bounded length.
  return raw ? raw.replace(/[\x00-\x1f\x7f]/g, '?').slice(0, 128) : '-';
}

/**
 * The one exception filter (register as APP_FILTER). Router misses are told apart from method
 * misses with the app's routes, read from the Express router on demand (pass `setRoutes()` to
 * use a fixed list instead).
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrorFilter');
  private fixedRoutes?: readonly RouteInfo[];
  private cachedRoutes: { size: number; routes: readonly RouteInfo[] } | undefined;

  constructor(@Optional() private readonly adapterHost?: HttpAdapterHost) {}

  setRoutes(routes: readonly RouteInfo[]): void {
    this.fixedRoutes = routes;
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const req = host.switchToHttp().getRequest<Req>();
    const res = host.switchToHttp().getResponse<ServerResponse>();
    const facts = requestFacts(req);
    const reply = resolveErrorResponse(exception, facts, () => this.routes());
    if (reply.unexpected !== undefined) {
      const err = reply.unexpected;
      const pathOnly = facts.originalUrl.split('?')[0];
      // Method, path and request id only: headers and query strings may carry credentials.
      this.logger.error(`${facts.method} ${pathOnly} failed (request id ${requestId(req)})`, err instanceof Error ? err.stack : String(err));
    }
    if (res.headersSent) {
      // Part of another response is already out; cutting the connection is the only signal left.
      if (!res.writableEnded) res.destroy();
      return;
    }
    res.statusCode = reply.status;
    for (const [name, value] of Object.entries(reply.headers)) res.setHeader(name, value);
    if (reply.body === undefined) {
      res.end();
      return;
    }
    res.setHeader('content-type', reply.contentType ?? 'application/json');
    res.setHeader('content-length', Buffer.byteLength(reply.body));
    res.end(reply.body);
  }

  private routes(): readonly RouteInfo[] {
    if (this.fixedRoutes) return this.fixedRoutes;
    const adapter = this.adapterHost?.httpAdapter;
    if (!adapter) return [];
    const stack = (adapter.getInstance() as { router?: { stack?: unknown[] } }).router?.stack;
    const size = stack?.length ?? 0;
    if (this.cachedRoutes?.size !== size) this.cachedRoutes = { size, routes: collectRoutes(adapter) };
    return this.cachedRoutes.routes;
  }
}
