import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { BODY_PARSE_ERROR_DETAIL, BODY_TOO_LARGE_DETAIL } from './http/json-body.middleware.js';
import { fieldModels, getModelOptions } from './validation/fields.js';
import { referencedModels } from './validation/prop.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

/** FastAPI's own schemas, verbatim: the seed contract pins them. */
const VALIDATION_SCHEMAS: Obj = {
  HTTPValidationError: {
    properties: {
      detail: { items: { $ref: '#/components/schemas/ValidationError' }, title: 'Detail', type: 'array' },
    },
    title: 'HTTPValidationError',
    type: 'object',
  },
  ValidationError: {
    properties: {
      loc: { items: { anyOf: [{ type: 'string' }, { type: 'integer' }] }, title: 'Location', type: 'array' },
      msg: { title: 'Message', type: 'string' },
      type: { title: 'Error Type', type: 'string' },
    },
    required: ['loc', 'msg', 'type'],
    title: 'ValidationError',
    type: 'object',
  },
};

/**
 * Response headers of every authenticated operation (set by AuthGuard, see src/rate-limit/). They
 * are absent when the key is unlimited and when the limiter's Redis is unreachable (fail open).
 */
const RATE_HEADERS: Obj = {
  'RateLimit-Limit': {
    description: "Points this key may spend per minute (a read costs 1, a write 2, a render 10). Absent when the key is unlimited or the limiter is unavailable.",
    schema: { type: 'integer' },
  },
  'RateLimit-Remaining': { description: 'Points left in the current one-minute window.', schema: { type: 'integer' } },
  'RateLimit-Reset': { description: 'Seconds until the current window ends and the budget is whole again.', schema: { type: 'integer' } },
};
/** Headers every answer carries (the request id, see src/logging/) or every 401 (the auth scheme). */
const COMMON_HEADERS: Obj = {
  'X-Request-Id': {
    description: 'The request id: the caller\'s X-Request-Id when it is 1-128 printable characters, else a generated one. Log lines of the request, its render and its webhooks carry it.',
    schema: { type: 'string' },
  },
  'WWW-Authenticate': { description: 'The authentication scheme to use: `Bearer`.', schema: { type: 'string' } },
};

/** X-Request-Id on every answer, WWW-Authenticate on every 401. */
function documentCommonHeaders(op: Obj): void {
  for (const [code, response] of Object.entries((op.responses ?? {}) as Obj)) {
    const r = response as Obj;
    r.headers = { ...((r.headers ?? {}) as Obj), ...headerRefs(code === '401' ? ['X-Request-Id', 'WWW-Authenticate'] : ['X-Request-Id']) };
  }
}

const RETRY_AFTER: Obj = { description: 'Seconds to wait before retrying.', schema: { type: 'integer' } };
const headerRefs = (names: string[]): Obj => Object.fromEntries(names.map((n) => [n, { $ref: `#/components/headers/${n}` }]));

/** Adds the RateLimit-* headers to every answer of an authenticated operation (401 is not one), and its 429. */
function documentRateLimits(op: Obj): void {
  const security = (op.security ?? []) as Obj[];
  if (!security.some((s) => 'HTTPBearer' in s)) return;
  const responses = (op.responses ?? {}) as Obj;
  responses['429'] ??= {
    description: 'Rate limit exceeded: the key spent its budget for this minute',
    content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorDetailSchema' } } },
  };
  for (const [code, response] of Object.entries(responses)) {
    if (code === '401') continue;
    const r = response as Obj;
    r.headers = { ...((r.headers ?? {}) as Obj), ...headerRefs(Object.keys(RATE_HEADERS)), ...(code === '429' ? headerRefs(['Retry-After']) : {}) };
  }
  op.responses = responses;
}

const ERROR_CONTENT: Obj = { 'application/json': { schema: { $ref: '#/components/schemas/ErrorDetailSchema' } } };

/**
 * Answers of the body middleware (http/json-body.middleware.ts), which runs before any route: a
 * JSON body over MAX_JSON_BODY_BYTES is a 413 on every operation, and a body Python could not
 * read is a 400 where a JSON body is read (malformed JSON is a 422). Where the operation declares
 * the status already, the middleware's case is added to its description.
 */
