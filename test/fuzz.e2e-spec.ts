import { readFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { startApi, type TestApp } from './support/app.js';
import { createOrg } from './support/factories.js';

/**
 * Property-based fuzzing of every operation in openapi.json against the real API (PostgreSQL,
 * Redis): path, query, headers and body are generated from the document's schemas, then mutated
 * (wrong types, huge and empty strings, control and unicode characters, odd keys, deep nesting,
 * duplicated parameters, broken JSON). Every answer must be a success or our error shape, never a
 * 500, and come back within a bounded time. FUZZ_RUNS sets the cases per operation (default 2000).
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);
/** Generous: the property is "never hangs", not a latency target (those live in bench/). */
const MAX_ANSWER_MS = 5000;

type Schema = {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  discriminator?: { propertyName: string; mapping?: Record<string, string> };
};
interface Parameter {
  in: 'path' | 'query' | 'header';
  name: string;
  required?: boolean;
  schema: Schema;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
}

const doc = JSON.parse(readFileSync(resolve(process.cwd(), 'openapi.json'), 'utf8')) as {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
};
const deref = (s: Schema): Schema => (s.$ref ? deref(doc.components.schemas[s.$ref.split('/').pop() as string]) : s);

// ------------------------------------------------------------------------------------------
// Hostile values: each class of input a caller can send that once broke a service like ours.
// ------------------------------------------------------------------------------------------
const ODD_KEYS = ['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', 'valueOf', '', 'k'.repeat(5000), 'a\u0000b', '\ud800'];
const nastyString = fc.oneof(
  fc.constant(''),
  fc.constant('x'.repeat(100_000)),
  fc.constant('\u0000'),
  fc.constant('a\u0000b'),
  fc.constant('\ud800'),
  fc.constant('\udc00x'),
  fc.constant('\u202e\u200b\ufeff'),
  fc.constant('👩‍👩‍👧‍👦'.repeat(50)),
  fc.constant('rgb(' + ' '.repeat(5000)),
  fc.constant('#' + 'f'.repeat(5000)),
  fc.constant('1'.repeat(5000) + 'x'),
  fc.constant('1e999999999'),
  fc.constant('-0'),
  fc.constant('NaN'),
  fc.constant('http://127.0.0.1:1/x.png'),
  fc.constant('http://169.254.169.254/latest/meta-data/'),
  fc.constant('http://[::1]/'),
  fc.constant('<svg xmlns="http://www.w3.org/2000/svg"><image href="http://127.0.0.1/"/></svg>'),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ maxLength: 40 }),
);
const nastyNumber = fc.oneof(
  fc.constantFrom(0, -1, 1, 2 ** 31 - 1, 2 ** 31, 2 ** 53, 2 ** 53 + 2, -(2 ** 63), Number.MAX_VALUE, 1e-300, 0.5, -0.0),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);
const deep = (levels: number, leaf: unknown): unknown => {
  let v = leaf;
  for (let i = 0; i < levels; i++) v = i % 2 ? [v] : { a: v };
  return v;
};
const nastyObject = fc.oneof(
  fc.constant(Object.fromEntries(ODD_KEYS.map((k) => [k, 1]))),
  fc.constant(JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}') as unknown),
  fc.constant(Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i]))),
  fc.constant(deep(70, 1)),
  fc.constant(deep(30, 'x')),
  fc.constant([]),
  fc.constant(Array.from({ length: 300 }, () => ({}))),
);
const nasty: fc.Arbitrary<unknown> = fc.oneof(nastyString, nastyNumber, nastyObject, fc.constantFrom(null, true, false));

// ------------------------------------------------------------------------------------------
// Values from the schemas, mutated now and then at any depth.
// ------------------------------------------------------------------------------------------
function valid(schema: Schema, depth: number): fc.Arbitrary<unknown> {
  const s = deref(schema);
  if (s.enum) return fc.constantFrom(...s.enum);
  const choices = s.anyOf ?? s.oneOf;
  if (choices) return fc.oneof(...choices.map((c) => value(c, depth)));
  if (s.allOf) return value(s.allOf[0], depth);
  switch (s.type) {
    case 'string':
      if (s.format === 'uuid') return fc.uuid();
      if (s.format === 'date-time') return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
      if (s.format === 'binary') return fc.string({ maxLength: 20 });
      return fc.string({ minLength: s.minLength ?? 0, maxLength: Math.min(s.maxLength ?? 30, 30) });
    case 'integer':
      return fc.integer({ min: s.minimum ?? -1000, max: s.maximum ?? 1000 });
    case 'number':
      return fc.double({ min: s.minimum ?? -1000, max: s.maximum ?? 1000, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      if (depth > 4) return fc.constant([]);
      return fc.array(value(s.items ?? {}, depth + 1), { minLength: Math.min(s.minItems ?? 0, 3), maxLength: 3 });
    case 'object':
    default: {
      if (!s.properties || depth > 4) return fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 });
      const props = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, value(v, depth + 1)]));
      return fc.record(props, { requiredKeys: s.required ?? [] });
    }
  }
}

function value(schema: Schema, depth = 0): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 8, arbitrary: valid(schema, depth) }, { weight: 1, arbitrary: nasty });
}

/** A body with odd keys added to some objects, so the parser and every key lookup see them. */
const withOddKeys = (body: unknown, extra: Record<string, unknown> | null): unknown =>
  extra && body && typeof body === 'object' && !Array.isArray(body) ? { ...(body as object), ...extra } : body;

