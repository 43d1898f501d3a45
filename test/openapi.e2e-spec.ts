import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { load as loadYaml } from 'js-yaml';
import { serializeDocument } from '../src/openapi.js';
import { generateDocument } from './support/openapi.js';

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
    // authenticated answer documents the RateLimit-* headers, these included. All else is pinned.
    it('keeps every contract response unchanged apart from the RateLimit-* headers (others may be added)', () => {
      for (const [code, response] of Object.entries(theirs().responses as Obj)) {
        const { headers, ...rest } = ours().responses[code] as Obj;
        expect([code, rest]).toEqual([code, response]);
        expect([code, Object.keys(headers ?? {})]).toEqual([code, ['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset']]);
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
          const expected = code === '401' ? [] : code === '429' ? [...names, 'Retry-After'] : names;
          expect([path, method, code, Object.keys((r as Obj).headers ?? {}).sort()]).toEqual([path, method, code, expected.sort()]);
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
});