function addBodyMiddlewareAnswers(op: Obj): void {
  const responses = (op.responses ?? {}) as Obj;
  const add = (status: string, description: string): void => {
    const existing = responses[status] as Obj | undefined;
    if (existing) existing.description = `${existing.description as string}; or ${description[0].toLowerCase()}${description.slice(1)}`;
    else responses[status] = { description, content: ERROR_CONTENT };
  };
  add('413', `A JSON body over the size limit ("${BODY_TOO_LARGE_DETAIL}")`);
  const content = ((op.requestBody as Obj | undefined)?.content ?? {}) as Obj;
  if (content['application/json']) {
    add('400', `A JSON body Python cannot read (bytes no codec decodes, an integer literal over 4300 digits): "${BODY_PARSE_ERROR_DETAIL}"`);
    add('413', 'A JSON body holding more values than MAX_JSON_BODY_VALUES, or too complex to read in time ("Request body too complex: ...")');
    add('503', 'Every thread that reads large JSON bodies is busy and its queue full; retry after Retry-After seconds');
  }
  op.responses = responses;
}

/** pydantic's `additionalProperties: false` for the request models that refuse unknown fields. */
function markClosedModels(schemas: Obj): void {
  for (const cls of fieldModels()) {
    const schema = schemas[cls.name] as Obj | undefined;
    if (schema && getModelOptions(cls).extra === 'forbid') schema.additionalProperties = false;
  }
}

/** Names of the component schemas `value` references, followed through the schemas themselves. */
function reachableSchemas(value: Json, schemas: Obj, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) reachableSchemas(v, schemas, into);
  else if (value && typeof value === 'object') {
    const ref = value.$ref;
    if (typeof ref === 'string' && ref.startsWith('#/components/schemas/')) {
      const name = ref.slice('#/components/schemas/'.length);
      if (!into.has(name)) {
        into.add(name);
        reachableSchemas(schemas[name] ?? null, schemas, into);
      }
    }
    for (const v of Object.values(value)) reachableSchemas(v, schemas, into);
  }
  return into;
}

/**
 * Request-only models state their defaults in the description instead of a `default` keyword.
 * Why: openapi-typescript (the generator most TypeScript clients use) types every property with
 * a `default` in a component schema as always present, which is right for answers and wrong for
 * requests, so `{template_id}` alone did not compile as a POST /v1/images body. Models that are
 * also answers keep their defaults.
 */
