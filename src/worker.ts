import 'reflect-metadata';
import type { Server } from 'node:http';
import { Logger, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { TimeoutError, withTimeout } from './common/timeout.js';
import { getConfig } from './config/config.module.js';
import { Metrics } from './health/metrics.js';
import { startWorkerHealthServer } from './health/worker-health.server.js';
import { checkReadiness } from './health/readiness.js';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { QueueName, QUEUES } from './queue/queue.constants.js';
import { NEST_LOGGER } from './logging/logging.module.js';
import { WorkerModule } from './worker.module.js';

const logger = new Logger('Worker');
const config = getConfig();

let shuttingDown = false;
/** Filled in once the app is up; a signal before that just exits. */
const lifecycle: { stop?: () => Promise<void> } = {};

// Registered before anything starts, so a signal during start-up is never lost.
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.log(`${signal} received: finishing active jobs and closing`);
    (lifecycle.stop ?? (async () => undefined))()
      .then(() => {
        logger.log('Worker stopped');
        process.exit(0);
      })
      .catch((err: unknown) => {
        if (err instanceof TimeoutError) {
          // Renders still running are abandoned: their rows' leases lapse and the reconciler (or
          // Bull's stalled check) gives them to another worker; their CAS writes would lose anyway.
          logger.warn(`Shutdown grace of ${config.workerShutdownGraceMs} ms exceeded (${err.message}); exiting with work in flight`);
          process.exit(1);
        }
        if (isClosedConnection(err)) {
          logger.log('Worker stopped (a queue connection was still opening)');
          process.exit(0);
        }
        logger.error(`Shutdown failed: ${err instanceof Error ? err.stack : String(err)}`);
        process.exit(1);
      });
  });
}

// Closing Bull's connections while they are blocked or still opening rejects with
// "Connection is closed."; for app.close() that is a clean end, not a failure.
function isClosedConnection(err: unknown): boolean {
  return err instanceof Error && err.message === 'Connection is closed.';
}

// Once a shutdown has begun, Bull 4 leaves stray rejections behind as its connections go away
// (seen: "Connection is closed.", `undefined`, and a TypeError inside bull/lib/worker.js). They
// are logged; the exit code is decided by app.close() alone. Before that, any is fatal.
for (const event of ['unhandledRejection', 'uncaughtException'] as const) {
  process.on(event, (reason: unknown) => {
    const text = reason instanceof Error ? (reason.stack ?? reason.message) : String(reason);
    if (shuttingDown) {
      logger.warn(`${event} during shutdown (ignored): ${text}`);
      return;
    }
    logger.error(`${event}: ${text}`);
    process.exit(1);
  });
}

const app = await NestFactory.createApplicationContext(WorkerModule, { bufferLogs: true });
app.useLogger(app.get<LoggerService>(NEST_LOGGER));
await app.init();

let health: Server | undefined;
if (config.workerHealthPort !== null) {
  health = startWorkerHealthServer({
    port: config.workerHealthPort,
    host: config.host,
    metrics: app.get(Metrics),
    metricsToken: config.metricsToken,
    readiness: () => checkReadiness(app.get<DataSource>(getDataSourceToken()), app.get<Queue>(getQueueToken(QueueName.Render))),
    onError: (err) => logger.error(`metrics scrape failed: ${err instanceof Error ? err.stack : String(err)}`),
  });
}
/**
 * SIGTERM: stop taking jobs (a local pause waits for the running ones), then close, all within
 * WORKER_SHUTDOWN_GRACE_MS. Pausing first matters: closing the app tears the render pool down,
 * and a job taken meanwhile would fail for nothing.
 */
lifecycle.stop = async () => {
  health?.close();
  const deadline = Date.now() + config.workerShutdownGraceMs;
  const left = () => Math.max(0, deadline - Date.now());
  const queues = QUEUES.map((name) => app.get<Queue>(getQueueToken(name), { strict: false }));
  await withTimeout(Promise.all(queues.map((q) => q.pause(true))), left(), 'finishing active jobs');
  await withTimeout(app.close(), left(), 'closing');
};
logger.log(`Worker ready (pid ${process.pid}, concurrency ${config.workerConcurrency}, queue prefix ${config.queuePrefix})`);
