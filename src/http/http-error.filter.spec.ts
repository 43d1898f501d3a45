import { describe, expect, it } from '@jest/globals';
import { BadRequestException, ForbiddenException, HttpException, NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import { errorItem, RequestValidationError } from '../http/validation-errors.js';
import { ApiError } from './api-error.js';
import { resolveErrorResponse, type RequestFacts } from './http-error.filter.js';
import { parseJsonBody, pyFloat } from './python-json.js';

const facts = (method = 'GET', url = '/v1/x'): RequestFacts => ({ method, originalUrl: url, path: url.split('?')[0] });
const routes = [
  { method: 'GET', path: '/v1/images/:image_id' },
  { method: 'DELETE', path: '/v1/images/:image_id' },
];
const resolve = (e: unknown, f = facts()) => resolveErrorResponse(e, f, () => routes);

describe('resolveErrorResponse', () => {
  it('renders RequestValidationError as 422 with a compact body', () => {
    const r = resolve(new RequestValidationError([errorItem('greater_than_equal', ['query', 'limit'], '0', { ge: 1 })]));
    expect(r).toEqual({
      status: 422,
      headers: {},
      contentType: 'application/json',
      body: '{"detail":[{"type":"greater_than_equal","loc":["query","limit"],"msg":"Input should be greater than or equal to 1","input":"0","ctx":{"ge":1}}]}',
    });
  });

  it('writes Python number forms and keeps non-ASCII text', () => {
    const body = (parseJsonBody('{"size":1.0}') as { value: Record<string, unknown> }).value;
    const r = resolve(new RequestValidationError([errorItem('missing', ['body', 'name'], body), errorItem('less_than', ['body', 'é'], 'ü', { lt: pyFloat(1) })]));
    expect(r.body).toBe(
      '{"detail":[{"type":"missing","loc":["body","name"],"msg":"Field required","input":{"size":1.0}},{"type":"less_than","loc":["body","é"],"msg":"Input should be less than 1","input":"ü","ctx":{"lt":1.0}}]}',
    );
  });

  it('renders ApiError with its status, detail and headers', () => {
    expect(resolve(new ApiError(401, 'Not authenticated', { 'WWW-Authenticate': 'Bearer' }))).toEqual({
      status: 401,
      headers: { 'WWW-Authenticate': 'Bearer' },
      contentType: 'application/json',
      body: '{"detail":"Not authenticated"}',
    });
    expect(resolve(new ApiError(400, { code: 'invalid_modification', errors: [{ name: 'headline', reason: 'x' }] })).body).toBe(
      '{"detail":{"code":"invalid_modification","errors":[{"name":"headline","reason":"x"}]}}',
    );
  });

  it("renders Nest's exceptions as {detail}: their message, or their custom body", () => {
    expect(resolve(new NotFoundException('Image not found')).body).toBe('{"detail":"Image not found"}');
    expect(resolve(new NotFoundException()).body).toBe('{"detail":"Not Found"}');
    expect(resolve(new ForbiddenException()).body).toBe('{"detail":"Forbidden"}');
    expect(resolve(new HttpException('Rate limit exceeded', 429))).toMatchObject({ status: 429, body: '{"detail":"Rate limit exceeded"}' });
    expect(resolve(new BadRequestException({ code: 'template_not_published' })).body).toBe('{"detail":{"code":"template_not_published"}}');
  });

  it('sends no body for statuses without one', () => {
    expect(resolve(new ApiError(304, 'x'))).toEqual({ status: 304, headers: {} });
    expect(resolve(new HttpException('', 204))).toEqual({ status: 204, headers: {} });
  });

  it("tells Nest's router miss apart: 404, or 405 with the first matching route's method", () => {
    expect(resolve(new NotFoundException('Cannot PATCH /v1/images/abc?x=1'), facts('PATCH', '/v1/images/abc?x=1'))).toEqual({
      status: 405,
      headers: { Allow: 'GET' },
      contentType: 'application/json',
      body: '{"detail":"Method Not Allowed"}',
    });
    expect(resolve(new NotFoundException('Cannot GET /v1/nope'), facts('GET', '/v1/nope'))).toMatchObject({ status: 404, body: '{"detail":"Not Found"}' });
    // The same text thrown by a handler for another URL is the handler's own 404.
    expect(resolve(new NotFoundException('Cannot GET /elsewhere'), facts('GET', '/v1/nope')).body).toBe('{"detail":"Cannot GET /elsewhere"}');
  });

  it("maps other body parsers' errors to FastAPI's answers", () => {
    const tooLarge = Object.assign(new Error('request entity too large'), { type: 'entity.too.large', status: 413 });
    expect(resolve(new PayloadTooLargeException('x', { cause: tooLarge }))).toMatchObject({ status: 413, body: '{"detail":"Request body too large"}' });
    const syntax = Object.assign(new SyntaxError('Unexpected token'), { type: 'entity.parse.failed', body: '{bad}', status: 400 });
    expect(resolve(new BadRequestException('x', { cause: syntax })).body).toBe(
      '{"detail":[{"type":"json_invalid","loc":["body",1],"msg":"JSON decode error","input":{},"ctx":{"error":"Expecting property name enclosed in double quotes"}}]}',
    );
    const aborted = Object.assign(new Error('aborted'), { type: 'request.aborted' });
    expect(resolve(new BadRequestException('x', { cause: aborted }))).toMatchObject({ status: 400, body: '{"detail":"There was an error parsing the body"}' });
  });

  it("answers Express's undecodable path parameter with 404", () => {
    const uriError = Object.assign(new URIError("Failed to decode param '%ff'"), { status: 400 });
    expect(resolve(new BadRequestException(uriError.message, { cause: uriError }))).toMatchObject({ status: 404, body: '{"detail":"Not Found"}' });
  });

  it('answers anything else with a plain 500 and flags it for logging', () => {
    const boom = new Error('db password is hunter2');
    expect(resolve(boom)).toEqual({
      status: 500,
      headers: {},
      body: 'Internal Server Error',
      contentType: 'text/plain; charset=utf-8',
      unexpected: boom,
    });
    expect(resolve('a string').status).toBe(500);
  });

  // Starlette answers 500 here; we never do: the non-finite numbers are echoed as Python's repr.
  it('writes NaN and the infinities in a detail as "nan", "inf" and "-inf", keeping other numbers as parsed', () => {
    const r = resolve(new ApiError(400, { value: NaN, big: Infinity, small: -Infinity, n: 1 }));
    expect([r.status, r.body]).toEqual([400, '{"detail":{"value":"nan","big":"inf","small":"-inf","n":1}}']);
    const parsed = parseJsonBody('{"a":1e999,"b":5.0,"__proto__":2}');
    if (!parsed.ok) throw new Error('fixture');
    const q = resolve(new ApiError(422, parsed.value));
    expect([q.status, q.body]).toEqual([422, '{"detail":{"a":"inf","b":5.0,"__proto__":2}}']);
  });
});
