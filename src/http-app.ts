import type { ArgumentsHost, INestApplication, LoggerService } from '@nestjs/common';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { HttpAdapterHost, NestFactory } from '@nestjs/core';
import { getQueueToken } from '@nestjs/bull';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import type { Queue } from 'bull';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { ApiModule } from './api.module.js';
import { createJsonBodyPool } from './http/json-body-pool.js';
import { JsonReplyExpressAdapter } from './http/json-reply.adapter.js';
import { installFastLane, type RawMiddleware } from './http/fast-lane.js';
import { HttpErrorFilter } from './http/http-error.filter.js';
import { ImagesFastLane } from './images/images.fast-lane.js';
import { useFastApiMiddleware } from './http/setup.js';
import { collectRoutes } from './http/route-miss.js';
import type { AppConfig } from './config/config.js';
import { httpMetricsMiddleware } from './health/http-metrics.middleware.js';
import { Metrics } from './health/metrics.js';
import { bindRequestLogger, httpLogging } from './logging/http-logging.js';
import { ROOT_LOGGER } from './logging/logger.js';
import { NEST_LOGGER } from './logging/logging.module.js';
import { QUEUES } from './queue/queue.constants.js';
import { QUEUE_DASHBOARD_PATH, queueDashboard } from './queue/queue-dashboard.js';
import { buildOpenApiDocument } from './openapi.js';

/**
 * Builds the API application: the access log and request id first (pino-http), request metrics,
 * the queue dashboard when configured, FastAPI-compatible body and path handling, the OpenAPI
 * document at /openapi.json and Swagger UI at /docs. Used by main.ts and by the e2e tests.
 */
export async function createHttpApp(config: AppConfig): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(ApiModule, new JsonReplyExpressAdapter(), { bodyParser: false, bufferLogs: true });
  app.useLogger(app.get<LoggerService>(NEST_LOGGER));
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', 'loopback');
  const logging = httpLogging(app.get<Logger>(ROOT_LOGGER));
  const metrics = httpMetricsMiddleware(app.get(Metrics), {
    routes: () => collectRoutes(app.getHttpAdapter()),
    mounts: ['/docs', QUEUE_DASHBOARD_PATH],
  });
  app.use(...logging);
  app.use(metrics);
  if (config.queueDashboard !== null) {
    const queues = QUEUES.map((name) => app.get<Queue>(getQueueToken(name)));
    app.use(QUEUE_DASHBOARD_PATH, queueDashboard(queues, config.queueDashboard));
  }
  // Large bodies are parsed in threads (the inspection settings size them); the pool lives as long as the server.
  const jsonPool = createJsonBodyPool({
    size: config.inspect.poolSize,
    timeoutMs: config.inspect.timeoutMs,
    maxQueue: config.inspect.maxQueue,
    maxMemoryMb: config.render.threadMaxMemoryMb,
    nice: config.inspect.threadNice,
    maxValues: config.maxJsonBodyValues,
  });
  if (jsonPool) app.getHttpServer().once('close', () => void jsonPool.close());
  useFastApiMiddleware(app, {
    limitBytes: config.maxJsonBodyBytes,
    maxValues: config.maxJsonBodyValues,
    ...(jsonPool ? { offLoop: { minBytes: config.jsonBodyThreadMinBytes, read: jsonPool.read } } : {}),
  });
  app.use(bindRequestLogger);

  const document = buildOpenApiDocument(app, { publicBaseUrl: config.publicBaseUrl });
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
  if (config.readFastLane) {
    // The same middleware before the lane's reads as before Express's routes (no body to read on them).
    const filter = new HttpErrorFilter(app.get(HttpAdapterHost));
    installFastLane(app.getHttpServer() as Server, [app.get(ImagesFastLane)], {
      middlewares: [...logging, metrics, bindRequestLogger] as RawMiddleware[],
      onError: (err, req, res) => filter.catch(err, rawHost(req, res)),
    });
  }
  return app;
}

/** The part of an ArgumentsHost the exception filter reads, for a request answered outside Nest. */
function rawHost(req: IncomingMessage, res: ServerResponse): ArgumentsHost {
  return { getType: () => 'http', switchToHttp: () => ({ getRequest: () => req, getResponse: () => res }) } as unknown as ArgumentsHost;
}