function describeRequestDefaults(paths: Obj, schemas: Obj): void {
  const inRequests = new Set<string>();
  const inAnswers = new Set<string>();
  for (const item of Object.values(paths)) {
    for (const method of METHODS) {
      const op = (item as Obj)[method] as Obj | undefined;
      if (!op) continue;
      reachableSchemas(op.requestBody ?? null, schemas, inRequests);
      reachableSchemas(op.responses ?? null, schemas, inAnswers);
    }
  }
  for (const name of inRequests) {
    if (inAnswers.has(name)) continue;
    for (const p of Object.values(((schemas[name] as Obj | undefined)?.properties ?? {}) as Obj)) {
      const prop = p as Obj;
      if (!('default' in prop)) continue;
      const note = `Default: \`${JSON.stringify(prop.default)}\`.`;
      const text = typeof prop.description === 'string' ? prop.description.trim() : '';
      prop.description = text ? `${text}${text.endsWith('.') ? '' : '.'} ${note}` : note;
      delete prop.default;
    }
  }
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const PARAM_ORDER: Record<string, number> = { path: 0, query: 1, header: 2, cookie: 3 };

/** snake_case of a camelCase method name, as FastAPI's route.name would be. */
function snake(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/** FastAPI's generate_unique_id: re.sub(r"\W", "_", name + path) + "_" + method. */
export function fastApiOperationId(methodName: string, path: string, method: string): string {
  return `${snake(methodName)}${path}`.replace(/\W/g, '_') + `_${method.toLowerCase()}`;
}

export function sortKeys(value: Json): Json {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const out: Obj = {};
    for (const k of Object.keys(value).sort()) out[k] = sortKeys(value[k]);
    return out;
  }
  return value;
}

/**
 * Brings Nest's document to the shape FastAPI emits: OpenAPI 3.1, `{name}` path templates,
 * FastAPI operation ids, parameters ordered path/query/header, a 422 on every operation that takes
 * input, and properties whose schema is an `anyOf` stripped of the `type` Nest infers.
 */
export function normalizeDocument(doc: OpenAPIObject): Obj {
  const d = JSON.parse(JSON.stringify(doc)) as Obj;
  d.openapi = '3.1.0';
  const components = (d.components ?? {}) as Obj;
  const schemas = ((components.schemas ?? {}) as Obj);
  Object.assign(schemas, VALIDATION_SCHEMAS);
  for (const [name, schema] of Object.entries(schemas)) {
    const s = schema as Obj;
    s.title ??= name;
    const props = (s.properties ?? {}) as Obj;
    for (const p of Object.values(props)) {
      const prop = p as Obj;
      if (prop.anyOf && prop.type) delete prop.type;
    }
    if (Array.isArray(s.required) && s.required.length === 0) delete s.required;
  }
  markClosedModels(schemas);
  components.schemas = schemas;
  components.headers = { ...((components.headers ?? {}) as Obj), ...RATE_HEADERS, 'Retry-After': RETRY_AFTER, ...COMMON_HEADERS };
  d.components = components;

  const paths = (d.paths ?? {}) as Obj;
  for (const item of Object.values(paths)) {
    for (const method of METHODS) {
      const op = (item as Obj)[method] as Obj | undefined;
      if (!op) continue;
      const params = (op.parameters ?? []) as Obj[];
      for (const prm of params) {
        const schema = (prm.schema ?? {}) as Obj;
        if (schema.anyOf && schema.type) delete schema.type;
      }
      params.sort((a, b) => (PARAM_ORDER[a.in as string] ?? 9) - (PARAM_ORDER[b.in as string] ?? 9));
      if (params.length) op.parameters = params;
      addBodyMiddlewareAnswers(op);
      const takesInput = params.length > 0 || op.requestBody !== undefined;
      const responses = (op.responses ?? {}) as Obj;
      if (takesInput && !responses['422']) {
        responses['422'] = {
          description: 'Validation Error',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/HTTPValidationError' } } },
        };
      }
      op.responses = responses;
      documentRateLimits(op);
      documentCommonHeaders(op);
    }
  }
  describeRequestDefaults(paths, schemas);
  return sortKeys(d) as Obj;
}

/**
 * The committed document names the development server; the served one (/openapi.json, Swagger
 * UI) names PUBLIC_BASE_URL, so generated clients and "Try it out" reach the right host.
 */
export const DEV_SERVER_URL = 'http://localhost:3000';

export function buildOpenApiDocument(app: INestApplication, options: { publicBaseUrl?: string } = {}): Obj {
  const config = new DocumentBuilder()
    .setTitle('Imtegrate API')
    .setDescription(
      'Template-based image rendering. Authenticate with `Authorization: Bearer ik_live_…` (use the Authorize button). ' +
        'Renders are asynchronous: POST /v1/images, then poll GET /v1/images/{image_id} or receive a signed webhook.',
    )
    .setVersion('dev')
    .addServer(options.publicBaseUrl ?? DEV_SERVER_URL, options.publicBaseUrl ? 'This installation' : 'Local development (the served document names PUBLIC_BASE_URL)')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'API key', description: 'ik_live_… or ik_test_…' }, 'HTTPBearer')
    .build();
  const doc = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (_controller, method) => method,
    extraModels: referencedModels(),
  });
  doc.info.license = { name: 'Proprietary' };
  // Nest writes `/v1/images/{image_id}` already; turn method-name ids into FastAPI ids per path.
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = (item as Record<string, { operationId?: string } | undefined>)[method];
      if (op?.operationId) op.operationId = fastApiOperationId(op.operationId, path, method);
    }
  }
  return normalizeDocument(doc);
}

export function serializeDocument(doc: Obj): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}
