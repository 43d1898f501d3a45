import { describe, expect, it } from '@jest/globals';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pathDecodingMiddleware, pythonRoutablePath, pyUnquote } from './path-decoding.middleware.js';

describe('pyUnquote (urllib.parse.unquote)', () => {
  it.each([
    ['/v1/x/abc', '/v1/x/abc'],
    ['/a%20b', '/a b'],
    ['/%C3%A9%e6%97%A5', '/é日'],
    ['/%ff', '/\ufffd'],
    ['/%zz', '/%zz'],
    ['/%', '/%'],
    ['/%4', '/%4'],
    ['/%e2%82', '/\ufffd'],
    ['/%e2%82x', '/\ufffdx'],
    ['/%ed%a0%80', '/\ufffd\ufffd\ufffd'],
    ['/%2F', '//'],
    ['/%EF%BB%BFa', '/\ufeffa'],
    ['/a+b', '/a+b'],
  ])('%s -> %j', (raw, decoded) => {
    expect(pyUnquote(raw)).toBe(decoded);
  });
});

describe('pythonRoutablePath', () => {
  it('re-encodes so that Express decodes the same segments Starlette sees', () => {
    expect(pythonRoutablePath('/v1/x/%ff')).toBe('/v1/x/%EF%BF%BD');
    expect(pythonRoutablePath('/v1/x/%zz')).toBe('/v1/x/%25zz');
    expect(pythonRoutablePath('/v1/x/a%2Fb')).toBe('/v1/x/a/b');
    expect(pythonRoutablePath('/v1/%69mages')).toBe('/v1/images');
    expect(pythonRoutablePath('/v1/x/plain')).toBe('/v1/x/plain');
    for (const raw of ['/v1/x/%ff', '/v1/x/%zz', '/v1/x/%C3%A9']) {
      expect(decodeURIComponent(pythonRoutablePath(raw).split('/')[3])).toBe(pyUnquote(raw).split('/')[3]);
    }
  });
});

describe('pathDecodingMiddleware', () => {
  const run = (url: string): string => {
    const req = { url } as IncomingMessage;
    let called = false;
    pathDecodingMiddleware()(req, {} as ServerResponse, () => {
      called = true;
    });
    expect(called).toBe(true);
    return req.url ?? '';
  };
  it('rewrites the path only, keeping the query as sent', () => {
    expect(run('/v1/x/%zz?q=%ff&a=1')).toBe('/v1/x/%25zz?q=%ff&a=1');
    expect(run('/v1/x/y?q=%zz')).toBe('/v1/x/y?q=%zz');
  });
});
