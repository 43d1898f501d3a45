import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Body, Controller, Get, type INestApplication, Module, Param, Post, Query } from '@nestjs/common';
import { APP_INTERCEPTOR, APP_PIPE, NestFactory } from '@nestjs/core';
import { IsInt, Min } from 'class-validator';
import request from 'supertest';
import { UnreadableJsonBody } from '../http/json-body.middleware.js';
import { RequestValidationError } from '../http/validation-errors.js';
import { PyInt, PyStr } from './decorators.js';
import { t } from './fields.js';
import { FastApiValidationPipe, ParamField, UuidParam, ValidationScopeInterceptor } from './validation.pipe.js';

class Q {
  @PyInt({ ge: 1 }) limit = 20;
  @PyStr({ optional: true }) q?: string;
}
class Search {
  @PyStr({ optional: true }) q?: string;
}
class CvQuery {
  @Min(1)
  @IsInt()
  page: number;
}

const pipe = new FastApiValidationPipe();
const thrown = (fn: () => unknown): RequestValidationError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof RequestValidationError) return e;
    throw e;
  }
  throw new Error('expected a RequestValidationError');
};

describe('FastApiValidationPipe without the interceptor (one parameter at a time)', () => {
  it('validates and coerces a query DTO', () => {
    const v = pipe.transform({ limit: '5' }, { type: 'query', metatype: Q });
    expect(v).toBeInstanceOf(Q);
    expect(v).toEqual(Object.assign(new Q(), { limit: 5 }));
  });

  it('throws every error of that parameter', () => {
    const e = thrown(() => pipe.transform({ limit: '0', q: {} }, { type: 'query', metatype: Q }));
    expect(e.detail.map((d) => d.loc)).toEqual([
      ['query', 'limit'],
      ['query', 'q'],
    ]);
  });

  it('passes through what it does not validate', () => {
    expect(pipe.transform('abc', { type: 'param', metatype: String, data: 'id' })).toBe('abc');
    expect(pipe.transform({ a: 1 }, { type: 'custom', metatype: Object })).toEqual({ a: 1 });
    expect(pipe.transform({ a: 1 }, { type: 'body', metatype: Object })).toEqual({ a: 1 });
  });

  it('raises an unreadable JSON body before anything else', () => {
    const e = thrown(() => pipe.transform(new UnreadableJsonBody({ kind: 'decode', pos: 0, error: 'Expecting value' }), { type: 'body', metatype: Object }));
    expect(e.detail[0]).toMatchObject({ type: 'json_invalid', loc: ['body', 0] });
  });

  it('maps class-validator DTOs approximately', () => {
    const e = thrown(() => pipe.transform({ page: '0' }, { type: 'query', metatype: CvQuery }));
    expect(e.detail).toEqual([{ type: 'int_parsing', loc: ['query', 'page'], msg: 'Input should be a valid integer, unable to parse string as an integer', input: '0' }]);
  });
});

describe('FieldParamPipe on its own', () => {
  it('UuidParam canonicalises or throws the FastAPI error', () => {
    expect(UuidParam.transform('{3F0C8A52-9D1E-4B7A-8C55-2E1F0A9B7C13}', { type: 'param', data: 'image_id' })).toBe('3f0c8a52-9d1e-4b7a-8c55-2e1f0a9b7c13');
    expect(thrown(() => UuidParam.transform('abc', { type: 'param', data: 'image_id' })).detail[0]).toMatchObject({
      type: 'uuid_parsing',
      loc: ['path', 'image_id'],
      input: 'abc',
    });
  });

  it('ParamField validates a single query value', () => {
    const limit = ParamField(t.int({ ge: 1 }));
    expect(limit.transform('3', { type: 'query', data: 'limit' })).toBe(3);
    expect(thrown(() => limit.transform('0', { type: 'query', data: 'limit' })).detail[0].loc).toEqual(['query', 'limit']);
    expect(thrown(() => limit.transform(undefined, { type: 'query', data: 'limit' })).detail[0]).toMatchObject({ type: 'missing', input: null });
    expect(ParamField(t.int(), { optional: true }).transform(undefined, { type: 'query', data: 'limit' })).toBeUndefined();
  });
});

@Controller()
class ScopeController {
  @Get('items/:image_id')
  get(@Query('limit', ParamField(t.int({ ge: 1 }))) limit: number, @Param('image_id', UuidParam) id: string, @Query() q: Search): unknown {
    return { limit, id, q: q.q ?? null };
  }

  @Post('items')
  post(@Body('name', ParamField(t.str({ minLength: 2 }))) name: string, @Query('n', ParamField(t.int())) n: number): unknown {
    return { name, n };
  }
}

@Module({
  controllers: [ScopeController],
  providers: [
    { provide: APP_PIPE, useClass: FastApiValidationPipe },
    { provide: APP_INTERCEPTOR, useClass: ValidationScopeInterceptor },
  ],
})
class ScopeModule {}

describe('with ValidationScopeInterceptor: one error list per request', () => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await NestFactory.create(ScopeModule, { logger: false });
    await app.init();
  });
  afterAll(async () => {
    await app.close();
  });

  it('collects every parameter, path first, whatever the declaration order', async () => {
    const r = await request(app.getHttpServer()).get('/items/nope?limit=0');
    expect(r.status).toBe(422);
    expect((r.body as { detail: { type: string; loc: unknown[] }[] }).detail.map((d) => [d.type, d.loc])).toEqual([
      ['uuid_parsing', ['path', 'image_id']],
      ['greater_than_equal', ['query', 'limit']],
    ]);
  });

  it('hands validated values to the handler', async () => {
    const r = await request(app.getHttpServer()).get('/items/3F0C8A529D1E4B7A8C552E1F0A9B7C13?limit=2&q=x');
    expect(r.body).toEqual({ limit: 2, id: '3f0c8a52-9d1e-4b7a-8c55-2e1f0a9b7c13', q: 'x' });
  });

  it('validates embedded body fields with loc ["body", name], after query errors', async () => {
    const r = await request(app.getHttpServer()).post('/items?n=x').send({ name: 'a' });
    expect((r.body as { detail: { loc: unknown[] }[] }).detail.map((d) => d.loc)).toEqual([
      ['query', 'n'],
      ['body', 'name'],
    ]);
  });
});
