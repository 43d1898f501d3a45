import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { getConfig } from './config/config.module.js';
import { createHttpApp } from './http-app.js';

const config = getConfig();
const app = await createHttpApp(config);
await app.listen(config.port, config.host);
const logger = new Logger('Api');
logger.log(`API listening on ${config.host}:${config.port} (Swagger UI at ${config.publicBaseUrl}/docs)`);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    logger.log(`${signal} received: draining connections`);
    app
      .close()
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        logger.error(`Shutdown failed: ${String(err)}`);
        process.exit(1);
      });
  });
}
