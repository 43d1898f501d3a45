/**
 * The whole error layer in a real Nest app over real HTTP on 127.0.0.1: pipe + interceptor +
 * filter + middlewares registered the way the app registers them.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Body, Controller, Delete, Get, type INestApplication, type LoggerService, Module, Param, Post, Query } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE, NestFactory } from '@nestjs/core';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { PyEnum, PyInt, PyList, PyLiteral, PyStr } from '../validation/decorators.js';
import { t } from '../validation/fields.js';
import { FastApiValidationPipe, RequestHeaders, UuidParam, ValidationScopeInterceptor } from '../validation/validation.pipe.js';
import { ApiError } from './api-error.js';
import { HttpErrorFilter } from './http-error.filter.js';
import { useFastApiMiddleware } from './setup.js';

class ListQuery {
  @PyInt({ ge: 1, le: 100 }) limit = 20;
  @PyEnum(['pending', 'rendering', 'completed', 'failed'], { optional: true }) status?: string;
}
class TextLayer {
  @PyLiteral(['text']) type: 'text';
  @PyStr() name: string;
  @PyInt({ ge: 1 }) font_size = 48;
}
class ImageLayer {
  @PyLiteral(['image']) type: 'image';
  @PyStr() name: string;
}
class CreateBody {
  @PyStr({ minLength: 1 }) name: string;
  @PyList(t.union('type', { text: TextLayer, image: ImageLayer })) layers: (TextLayer | ImageLayer)[];
}
class TraceHeaders {
  @PyStr({ optional: true, maxLength: 8 }) x_trace?: string;
}

@Controller('v1')
class TestController {
  @Get('images/:image_id')
  get(@Param('image_id', UuidParam) id: string, @Query() q: ListQuery): unknown {
    return { id, limit: q.limit, status: q.status ?? null };
  }

  @Delete('images/:image_id')
  remove(@Param('image_id', UuidParam) id: string): unknown {
    return { deleted: id };
  }

  @Post('images')
  create(@Body() body: CreateBody, @Query() q: ListQuery, @RequestHeaders() h: TraceHeaders): unknown {
    return { name: body.name, layers: body.layers.map((l) => l.constructor.name), limit: q.limit, trace: h.x_trace ?? null };
  }

  @Post('ping')
  ping(): unknown {
    return { pong: true };
  }

  @Get('x/:image_id')
  byId(@Param('image_id', UuidParam) id: string): unknown {
    return { id };
  }

  @Get('boom')
  boom(): never {
    throw new Error('database password is hunter2');
  }

  @Get('private')
  secret(): never {
    throw new ApiError(401, 'Not authenticated', { 'WWW-Authenticate': 'Bearer' });
  }
}

@Module({
  controllers: [TestController],
  providers: [
    { provide: APP_PIPE, useClass: FastApiValidationPipe },
    { provide: APP_INTERCEPTOR, useClass: ValidationScopeInterceptor },
    { provide: APP_FILTER, useClass: HttpErrorFilter },
  ],
})
class TestModule {}

class CapturingLogger implements LoggerService {
  errors: string[] = [];
  log(): void {}
  warn(): void {}
  debug(): void {}
  verbose(): void {}
  error(message: unknown, ...rest: unknown[]): void {
    this.errors.push([message, ...rest].map(String).join('\n'));
  }
}

const LIMIT = 1024 * 1024;
let app: INestApplication;
let port: number;
const logger = new CapturingLogger();

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** A raw request: the path goes out exactly as written (no client-side re-encoding). */
function send(method: string, rawPath: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: rawPath, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
const json = (method: string, p: string, body: string, headers: Record<string, string> = {}): Promise<Reply> =>
  send(method, p, body, { 'content-type': 'application/json', ...headers });

const ID = '3f0c8a52-9d1e-4b7a-8c55-2e1f0a9b7c13';
const GOOD_BODY = '{"name":"card","layers":[{"type":"text","name":"t"},{"type":"image","name":"i"}]}';

beforeAll(async () => {
  app = await NestFactory.create(TestModule, { bodyParser: false, logger });
  useFastApiMiddleware(app, { limitBytes: LIMIT });
  await app.listen(0, '127.0.0.1');
  port = (app.getHttpServer().address() as { port: number }).port;
});

afterAll(async () => {
  await app.close();
});

describe('UUID path parameters (contract vectors)', () => {
  type Vector = { input: string; valid: boolean; canonical?: string; status?: number; body?: unknown };
  const vectors = JSON.parse(readFileSync(path.resolve(process.cwd(), 'test/contract/image-id-vectors.json'), 'utf8')) as Vector[];

  it.each(vectors.map((v) => [JSON.stringify(v.input), v] as const))('%s', async (_name, v) => {
    const r = await send('GET', `/v1/x/${encodeURIComponent(v.input)}`);
    if (v.valid) {
      expect([r.status, r.text]).toEqual([200, JSON.stringify({ id: v.canonical })]);
    } else {
      expect(r.status).toBe(v.status);
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.text).toBe(JSON.stringify(v.body));
    }
  });
});