/** Every UTF-8 byte percent-encoded: encodeURIComponent throws on an unpaired surrogate. */
const percentEncode = (text: string): string => [...Buffer.from(text, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');

interface Case {
  path: string;
  query: [string, string][];
  headers: Record<string, string>;
  body: string | undefined;
}

function caseArb(path: string, method: string, op: Operation): fc.Arbitrary<Case> {
  const params = (op.parameters ?? []).filter((p) => p.name.toLowerCase() !== 'authorization');
  const pathParams = params.filter((p) => p.in === 'path');
  const queryParams = params.filter((p) => p.in === 'query');
  const headerParams = params.filter((p) => p.in === 'header');
  // Headers our POSTs honour although the document does not list them yet.
  if (method === 'post') headerParams.push({ in: 'header', name: 'Idempotency-Key', schema: { type: 'string' } }, { in: 'header', name: 'Prefer', schema: { type: 'string' } });
  const scalar = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v) ?? '');
  const jsonSchema = op.requestBody?.content['application/json']?.schema;

  return fc.record({
    path: fc.tuple(...pathParams.map((p) => value(p.schema)), fc.constant(0)).map((vals) => {
      let out = path;
      pathParams.forEach((p, i) => (out = out.replace(`{${p.name}}`, percentEncode(scalar(vals[i]).slice(0, 300)))));
      return out;
    }),
    query: fc
      .tuple(
        fc.tuple(...queryParams.map((p) => fc.option(value(p.schema), { nil: undefined })), fc.constant(undefined)),
        fc.boolean(),
      )
      .map(([vals, duplicate]) => {
        const q: [string, string][] = [];
        queryParams.forEach((p, i) => {
          if (vals[i] === undefined) return;
          q.push([p.name, scalar(vals[i]).slice(0, 2000)]);
          if (duplicate) q.push([p.name, 'duplicate']);
        });
        return q;
      }),
    headers: fc.tuple(...headerParams.map((p) => fc.option(value(p.schema), { nil: undefined })), fc.constant(undefined)).map((vals) => {
      const h: Record<string, string> = {};
      headerParams.forEach((p, i) => {
        if (vals[i] === undefined) return;
        // Header values are bytes on the wire: keep what HTTP can carry.
        const text = scalar(vals[i]).replace(/[^\x20-\x7e]/g, '?').slice(0, 1000);
        h[p.name] = text;
      });
      return h;
    }),
    body: jsonSchema
      ? fc.oneof(
          { weight: 10, arbitrary: fc.tuple(value(jsonSchema), fc.option(fc.constantFrom(...ODD_KEYS).map((k) => ({ [k]: 'x' })), { nil: null })).map(([b, extra]) => JSON.stringify(withOddKeys(b, extra))) },
          { weight: 1, arbitrary: fc.constantFrom('{', '[1,]', '{"a":1}}', 'nul', '"\\ud800"', '{"a":' + '['.repeat(200) + ']'.repeat(200) + '}', '1e999999', '') },
        )
      : fc.constant(undefined),
  });
}

describe('fuzzing every operation of openapi.json', () => {
  let api: TestApp;
  let key: string;
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  const summary: string[] = [];

  beforeAll(async () => {
    api = await startApi();
    key = (await createOrg(api.ds)).liveKey;
  });
  afterAll(async () => {
    agent.destroy();
    await api?.close();
    if (summary.length) process.stdout.write(`fuzz cases per operation:\n  ${summary.join('\n  ')}\n`);
  });

  /** node:http rather than fetch: fetch refuses some of the paths and headers the fuzzer sends. */
  const send = (method: string, c: Case): Promise<{ status: number; type: string; text: string; ms: number }> =>
    new Promise((done, fail) => {
      const search = c.query.length ? `?${new URLSearchParams(c.query).toString()}` : '';
      const headers: Record<string, string> = { Authorization: `Bearer ${key}`, ...c.headers };
      if (c.body !== undefined) headers['Content-Type'] = 'application/json';
      const started = performance.now();
      httpRequest(new URL(`${api.baseUrl}${c.path}${search}`), { method, agent, headers, timeout: MAX_ANSWER_MS * 2 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () =>
          done({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), text: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started }),
        );
      })
        .on('error', fail)
        .end(c.body);
    });

  const operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ path, method, op })));

  it.each(operations.map((o) => [`${o.method.toUpperCase()} ${o.path}`, o] as const))(
    '%s never answers 500 and always answers in our shape',
    async (name, { path, method, op }) => {
      let ran = 0;
      const statuses = new Map<number, number>();
      await fc.assert(
        fc.asyncProperty(caseArb(path, method, op), async (c) => {
          ran++;
          const r = await send(method.toUpperCase(), c);
          statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
          expect([r.status >= 500, r.status, c.path, r.text.slice(0, 300)]).toEqual([false, r.status, c.path, r.text.slice(0, 300)]);
          expect(r.ms).toBeLessThan(MAX_ANSWER_MS);
          if (r.status >= 400) {
            expect(r.type).toContain('application/json');
            expect(Object.keys(JSON.parse(r.text) as object)).toEqual(['detail']);
          }
        }),
        { numRuns: RUNS, endOnFailure: true },
      );
      expect(ran).toBe(RUNS);
      summary.push(`${name}: ${ran} cases (${[...statuses].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}x${n}`).join(' ')})`);
    },
    600_000,
  );
});
