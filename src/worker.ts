import 'reflect-metadata';
import { createServer, type Server } from 'node:http';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getConfig } from './config/config.module.js';
import { logLevels } from './config/log-levels.js';
import { WorkerModule } from './worker.module.js';

const logger = new Logger('Worker');
const config = getConfig();
const app = await NestFactory.createApplicationContext(WorkerModule, {
  logger: logLevels(config.logLevel),
  bufferLogs: false,
});
await app.init();

let health: Server | undefined;
if (config.workerHealthPort !== null) {
  health = createServer((req, res) => {
    const ok = req.url === '/healthz';
    res.writeHead(ok ? 200 : 404, { 'content-type': 'application/json' });
    res.end(ok ? '{"status":"ok"}' : '{"detail":"Not Found"}');
  }).listen(config.workerHealthPort, config.host);
}
logger.log(`Worker ready (pid ${process.pid}, concurrency ${config.workerConcurrency}, queue prefix ${config.queuePrefix})`);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    logger.log(`${signal} received: finishing active jobs and closing`);
    health?.close();
    app
      .close()
      .then(() => {
        logger.log('Worker stopped');
        process.exit(0);
      })
      .catch((err: unknown) => {
        logger.error(`Shutdown failed: ${String(err)}`);
        process.exit(1);
      });
  });
}

