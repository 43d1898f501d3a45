import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { load as loadYaml } from 'js-yaml';
import { DEV_SERVER_URL, serializeDocument } from '../src/openapi.js';
import { startApi } from './support/app.js';
import { generateDocument, undeclaredAnswer, type OpenApiPaths } from './support/openapi.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const CONTRACT = resolve(process.cwd(), 'test/contract/seed-get-image.openapi.yaml');
const OP = ['/v1/images/{image_id}', 'get'] as const;

describe('openapi.json', () => {
  let doc: Obj;
  let contract: Obj;
  beforeAll(async () => {
    doc = await generateDocument();
    contract = loadYaml(readFileSync(CONTRACT, 'utf8')) as Obj;
  });

  it('is committed and up to date (run `npm run openapi:emit` after API changes)', () => {
    const committed = readFileSync(resolve(process.cwd(), 'openapi.json'), 'utf8');
    expect(committed).toBe(serializeDocument(doc));
  });

  it('is OpenAPI 3.1 with sorted keys', () => {
    expect(doc.openapi).toBe('3.1.0');
    const keys = Object.keys(doc.components.schemas);
    expect(keys).toEqual([...keys].sort());
  });

  describe('matches the seed contract for GET /v1/images/{image_id}', () => {
    const ours = () => doc.paths[OP[0]][OP[1]];
    const theirs = () => contract.paths[OP[0]][OP[1]];

    it.each(['operationId', 'tags', 'summary'])('%s', (key) => {
      expect(ours()[key]).toEqual(theirs()[key]);
    });

    it('parameters, with their schemas and titles, in order', () => {
      expect(ours().parameters).toEqual(theirs().parameters);
    });

    // Response headers are additive (a client built from the contract ignores them); every
    // authenticated answer documents the RateLimit-* headers and every answer X-Request-Id, these
    // included. All else is pinned.
    it('keeps every contract response unchanged apart from the RateLimit-* and X-Request-Id headers (others may be added)', () => {
      for (const [code, response] of Object.entries(theirs().responses as Obj)) {
        const { headers, ...rest } = ours().responses[code] as Obj;
        expect([code, rest]).toEqual([code, response]);
        expect([code, Object.keys(headers ?? {}).sort()]).toEqual([code, ['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'X-Request-Id']]);
      }
    });
  });

  it.each(['ImageOut', 'HTTPValidationError', 'ValidationError'])('schema %s equals the contract exactly', (name) => {
    expect(doc.components.schemas[name]).toEqual(contract.components.schemas[name]);
  });

  it('declares the RateLimit-* headers on every answer of an authenticated operation but its 401, and a 429 with Retry-After', () => {
    const names = ['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset'];
    let operations = 0;
    for (const [path, item] of Object.entries(doc.paths as Obj)) {
      for (const [method, op] of Object.entries(item as Obj)) {
        if (!(op.security ?? []).some((s: Obj) => 'HTTPBearer' in s)) continue;
        operations++;
        for (const [code, r] of Object.entries(op.responses as Obj)) {
          const expected = code === '401' ? ['WWW-Authenticate'] : code === '429' ? [...names, 'Retry-After'] : names;
          const own = Object.keys((r as Obj).headers ?? {}).filter((h) => h !== 'X-Request-Id' && h !== 'Preference-Applied' && h !== 'X-Imtegrate-Text-Report');
          expect([path, method, code, own.sort()]).toEqual([path, method, code, expected.sort()]);
        }
        expect([path, method, op.responses['429']?.description]).toEqual([path, method, expect.stringContaining('Rate limit exceeded')]);
      }
    }
    expect(operations).toBeGreaterThan(10);
    for (const name of [...names, 'Retry-After']) expect(doc.components.headers[name]).toMatchObject({ schema: { type: 'integer' } });
  });

  it('declares a 422 on every operation that takes input, and bearer auth for Swagger UI', () => {
    for (const [path, item] of Object.entries(doc.paths as Obj)) {
      for (const [method, op] of Object.entries(item as Obj)) {
        if ((op.parameters ?? []).length || op.requestBody) expect([path, method, Object.keys(op.responses)]).toEqual([path, method, expect.arrayContaining(['422'])]);
      }
    }
    expect(doc.components.securitySchemes.HTTPBearer).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'API key' });
  });

  describe('undeclaredAnswer (what the fuzzer checks every answer with)', () => {
    const json = { 'application/json': {} };
    const tiny: OpenApiPaths = {
      paths: {
        '/x/{id}': {
          get: { responses: { '200': { content: json }, '204': {}, '4XX': { content: json } } },
          post: { responses: { '200': { content: { 'image/*': {} } } } },
        },
      },
    };

    it('accepts declared statuses and media types (parameters ignored, ranges and 4XX honoured)', () => {
      expect(undeclaredAnswer(tiny, 'GET', '/x/{id}', 200, 'application/json; charset=utf-8')).toBeUndefined();
      expect(undeclaredAnswer(tiny, 'get', '/x/{id}', 404, 'Application/JSON')).toBeUndefined();
      expect(undeclaredAnswer(tiny, 'GET', '/x/{id}', 204, undefined)).toBeUndefined();
      expect(undeclaredAnswer(tiny, 'POST', '/x/{id}', 200, 'image/webp')).toBeUndefined();
    });

    it.each([
      ['an undeclared status', 'GET', 500, 'application/json', 'answered 500, which it does not declare'],
      ['an undeclared redirect', 'GET', 302, undefined, 'answered 302'],
      ['an undeclared media type', 'GET', 200, 'text/html', 'declares only application/json'],
      ['a body where none is declared', 'GET', 204, 'application/json', 'declares no body'],
      ['no Content-Type where a body is declared', 'GET', 200, undefined, 'without a Content-Type'],
      ['a type outside the declared range', 'POST', 200, 'application/json', 'declares only image/*'],
    ] as const)('catches %s', (_what, method, status, type, message) => {
      expect(undeclaredAnswer(tiny, method, '/x/{id}', status, type)).toContain(message);
    });

    it('names an operation the document does not have', () => {
      expect(undeclaredAnswer(tiny, 'DELETE', '/x/{id}', 204, undefined)).toContain('is not an operation');
    });

    it('on the real document: preview errors are JSON, its images each declared, a teapot undeclared', () => {
      const real = doc as OpenApiPaths;
      const preview = '/v1/templates/{template_id}/preview';
      for (const type of ['image/png', 'image/jpeg', 'image/webp', 'image/avif']) expect(undeclaredAnswer(real, 'POST', preview, 200, type)).toBeUndefined();
      for (const status of [400, 401, 403, 404, 413, 422]) {
        expect([status, undeclaredAnswer(real, 'POST', preview, status, 'application/json')]).toEqual([status, undefined]);
        expect(undeclaredAnswer(real, 'POST', preview, status, 'image/png')).toContain('declares only application/json');
      }
      expect(undeclaredAnswer(real, 'GET', '/v1/images/{image_id}', 418, 'application/json')).toContain('answered 418');
      for (const status of [409, 400]) expect(undeclaredAnswer(real, 'POST', '/v1/images', status, 'application/json')).toBeUndefined();
      expect(undeclaredAnswer(real, 'PATCH', '/v1/templates/{template_id}', 409, 'application/json')).toBeUndefined();
    });
  });

  it('declares 401 and 403 on every authenticated operation, the middleware 413 on every operation and 400 where a JSON body is read', () => {
    let authenticated = 0;
    for (const [path, item] of Object.entries(doc.paths as Obj)) {
      for (const [method, op] of Object.entries(item as Obj)) {
        const codes = Object.keys(op.responses);
        expect([path, method, codes]).toEqual([path, method, expect.arrayContaining(['413'])]);
        if (op.requestBody?.content['application/json']) expect([path, method, codes]).toEqual([path, method, expect.arrayContaining(['400'])]);
        if (!op.security) continue;
        authenticated++;
        expect([path, method, codes]).toEqual([path, method, expect.arrayContaining(['401', '403'])]);
        for (const code of ['401', '403']) expect(Object.keys(op.responses[code].content)).toEqual(['application/json']);
      }
    }
    expect(authenticated).toBeGreaterThan(10);
  });

  it('POST /v1/images declares its Prefer and Idempotency-Key headers and both 409s', () => {
    const op = doc.paths['/v1/images'].post;
    expect(op.parameters.filter((p: Obj) => p.in === 'header').map((p: Obj) => p.name.toLowerCase())).toEqual(['prefer', 'idempotency-key', 'authorization']);
    expect(op.responses['409'].description).toMatch(/idempotency_conflict.*idempotency_in_progress/);
  });

  it('request bodies that refuse unknown fields say additionalProperties: false; modification items require name', () => {
    const schemas = doc.components.schemas as Obj;
    for (const name of ['CreateImageDto', 'CreateTemplateDto', 'UpdateTemplateDto', 'PreviewTemplateDto', 'TextLayerDto', 'GradientDto']) {
      expect([name, schemas[name].additionalProperties]).toEqual([name, false]);
    }
    for (const name of ['CreateImageDto', 'PreviewTemplateDto']) {
      expect(schemas[name].properties.modifications.items).toMatchObject({ type: 'object', required: ['name'], properties: { name: { type: 'string' } }, additionalProperties: true });
    }
  });

  it('documents the signed file download without an API key, each stored content type declared', () => {
    const op = doc.paths['/v1/files/{path}'].get;
    expect(op.security).toBeUndefined();
    expect(Object.keys(op.responses['200'].content)).toEqual(expect.arrayContaining(['image/png', 'image/svg+xml', 'font/woff2']));
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '304', '403', '404']));
  });
});

