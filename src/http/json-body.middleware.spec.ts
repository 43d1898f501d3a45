import { describe, expect, it } from '@jest/globals';
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import { RequestValidationError } from '../http/validation-errors.js';
import { ApiError } from './api-error.js';
import { isJsonContentType, jsonBodyMiddleware, readJsonBody, UnreadableJsonBody } from './json-body.middleware.js';

type FakeReq = IncomingMessage & { body?: unknown; rawBody?: Buffer };

function fakeReq(headers: Record<string, string>): FakeReq & PassThrough {
  const stream = new PassThrough() as unknown as FakeReq & PassThrough;
  Object.assign(stream, { headers, complete: false });
  return stream;
}
const fakeRes = (): ServerResponse => new EventEmitter() as unknown as ServerResponse;

function run(req: FakeReq, limitBytes = 100): Promise<unknown[]> {
  return new Promise((resolve) => {
    jsonBodyMiddleware({ limitBytes })(req, fakeRes(), (...args: unknown[]) => resolve(args));
  });
}

describe('isJsonContentType (FastAPI rule)', () => {
  it.each([
    ['application/json', true],
    ['Application/JSON; charset=latin-1', true],
    [' application/json ;x=y', true],
    ['application/vnd.api+json', true],
    ['application/merge-patch+json', true],
    ['text/json', false],
    ['application/jsonx', false],
    ['application/json/x', false],
    ['application', false],
    ['multipart/form-data; boundary=x', false],
    ['', false],
  ])('%j -> %p', (value, expected) => {
    expect(isJsonContentType(value)).toBe(expected);
  });
  it('is false without a header', () => {
    expect(isJsonContentType(undefined)).toBe(false);
  });
});

describe('readJsonBody', () => {
  it('maps empty to undefined and failures to UnreadableJsonBody', () => {
    expect(readJsonBody(Buffer.alloc(0))).toBeUndefined();
    expect(readJsonBody(Buffer.from('{"a":1}'))).toEqual({ a: 1 });
    const broken = readJsonBody(Buffer.from('{"payload":'));
    expect(broken).toEqual(new UnreadableJsonBody({ kind: 'decode', pos: 11, error: 'Expecting value' }));
    expect(readJsonBody(Buffer.from([0xff]))).toEqual(new UnreadableJsonBody({ kind: 'undecodable' }));
    expect(readJsonBody(Buffer.from(`[${'1'.repeat(5000)}]`))).toEqual(new UnreadableJsonBody({ kind: 'undecodable' }));
  });

  it("turns failures into FastAPI's errors", () => {
    const decode = new UnreadableJsonBody({ kind: 'decode', pos: 1, error: 'Expecting property name enclosed in double quotes' }).toError();
    expect(decode).toBeInstanceOf(RequestValidationError);
    expect((decode as RequestValidationError).detail).toEqual([
      { type: 'json_invalid', loc: ['body', 1], msg: 'JSON decode error', input: {}, ctx: { error: 'Expecting property name enclosed in double quotes' } },
    ]);
    const other = new UnreadableJsonBody({ kind: 'undecodable' }).toError() as ApiError;
    expect([other.getStatus(), other.detail]).toEqual([400, 'There was an error parsing the body']);
  });

  it('refuses a well-formed body over the value budget with 413, and still reports a malformed one as Python does', () => {
    const many = readJsonBody(Buffer.from('[1,2,[3,{}]]'), 5) as UnreadableJsonBody;
    const err = many.toError() as ApiError;
    expect([err.getStatus(), err.detail]).toEqual([413, 'Request body too complex: it holds 6 JSON values; the limit is 5']);
    expect(readJsonBody(Buffer.from('[1,2,[3,{}]]'), 6)).toEqual([1, 2, [3, {}]]);
    expect(readJsonBody(Buffer.from('[1,2,[3,{}],x]'), 5)).toEqual(new UnreadableJsonBody({ kind: 'decode', pos: 12, error: 'Expecting value' }));
  });
});

