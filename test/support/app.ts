import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { loadConfig, type AppConfig } from '../../src/config/config.js';
import { setConfigForProcess } from '../../src/config/config.module.js';
import { freePort } from './net/free-port.js';
import { createHttpApp } from '../../src/http-app.js';
import { ensureMigrated } from './db.js';

export interface TestApp {
  app: INestApplication;
  baseUrl: string;
  ds: DataSource;
  config: AppConfig;
  close(): Promise<void>;
}

/** The real ApiModule on an ephemeral 127.0.0.1 port, against this run's database and Redis prefix. */
export async function startApi(overrides: Record<string, string> = {}): Promise<TestApp> {
  await ensureMigrated();
  // Signed URLs embed PUBLIC_BASE_URL, so the port must be known before the app is built.
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const config = loadConfig({ ...process.env, PUBLIC_BASE_URL: baseUrl, ...overrides });
  setConfigForProcess(config);
  const app = await createHttpApp(config);
  await app.listen(port, '127.0.0.1');
  return {
    app,
    baseUrl,
    ds: app.get(DataSource),
    config,
    close: () => app.close(),
  };
}
