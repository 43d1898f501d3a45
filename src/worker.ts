import 'reflect-metadata';
import { createServer, type Server } from 'node:http';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getConfig } from './config/config.module.js';
import { logLevels } from './config/log-levels.js';
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
        if (isClosedConnection(err)) {
          logger.log('Worker stopped (a queue connection was still opening)');
          process.exit(0);
        }
        logger.error(`Shutdown failed: ${err instanceof Error ? err.stack : String(err)}`);
        process.exit(1);
      });
  });
}

// Known noise of a shutdown, not failures: closing Bull's blocking connection rejects the pending
// BRPOPLPUSH (or a connection still opening) with "Connection is closed."; and a SIGTERM right after
// start-up makes Bull's setWorkerName catch handler read `.message` of an undefined rejection
// (bull/lib/worker.js), a TypeError inside Bull itself.
function isClosedConnection(err: unknown): boolean {
  if (!shuttingDown || !(err instanceof Error)) return false;
  return err.message === 'Connection is closed.' || (err instanceof TypeError && /[\\/]bull[\\/]lib[\\/]worker\.js/.test(err.stack ?? ''));
}

for (const event of ['unhandledRejection', 'uncaughtException'] as const) {
  process.on(event, (reason: unknown) => {
    if (isClosedConnection(reason)) return;
    logger.error(`${event}: ${reason instanceof Error ? reason.stack : String(reason)}`);
    process.exit(1);
  });
}

const app = await NestFactory.createApplicationContext(WorkerModule, { logger: logLevels(config.logLevel) });
await app.init();

let health: Server | undefined;
if (config.workerHealthPort !== null) {
  health = createServer((req, res) => {
    const ok = req.url === '/healthz';
    res.writeHead(ok ? 200 : 404, { 'content-type': 'application/json' });
    res.end(ok ? '{"status":"ok"}' : '{"detail":"Not Found"}');
  }).listen(config.workerHealthPort, config.host);
}
lifecycle.stop = async () => {
  health?.close();
  await app.close();
};
logger.log(`Worker ready (pid ${process.pid}, concurrency ${config.workerConcurrency}, queue prefix ${config.queuePrefix})`);