describe('query parameters', () => {
  it('limit=0 -> greater_than_equal with the raw string as input', async () => {
    const r = await send('GET', `/v1/images/${ID}?limit=0`);
    expect([r.status, r.text]).toEqual([
      422,
      '{"detail":[{"type":"greater_than_equal","loc":["query","limit"],"msg":"Input should be greater than or equal to 1","input":"0","ctx":{"ge":1}}]}',
    ]);
  });

  it('limit=abc -> int_parsing, and an enum value outside the set -> enum', async () => {
    const r = await send('GET', `/v1/images/${ID}?limit=abc&status=done`);
    expect(r.text).toBe(
      '{"detail":[' +
        '{"type":"int_parsing","loc":["query","limit"],"msg":"Input should be a valid integer, unable to parse string as an integer","input":"abc"},' +
        `{"type":"enum","loc":["query","status"],"msg":"Input should be 'pending', 'rendering', 'completed' or 'failed'","input":"done","ctx":{"expected":"'pending', 'rendering', 'completed' or 'failed'"}}` +
        ']}',
    );
  });

  it('coerces and defaults valid values, canonicalising the id', async () => {
    const r = await send('GET', `/v1/images/${ID.toUpperCase().replace(/-/g, '')}?status=pending`);
    expect([r.status, JSON.parse(r.text)]).toEqual([200, { id: ID, limit: 20, status: 'pending' }]);
  });

  it('reports path errors before query errors, in one response', async () => {
    const r = await send('GET', '/v1/images/xyz?limit=500');
    expect((JSON.parse(r.text) as { detail: { loc: unknown[] }[] }).detail.map((d) => d.loc)).toEqual([
      ['path', 'image_id'],
      ['query', 'limit'],
    ]);
  });
});

