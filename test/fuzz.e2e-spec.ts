import { readFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import sharp from 'sharp';
import { startApi, type TestApp } from './support/app.js';
import { bearer, createKey, createOrg, insertImage } from './support/factories.js';
import { undeclaredAnswer, type OpenApiPaths } from './support/openapi.js';
import { publishedTemplate } from './support/render-flow.js';

/**
 * Property-based fuzzing of every operation in openapi.json against the real API (PostgreSQL,
 * Redis): path, query, headers and body are generated from the document's schemas. A third of
 * the cases are plain schema-valid requests (ids of resources that exist, so successes are
 * exercised too); the rest are mutated (wrong types, huge and empty strings, control and unicode
 * characters, odd keys, deep nesting, duplicated parameters, broken JSON). Every answer must be
 * a status and content type the document declares for the operation, never a 500, our error
 * shape for errors, and come back within a bounded time.
 *
 * FUZZ_RUNS sets the cases per operation (default 2000), FUZZ_SEED replays a run (the seed is
 * printed with the summary and with any failure).
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
/** Generous: the property is "never hangs", not a latency target (those live in bench/). */
const MAX_ANSWER_MS = 5000;
/**
 * Requests in flight per operation: the client, the API and PostgreSQL overlap instead of taking
 * turns, which is most of the run's time on a small machine.
 */
const IN_FLIGHT = 8;
/** Failing cases reported in full per operation (the rest are counted). */
const REPORTED_FAILURES = 5;

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
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  pattern?: string;
  additionalProperties?: boolean | Schema;
  propertyNames?: Schema;
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
  /** `deepObject`: an object sent as one `name[key]=value` pair per entry. */
  style?: string;
  schema: Schema;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses?: Record<string, { content?: Record<string, unknown> }>;
}

const doc = JSON.parse(readFileSync(resolve(process.cwd(), 'openapi.json'), 'utf8')) as OpenApiPaths & {
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
// Values from the schemas: plain ones, or mutated now and then at any depth.
// ------------------------------------------------------------------------------------------

/** Values that name something that exists (ids, a page cursor), by the field or parameter that holds them. */
type Known = Record<string, string[]>;

/** Deep enough for every schema of the document (a gradient's stops inside a layer inside a body). */
const MAX_DEPTH = 8;

interface Gen {
  /** No mutation anywhere: the value is valid for the schema. */
  plain: boolean;
  known: Known;
  /** A small real PNG, for uploads. */
  image: Buffer;
}

/** Mostly small integers (limits, versions, scales hit real values), sometimes anywhere in range. */
const integerIn = (min: number, max: number): fc.Arbitrary<number> =>
  fc.oneof(fc.integer({ min, max: Math.min(max, min + 3) }), fc.integer({ min, max }));

function stringOf(s: Schema): fc.Arbitrary<string> {
  const minLength = s.minLength ?? 0;
  const maxLength = Math.max(minLength, Math.min(s.maxLength ?? 30, 30));
  if (s.pattern !== undefined) {
    const re = new RegExp(s.pattern);
    return fc.stringMatching(re).filter((v) => v.length >= minLength && v.length <= maxLength);
  }
  return fc.string({ minLength, maxLength });
}

function valid(schema: Schema, g: Gen, depth: number, name?: string): fc.Arbitrary<unknown> {
  const s = deref(schema);
  if (s.enum) return fc.constantFrom(...s.enum);
  const choices = s.anyOf ?? s.oneOf;
  if (choices) return fc.oneof(...choices.map((c) => value(c, g, depth, name)));
  if (s.allOf) return value(s.allOf[0], g, depth, name);
  switch (s.type) {
    case 'string': {
      const known = name ? g.known[name] : undefined;
      if (known?.length) return fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...known) }, { weight: 1, arbitrary: valid(s, { ...g, known: {} }, depth) });
      if (s.format === 'uuid') return fc.uuid();
      // Years 1 to 9999: what an ISO 8601 datetime spells and pydantic accepts.
      if (s.format === 'date-time') return fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }).map((d) => d.toISOString());
      if (s.format === 'binary') return fc.string({ maxLength: 20 });
      return stringOf(s);
    }
    case 'integer':
      return integerIn(s.minimum ?? (s.exclusiveMinimum ?? -1001) + 1, s.maximum ?? (s.exclusiveMaximum ?? 1001) - 1);
    case 'number':
      return fc.double({
        min: s.minimum ?? s.exclusiveMinimum ?? -1000,
        max: s.maximum ?? s.exclusiveMaximum ?? 1000,
        minExcluded: s.minimum === undefined && s.exclusiveMinimum !== undefined,
        maxExcluded: s.maximum === undefined && s.exclusiveMaximum !== undefined,
        noNaN: true,
        noDefaultInfinity: true,
      });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      if (depth > MAX_DEPTH) return fc.constant([]);
      return fc.array(value(s.items ?? {}, g, depth + 1), { minLength: Math.min(s.minItems ?? 0, 3), maxLength: Math.max(Math.min(s.minItems ?? 0, 3), 3) });
    case 'object':
    default: {
      if (!s.properties || depth > MAX_DEPTH) {
        // A map: keys as its propertyNames pattern says, values of its additionalProperties schema.
        const keys = s.propertyNames ? (valid(s.propertyNames, g, depth + 1) as fc.Arbitrary<string>) : fc.string({ maxLength: 8 });
        const values = typeof s.additionalProperties === 'object' ? value(s.additionalProperties, g, depth + 1) : fc.string({ maxLength: 8 });
        return fc.dictionary(keys, values, { maxKeys: 3 });
      }
      const props = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, value(v, g, depth + 1, k)]));
      return fc.record(props, { requiredKeys: s.required ?? [] });
    }
  }
}

