import { NestFactory } from '@nestjs/core';
import { ApiModule } from '../../src/api.module.js';
import { buildOpenApiDocument } from '../../src/openapi.js';

/** The document as `npm run openapi:emit` builds it: preview mode, nothing connects. */
export async function generateDocument(): Promise<Record<string, unknown>> {
  const app = await NestFactory.create(ApiModule, { logger: false, preview: true, abortOnError: false });
  try {
    return buildOpenApiDocument(app);
  } finally {
    await app.close();
  }
}

interface DeclaredResponse {
  content?: Record<string, unknown>;
}
export interface OpenApiPaths {
  paths: Record<string, Record<string, { responses?: Record<string, DeclaredResponse> }>>;
}

/** `image/png` of `image/png; charset=...`, lowercased; '' when the answer has no Content-Type. */
const mediaType = (contentType: string | undefined): string => (contentType ?? '').split(';')[0].trim().toLowerCase();

/** Whether a declared media range (`image/png`, `image/*`, `*\/*`) covers a media type. */
function covers(range: string, type: string): boolean {
  const [rangeType, rangeSub] = range.toLowerCase().split('/');
  const [type0, sub] = type.split('/');
  return (rangeType === '*' || rangeType === type0) && (rangeSub === '*' || rangeSub === sub);
}

/**
 * Why an answer is not one the document declares for the operation (`method` and the path
 * template, e.g. `/v1/images/{image_id}`), or undefined when it is: its status must be declared
 * (exactly, as `4XX`, or as `default`), and its Content-Type must be one of that response's
 * media types; a response declared without content must come without a body type.
 */
export function undeclaredAnswer(doc: OpenApiPaths, method: string, path: string, status: number, contentType: string | undefined): string | undefined {
  const op = doc.paths[path]?.[method.toLowerCase()];
  const name = `${method.toUpperCase()} ${path}`;
  if (!op) return `${name} is not an operation of the document`;
  const responses = op.responses ?? {};
  const declared = responses[String(status)] ?? responses[`${String(status)[0]}XX`] ?? responses.default;
  if (!declared) return `${name} answered ${status}, which it does not declare (declared: ${Object.keys(responses).join(', ')})`;
  const type = mediaType(contentType);
  const types = Object.keys(declared.content ?? {});
  if (types.length === 0) return type === '' ? undefined : `${name} answered ${status} with ${type}, but declares no body for ${status}`;
  if (type === '') return `${name} answered ${status} without a Content-Type, but declares ${types.join(', ')}`;
  return types.some((t) => covers(t, type)) ? undefined : `${name} answered ${status} with ${type}, but declares only ${types.join(', ')}`;
}