describe('request bodies', () => {
  it('accepts a valid body and builds the DTO', async () => {
    const r = await json('POST', '/v1/images?limit=5', GOOD_BODY, { 'x-trace': 'abc' });
    expect([r.status, JSON.parse(r.text)]).toEqual([201, { name: 'card', layers: ['TextLayer', 'ImageLayer'], limit: 5, trace: 'abc' }]);
  });

  it('reports nested/array/union locs, after query and header errors', async () => {
    const r = await json('POST', '/v1/images?limit=0', '{"name":"","layers":[{"type":"text","name":"t","font_size":0},{"type":"video"}],"extra":1.0}', {
      'x-trace': 'much-too-long',
    });
    expect(r.status).toBe(422);
    expect(r.text).toBe(
      '{"detail":[' +
        '{"type":"greater_than_equal","loc":["query","limit"],"msg":"Input should be greater than or equal to 1","input":"0","ctx":{"ge":1}},' +
        '{"type":"string_too_long","loc":["header","x-trace"],"msg":"String should have at most 8 characters","input":"much-too-long","ctx":{"max_length":8}},' +
        '{"type":"string_too_short","loc":["body","name"],"msg":"String should have at least 1 character","input":"","ctx":{"min_length":1}},' +
        '{"type":"greater_than_equal","loc":["body","layers",0,"text","font_size"],"msg":"Input should be greater than or equal to 1","input":0,"ctx":{"ge":1}},' +
        `{"type":"union_tag_invalid","loc":["body","layers",1],"msg":"Input tag 'video' found using 'type' does not match any of the expected tags: 'text', 'image'","input":{"type":"video"},"ctx":{"discriminator":"'type'","tag":"video","expected_tags":"'text', 'image'"}},` +
        '{"type":"extra_forbidden","loc":["body","extra"],"msg":"Extra inputs are not permitted","input":1.0}' +
        ']}',
    );
  });

  it('reports a missing body at ["body"], and missing fields with the whole body as input', async () => {
    expect((await send('POST', '/v1/images')).text).toBe('{"detail":[{"type":"missing","loc":["body"],"msg":"Field required","input":null}]}');
    expect((await json('POST', '/v1/images', '')).text).toBe('{"detail":[{"type":"missing","loc":["body"],"msg":"Field required","input":null}]}');
    expect((await json('POST', '/v1/images', '{"layers":[]}')).text).toBe(
      '{"detail":[{"type":"missing","loc":["body","name"],"msg":"Field required","input":{"layers":[]}}]}',
    );
  });

  it.each([
    ['{"payload":', 11, 'Expecting value'],
    ['{bad}', 1, 'Expecting property name enclosed in double quotes'],
    ['{"name":"a"} x', 13, 'Extra data'],
    ['{"name":"é😀" x}', 13, "Expecting ',' delimiter"],
  ])('malformed JSON %j -> json_invalid at %p, and nothing else', async (text, pos, error) => {
    const r = await json('POST', '/v1/images?limit=0', text);
    expect([r.status, r.text]).toEqual([
      422,
      JSON.stringify({ detail: [{ type: 'json_invalid', loc: ['body', pos], msg: 'JSON decode error', input: {}, ctx: { error } }] }),
    ]);
  });

  it('answers a 10,000-deep body with 422, not a crash', async () => {
    const r = await json('POST', '/v1/images', '['.repeat(10_000) + ']'.repeat(10_000));
    expect([r.status, r.text]).toEqual([
      422,
      '{"detail":[{"type":"json_invalid","loc":["body",64],"msg":"JSON decode error","input":{},"ctx":{"error":"Maximum nesting depth exceeded"}}]}',
    ]);
  });

  it("answers invalid UTF-8 as FastAPI does (Python's codec error is not a JSONDecodeError)", async () => {
    const r = await send('POST', '/v1/images', Buffer.from([0x7b, 0xff, 0x7d]), { 'content-type': 'application/json' });
    expect([r.status, r.text]).toEqual([400, '{"detail":"There was an error parsing the body"}']);
  });

  it('ignores a malformed body on a route that takes none', async () => {
    const r = await json('POST', '/v1/ping', '{bad');
    expect([r.status, r.text]).toEqual([201, '{"pong":true}']);
  });

  it('does not read other content types', async () => {
    const r = await send('POST', '/v1/images', 'name=card', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(r.text).toBe('{"detail":[{"type":"missing","loc":["body"],"msg":"Field required","input":null}]}');
  });
});

describe('body size limit', () => {
  /** Streams `total` bytes and reports how much was written when the answer arrived. */
  function upload(total: number, declareLength: boolean): Promise<{ status: number; text: string; writtenAtResponse: number }> {
    return new Promise((resolve, reject) => {
      let written = 0;
      let done = false;
      const headers: Record<string, string | number> = { 'content-type': 'application/json' };
      if (declareLength) headers['content-length'] = total;
      const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/images', headers }, (res) => {
        const writtenAtResponse = written;
        done = true;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          req.destroy();
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString(), writtenAtResponse });
        });
      });
      req.on('error', (err) => {
        if (!done) reject(err);
      });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = (): void => {
        while (!done && written < total) {
          written += chunk.length;
          if (!req.write(chunk)) {
            req.once('drain', pump);
            return;
          }
        }
        if (!done) req.end();
      };
      pump();
    });
  }

  it('refuses a declared 50 MB body with 413 before it is sent', async () => {
    const r = await upload(50 * 1024 * 1024, true);
    expect([r.status, r.text]).toEqual([413, '{"detail":"Request body too large"}']);
    // The answer came while most of the upload was still unsent (socket buffers hold a few MB).
    expect(r.writtenAtResponse).toBeLessThan(16 * 1024 * 1024);
  });

  it('refuses a chunked 50 MB body as soon as it crosses the limit', async () => {
    const r = await upload(50 * 1024 * 1024, false);
    expect([r.status, r.text]).toEqual([413, '{"detail":"Request body too large"}']);
    // The answer came while most of the upload was still unsent (socket buffers hold a few MB).
    expect(r.writtenAtResponse).toBeLessThan(16 * 1024 * 1024);
  });

  it('keeps serving after a refusal', async () => {
    expect((await json('POST', '/v1/images', GOOD_BODY)).status).toBe(201);
  });
});