function value(schema: Schema, g: Gen, depth = 0, name?: string): fc.Arbitrary<unknown> {
  if (g.plain) return valid(schema, g, depth, name);
  return fc.oneof({ weight: 8, arbitrary: valid(schema, g, depth, name) }, { weight: 1, arbitrary: nasty });
}

/** A body with odd keys added to some objects, so the parser and every key lookup see them. */
const withOddKeys = (body: unknown, extra: Record<string, unknown> | null): unknown =>
  extra && body && typeof body === 'object' && !Array.isArray(body) ? { ...(body as object), ...extra } : body;

/** Every UTF-8 byte percent-encoded: encodeURIComponent throws on an unpaired surrogate. */
const percentEncode = (text: string): string => [...Buffer.from(text, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');

const scalar = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v) ?? '');

/**
 * A path parameter that keeps the request on its operation: not empty, no `/` once decoded (the
 * router would send either to another route; route misses are http-errors.e2e-spec.ts's).
 */
const routable = (v: unknown): boolean => {
  const text = scalar(v).slice(0, 300);
  return text !== '' && !text.includes('/');
};

/**
 * The credential a case sends: the org's key with every scope, none, a malformed or unknown
 * one, or a key with one read scope (403 on every write).
 */
type Credential = 'full' | 'none' | 'garbage' | 'unknown' | 'read-only';

interface Case {
  plain: boolean;
  credential: Credential;
  path: string;
  query: [string, string][];
  headers: Record<string, string>;
  body: string | Buffer | undefined;
  /** The body's Content-Type when it is not JSON. */
  contentType?: string;
}

const BOUNDARY = 'fuzzboundary7MA4YWxkTrZu0gW';

/** A multipart/form-data body with one file part. */
const multipart = (field: string, filename: string, bytes: Buffer): Buffer =>
  Buffer.concat([
    Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    bytes,
    Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
  ]);

/** Uploads: a real small image, bytes that are no image, an empty file; hostile ones also broken framing and other fields. */
function uploadArb(plain: boolean, image: Buffer): fc.Arbitrary<Buffer> {
  const file = fc.record({
    bytes: fc.oneof(fc.constant(image), fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)), fc.constant(Buffer.alloc(0))),
    filename: fc.constantFrom('a.png', 'b.jpg', 'font.ttf', 'notes.txt', 'noext', '../../etc/passwd', 'ä\u202e.png'),
    field: plain ? fc.constant('file') : fc.constantFrom('file', 'files', ''),
  });
  const whole = file.map((f) => multipart(f.field, f.filename, f.bytes));
  if (plain) return whole;
  return fc.oneof(
    { weight: 3, arbitrary: whole },
    { weight: 1, arbitrary: whole.map((b) => b.subarray(0, Math.floor(b.length / 2))) },
    { weight: 1, arbitrary: fc.tuple(whole, whole).map(([a, b]) => Buffer.concat([a.subarray(0, a.length - BOUNDARY.length - 8), b])) },
  );
}

