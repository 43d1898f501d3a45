import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { ApiModule } from './api.module.js';
import { useFastApiMiddleware } from './http/setup.js';
import type { AppConfig } from './config/config.js';
import { logLevels } from './config/log-levels.js';
import { buildOpenApiDocument } from './openapi.js';

/** Accepts a caller's X-Request-Id when it is sane, else mints one; echoed on every response. */
function requestIdMiddleware(req: Request & { id?: string }, res: Response, next: NextFunction): void {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(given) ? given : randomUUID();
  req.id = id;
  res.setHeader('X-Request-Id', id);
  next();
}

/**
 * Builds the API application: FastAPI-compatible body and path handling, the OpenAPI document at
 * /openapi.json and Swagger UI at /docs. Used by main.ts and by the e2e tests.
 */
export async function createHttpApp(config: AppConfig): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(ApiModule, {
    bodyParser: false,
    logger: logLevels(config.logLevel),
  });
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', 'loopback');
  app.use(requestIdMiddleware);
  useFastApiMiddleware(app, { limitBytes: config.maxJsonBodyBytes });

  const document = buildOpenApiDocument(app);
  const body = JSON.stringify(document);
  const serveDocument = (_req: Request, res: Response): void => {
    res.type('application/json').send(body);
  };
  app.getHttpAdapter().get('/openapi.json', serveDocument as never);
  SwaggerModule.setup('docs', app, document as never, {
    useGlobalPrefix: false,
    raw: false,
    customSiteTitle: 'Imtegrate API',
    swaggerOptions: { persistAuthorization: true, displayRequestDuration: true, tryItOutEnabled: true },
  });
  await app.init();
  return app;
}