describe('routing and other errors', () => {
  it('route miss -> 404', async () => {
    const r = await send('GET', '/v1/nope');
    expect([r.status, r.headers['content-type'], r.text]).toEqual([404, 'application/json', '{"detail":"Not Found"}']);
  });

  it('wrong method -> 405 with Allow', async () => {
    const r = await send('PATCH', `/v1/images/${ID}`);
    expect([r.status, r.headers.allow, r.text]).toEqual([405, 'GET', '{"detail":"Method Not Allowed"}']);
  });

  it('HttpException headers are sent', async () => {
    const r = await send('GET', '/v1/private');
    expect([r.status, r.headers['www-authenticate'], r.text]).toEqual([401, 'Bearer', '{"detail":"Not authenticated"}']);
  });

  it('unexpected throw -> 500 text/plain, logged once with the request id and no secrets', async () => {
    logger.errors.length = 0;
    const r = await send('GET', '/v1/boom?signature=s3cr3t', undefined, { 'x-request-id': 'req-42', authorization: 'Bearer ik_live_topsecret' });
    expect([r.status, r.headers['content-type'], r.text]).toEqual([500, 'text/plain; charset=utf-8', 'Internal Server Error']);
    expect(logger.errors).toHaveLength(1);
    expect(logger.errors[0]).toContain('GET /v1/boom failed (request id req-42)');
    expect(logger.errors[0]).toContain('at TestController.boom');
    expect(logger.errors[0]).not.toContain('ik_live_topsecret');
    expect(logger.errors[0]).not.toContain('s3cr3t');
  });

  it('bad percent-encoding in the path reaches the route decoded as Python would', async () => {
    const ff = await send('GET', '/v1/x/%ff');
    expect([ff.status, ff.text]).toEqual([
      422,
      '{"detail":[{"type":"uuid_parsing","loc":["path","image_id"],"msg":"Input should be a valid UUID, invalid character: found `\ufffd` at 1","input":"\ufffd","ctx":{"error":"invalid character: found `\ufffd` at 1"}}]}',
    ]);
    const zz = await send('GET', '/v1/x/%zz');
    expect([zz.status, zz.text]).toEqual([
      422,
      '{"detail":[{"type":"uuid_parsing","loc":["path","image_id"],"msg":"Input should be a valid UUID, invalid character: found `%` at 1","input":"%zz","ctx":{"error":"invalid character: found `%` at 1"}}]}',
    ]);
    // %2F is a real slash to Starlette, so this is another path altogether.
    expect((await send('GET', `/v1/x/a%2F${ID}`)).status).toBe(404);
  });

  it('HEAD responses carry no body', async () => {
    const miss = await send('HEAD', '/v1/nope');
    expect([miss.status, miss.text]).toEqual([404, '']);
    const invalid = await send('HEAD', '/v1/x/xyz');
    expect([invalid.status, invalid.text, invalid.headers['content-type']]).toEqual([422, '', 'application/json']);
  });

  it('a long header is served; an oversized one gets Node\'s 431, not a 500', async () => {
    expect((await send('GET', `/v1/x/${ID}`, undefined, { 'x-filler': 'a'.repeat(8 * 1024) })).status).toBe(200);
    expect((await send('GET', `/v1/x/${ID}`, undefined, { 'x-filler': 'a'.repeat(64 * 1024) })).status).toBe(431);
    expect((await send('GET', `/v1/x/${ID}`)).status).toBe(200);
  });
});