describe('the document as generated clients read it', () => {
  let doc: Obj;
  beforeAll(async () => {
    doc = await generateDocument();
  });

  it('has a licence and names a server; the served document names PUBLIC_BASE_URL', async () => {
    expect(doc.info.license).toEqual({ name: 'Proprietary' });
    expect(doc.servers).toEqual([{ url: DEV_SERVER_URL, description: expect.any(String) }]);
    const t = await startApi();
    try {
      const served = (await (await fetch(`${t.baseUrl}/openapi.json`)).json()) as Obj;
      expect(served.servers).toEqual([{ url: t.baseUrl, description: 'This installation' }]);
      expect({ ...served, servers: doc.servers }).toEqual(doc);
    } finally {
      await t.close();
    }
  });

  it('types the coded 400 body and declares the response headers the service sends', () => {
    const post = doc.paths['/v1/images'].post;
    expect(post.responses['400'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/CodedErrorSchema' });
    const coded = doc.components.schemas.CodedErrorSchema.properties.detail.anyOf[0];
    expect(coded).toMatchObject({ required: ['code', 'errors'], properties: { errors: { items: { required: ['name', 'reason'] } } } });
    expect(Object.keys(post.responses['201'].headers)).toEqual(expect.arrayContaining(['Preference-Applied', 'X-Request-Id']));
    expect(Object.keys(post.responses['202'].headers)).toEqual(expect.arrayContaining(['Preference-Applied']));
    expect(Object.keys(post.responses['401'].headers).sort()).toEqual(['WWW-Authenticate', 'X-Request-Id']);
    expect(Object.keys(doc.paths['/v1/templates/{template_id}/preview'].post.responses['200'].headers)).toEqual(
      expect.arrayContaining(['X-Imtegrate-Text-Report']),
    );
    for (const [path, item] of Object.entries(doc.paths as Obj)) {
      for (const [method, op] of Object.entries(item as Obj)) {
        for (const [code, r] of Object.entries(op.responses as Obj)) {
          expect([path, method, code, Object.keys((r as Obj).headers ?? {})]).toEqual([path, method, code, expect.arrayContaining(['X-Request-Id'])]);
        }
      }
    }
  });
});