describe('jsonBodyMiddleware', () => {
  it('leaves other content types alone, stream unread', async () => {
    const req = fakeReq({ 'content-type': 'multipart/form-data; boundary=x' });
    req.end('--x--');
    expect(await run(req)).toEqual([]);
    expect(req.body).toBeUndefined();
    expect(req.readableLength).toBeGreaterThan(0);
  });

  it('parses a JSON body into req.body and keeps the bytes in req.rawBody', async () => {
    const req = fakeReq({ 'content-type': 'application/json' });
    req.write('{"a":');
    req.end('[1,2.0]}');
    expect(await run(req)).toEqual([]);
    expect(req.body).toEqual({ a: [1, 2] });
    expect(req.rawBody?.toString()).toBe('{"a":[1,2.0]}');
  });

  it('hands bodies of at least offLoop.minBytes to offLoop.read, smaller ones parsed in place', async () => {
    const seen: number[] = [];
    const read = async (bytes: Buffer) => {
      seen.push(bytes.length);
      return { body: { read: 'off the loop' }, bytes };
    };
    const parse = (text: string) =>
      new Promise<FakeReq>((resolve) => {
        const req = fakeReq({ 'content-type': 'application/json' });
        jsonBodyMiddleware({ limitBytes: 1000, offLoop: { minBytes: 10, read } })(req, fakeRes(), () => resolve(req));
        req.end(text);
      });
    expect((await parse('[1,2]')).body).toEqual([1, 2]);
    const big = await parse('[1,2,3,4,5]');
    expect(big.body).toEqual({ read: 'off the loop' });
    expect(big.rawBody?.toString()).toBe('[1,2,3,4,5]');
    expect(seen).toEqual([11]);
  });

  it('leaves req.body undefined for an empty JSON body', async () => {
    const req = fakeReq({ 'content-type': 'application/json', 'content-length': '0' });
    req.end();
    expect(await run(req)).toEqual([]);
    expect(req.body).toBeUndefined();
  });

  it('keeps a malformed body as UnreadableJsonBody for the body DTO to raise', async () => {
    const req = fakeReq({ 'content-type': 'application/json' });
    req.end('{"name":"a"} x');
    expect(await run(req)).toEqual([]);
    expect(req.body).toEqual(new UnreadableJsonBody({ kind: 'decode', pos: 13, error: 'Extra data' }));
  });

  it('refuses a declared Content-Length over the limit before reading', async () => {
    const req = fakeReq({ 'content-type': 'application/json', 'content-length': '101' });
    const [err] = await run(req);
    expect(err).toBeInstanceOf(ApiError);
    expect([(err as ApiError).getStatus(), (err as ApiError).detail]).toEqual([413, 'Request body too large']);
  });

  it('refuses as soon as the limit is crossed and drops the rest', async () => {
    const req = fakeReq({ 'content-type': 'application/json' });
    const calls: unknown[][] = [];
    const done = new Promise<void>((resolve) => {
      jsonBodyMiddleware({ limitBytes: 100 })(req, fakeRes(), (...args: unknown[]) => {
        calls.push(args);
        resolve();
      });
    });
    req.write(Buffer.alloc(60, 0x20));
    req.write(Buffer.alloc(60, 0x20));
    await done;
    expect((calls[0][0] as ApiError).getStatus()).toBe(413);
    // Later data is read and dropped, never buffered, and next() is not called again.
    req.write(Buffer.alloc(1000, 0x20));
    req.end();
    await new Promise((r) => setImmediate(r));
    expect(calls).toHaveLength(1);
    expect(req.readableLength).toBe(0);
    expect(req.body).toBeUndefined();
  });

  it('does nothing more when the client goes away mid-upload', async () => {
    const req = fakeReq({ 'content-type': 'application/json' });
    let called = false;
    jsonBodyMiddleware({ limitBytes: 100 })(req, fakeRes(), () => {
      called = true;
    });
    req.write('{"a"');
    req.destroy();
    await new Promise((r) => setImmediate(r));
    expect(called).toBe(false);
  });
});
