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