function requestArb(path: string, method: string, op: Operation, g: Gen): fc.Arbitrary<Case> {
  const params = (op.parameters ?? []).filter((p) => p.name.toLowerCase() !== 'authorization');
  const pathParams = params.filter((p) => p.in === 'path');
  const queryParams = params.filter((p) => p.in === 'query');
  const headerParams = params.filter((p) => p.in === 'header');
  const jsonSchema = op.requestBody?.content['application/json']?.schema;
  const upload = op.requestBody?.content['multipart/form-data'] !== undefined;
  const BROKEN_JSON = ['{', '[1,]', '{"a":1}}', 'nul', '"\\ud800"', '{"a":' + '['.repeat(200) + ']'.repeat(200) + '}', '1e999999', ''];

  return fc.record({
    plain: fc.constant(g.plain),
    credential: g.plain
      ? fc.constant<Credential>('full')
      : fc.oneof({ weight: 16, arbitrary: fc.constant<Credential>('full') }, { weight: 1, arbitrary: fc.constantFrom<Credential>('none', 'garbage', 'unknown', 'read-only') }),
    path: fc.tuple(...pathParams.map((p) => value(p.schema, g, 0, p.name).filter(routable)), fc.constant(0)).map((vals) => {
      let out = path;
      pathParams.forEach((p, i) => (out = out.replace(`{${p.name}}`, percentEncode(scalar(vals[i]).slice(0, 300)))));
      return out;
    }),
    query: fc
      .tuple(
        fc.tuple(...queryParams.map((p) => fc.option(value(p.schema, g, 0, p.name), { nil: undefined })), fc.constant(undefined)),
        g.plain ? fc.constant(false) : fc.boolean(),
      )
      .map(([vals, duplicate]) => {
        const q: [string, string][] = [];
        queryParams.forEach((p, i) => {
          if (vals[i] === undefined) return;
          const v = vals[i];
          if (p.style === 'deepObject' && typeof v === 'object' && v !== null && !Array.isArray(v)) {
            // Capped like a scalar value (2000 characters): a 5000-key object would only test Node's header-size limit (431).
            let budget = 2000;
            for (const [k, item] of Object.entries(v)) {
              const pair: [string, string] = [`${p.name}[${k}]`, scalar(item)];
              budget -= pair[0].length + pair[1].length;
              if (budget < 0) break;
              q.push(pair);
            }
          } else q.push([p.name, scalar(v).slice(0, 2000)]);
          if (duplicate) q.push([p.name, 'duplicate']);
        });
        return q;
      }),
    headers: fc.tuple(...headerParams.map((p) => fc.option(value(p.schema, g, 0, p.name), { nil: undefined })), fc.constant(undefined)).map((vals) => {
      const h: Record<string, string> = {};
      headerParams.forEach((p, i) => {
        if (vals[i] === undefined) return;
        // Header values are bytes on the wire: keep what HTTP can carry.
        h[p.name] = scalar(vals[i]).replace(/[^\x20-\x7e]/g, '?').slice(0, 1000);
      });
      return h;
    }),
    ...(upload ? { contentType: fc.constant(`multipart/form-data; boundary=${BOUNDARY}`) } : {}),
    body: upload
      ? uploadArb(g.plain, g.image)
      : !jsonSchema
        ? fc.constant(undefined)
        : g.plain
        ? value(jsonSchema, g).map((b) => JSON.stringify(b))
        : fc.oneof(
            { weight: 10, arbitrary: fc.tuple(value(jsonSchema, g), fc.option(fc.constantFrom(...ODD_KEYS).map((k) => ({ [k]: 'x' })), { nil: null })).map(([b, extra]) => JSON.stringify(withOddKeys(b, extra))) },
            { weight: 1, arbitrary: fc.constantFrom(...BROKEN_JSON) },
          ),
  });
}

/** One plain case in three, the rest mutated. */
const caseArb = (path: string, method: string, op: Operation, known: Known, image: Buffer): fc.Arbitrary<Case> =>
  fc.oneof({ weight: 1, arbitrary: requestArb(path, method, op, { plain: true, known, image }) }, { weight: 2, arbitrary: requestArb(path, method, op, { plain: false, known, image }) });

/** Colours the template rules accept, so plain templates are often valid as a whole. */
const COLOURS = ['#0f172a', '#FFF', '#11223344', 'rgb(1, 2, 3)', 'rgba(10, 20, 30, 0.5)'];
const COLOUR_FIELDS = ['color', 'fill_color', 'stroke_color', 'background_color', 'tint_color'];

/** A small template with one dynamic text layer, so plain previews and renders are cheap. */
const FUZZ_TEMPLATE = {
  name: 'fuzz',
  width: 64,
  height: 32,
  background: { color: '#ffffff' },
  layers: [{ name: 'headline', type: 'text', x: 2, y: 2, width: 60, height: 28, text: 'Hi', color: '#000000', font_size: 12, dynamic: true }],
};

interface Answer {
  status: number;
  type: string;
  text: string;
  ms: number;
}

/** Runs `work` over `items` with at most `limit` in flight, results in item order. */
async function mapBounded<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return out;
}

const counts = (values: readonly number[]): string =>
  [...values.reduce((m, v) => m.set(v, (m.get(v) ?? 0) + 1), new Map<number, number>())]
    .sort((a, b) => a[0] - b[0])
    .map(([s, n]) => `${s}x${n}`)
    .join(' ');

describe('fuzzing every operation of openapi.json', () => {
  let api: TestApp;
  let key: string;
  let readOnlyKey: string;
  let orgId: string;
  let png: Buffer;
  const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  const summary: string[] = [];

  beforeAll(async () => {
    api = await startApi();
    ({ liveKey: key, orgId } = await createOrg(api.ds));
    readOnlyKey = (await createKey(api.ds, orgId, ['images:read'])).key;
    png = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#336699' } }).png().toBuffer();
  });
  afterAll(async () => {
    agent.destroy();
    await api?.close();
    if (summary.length) process.stdout.write(`fuzz cases per operation (FUZZ_SEED=${SEED}):\n  ${summary.join('\n  ')}\n`);
  });

  /** Resources of the operation's own, so one operation deleting or archiving them leaves the others' intact. */
  async function seed(): Promise<Known> {
    const templateId = await publishedTemplate(api.baseUrl, key, FUZZ_TEMPLATE);
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(png)]), 'fuzz.png');
    const asset = await fetch(`${api.baseUrl}/v1/assets`, { method: 'POST', headers: bearer(key), body: form });
    if (asset.status !== 201) throw new Error(`asset upload failed: ${asset.status} ${await asset.text()}`);
    const assetId = ((await asset.json()) as { id: string }).id;
    const person = await fetch(`${api.baseUrl}/v1/people`, {
      method: 'POST',
      headers: { ...bearer(key), 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Fuzz Person', photo_asset_id: assetId, tags: { role: 'AE' } }),
    });
    if (person.status !== 201) throw new Error(`person create failed: ${person.status} ${await person.text()}`);
    const personId = ((await person.json()) as { id: string }).id;
    const images = [await insertImage(api.ds, orgId, { templateId }), await insertImage(api.ds, orgId, { templateId })];
    const page = await fetch(`${api.baseUrl}/v1/images?limit=1`, { headers: bearer(key) });
    const cursor = ((await page.json()) as { next_cursor: string | null }).next_cursor;
    if (!cursor) throw new Error('no next_cursor with two images and limit=1');
    const made = async (path: string, body: unknown): Promise<string> => {
      const res = await fetch(`${api.baseUrl}${path}`, { method: 'POST', headers: { ...bearer(key), 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      if (res.status !== 201) throw new Error(`${path} failed: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { id: string }).id;
    };
    const ruleId = await made('/v1/event-rules', { name: 'fuzz', event_type: 'fuzz.event', template_id: templateId, mapping: { headline: '$.name' } });
    const sourceId = await made('/v1/event-sources', { type: 'webhook', name: 'fuzz' });
    return {
      rule_id: [ruleId],
      source_id: [sourceId],
      template_id: [templateId],
      asset_id: [assetId],
      photo_asset_id: [assetId],
      person_id: [personId],
      image_id: images.map((i) => i.id),
      cursor: [cursor],
      ...Object.fromEntries(COLOUR_FIELDS.map((f) => [f, COLOURS])),
    };
  }

  /** node:http rather than fetch: fetch refuses some of the paths and headers the fuzzer sends. */
  const send = (method: string, c: Case): Promise<Answer> =>
    new Promise((done, fail) => {
      const search = c.query.length ? `?${new URLSearchParams(c.query).toString()}` : '';
      const authorization: Record<Credential, string | undefined> = {
        full: `Bearer ${key}`,
        none: undefined,
        garbage: 'Basic Zm9vOmJhcg==',
        unknown: `Bearer ik_live_${'0'.repeat(40)}`,
        'read-only': `Bearer ${readOnlyKey}`,
      };
      const credential = authorization[c.credential];
      const headers: Record<string, string> = { ...(credential ? { Authorization: credential } : {}), ...c.headers };
      if (c.body !== undefined) headers['Content-Type'] = c.contentType ?? 'application/json';
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

  /** What is wrong with an answer, or undefined when nothing is. */
  function problem(method: string, path: string, r: Answer): string | undefined {
    if (r.status >= 500) return `answered ${r.status}`;
    if (r.ms >= MAX_ANSWER_MS) return `took ${Math.round(r.ms)} ms`;
    const undeclared = undeclaredAnswer(doc, method, path, r.status, r.type || undefined);
    if (undeclared) return undeclared;
    if (r.status >= 400) {
      let keys: string[] = [];
      try {
        keys = Object.keys(JSON.parse(r.text) as object);
      } catch {
        return 'an error body that is not JSON';
      }
      if (keys.join() !== 'detail') return `an error body with keys ${keys.join(', ')}`;
    }
    return undefined;
  }

  const operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ path, method, op })));

  it.each(operations.map((o, i) => [`${o.method.toUpperCase()} ${o.path}`, o, i] as const))(
    '%s answers only what the document declares, never a 500, always in our shape',
    async (name, { path, method, op }, index) => {
      const known = await seed();
      const cases = fc.sample(caseArb(path, method, op, known, png), { numRuns: RUNS, seed: SEED + index });
      const answers = await mapBounded(cases, IN_FLIGHT, (c) => send(method.toUpperCase(), c));
      const failures: string[] = [];
      answers.forEach((r, i) => {
        const why = problem(method, path, r);
        if (why === undefined) return;
        if (failures.length < REPORTED_FAILURES) {
          const c = cases[i];
          failures.push(
            `${why}: ${method.toUpperCase()} ${c.path}${c.query.length ? `?${new URLSearchParams(c.query).toString()}` : ''} ` +
              `${c.credential} key, headers ${JSON.stringify(c.headers)} body ${JSON.stringify(c.body?.toString().slice(0, 300))} -> ${r.status} ${r.type} ${r.text.slice(0, 300)}`,
          );
        } else failures.push('');
      });
      const plain = answers.filter((_, i) => cases[i].plain).map((r) => r.status);
      summary.push(`${name}: ${answers.length} cases (${counts(answers.map((r) => r.status))}); ${plain.length} plain (${counts(plain)})`);
      expect(answers.length).toBe(RUNS);
      const reported = failures.filter(Boolean);
      if (failures.length > reported.length) reported.push(`... and ${failures.length - reported.length} more`);
      expect([`FUZZ_SEED=${SEED}`, ...reported]).toEqual([`FUZZ_SEED=${SEED}`]);
    },
    600_000,
  );
});
