import type { ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { ensureMigrated } from './db.js';
import { freePort } from './net/free-port.js';
import { startChild } from './process.js';

export interface ApiProcess {
  proc: ChildProcess;
  baseUrl: string;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const MAIN = resolve(process.cwd(), 'dist/main.js');

/**
 * The API as production runs it (node dist/main.js), in its own process, on an ephemeral
 * 127.0.0.1 port, with its stdout captured: for specs that read the API's own log lines.
 * startApi (app.ts) runs the API inside the Jest process instead, where stdout is Jest's.
 */
export async function startApiProcess(env: Record<string, string> = {}, readyTimeoutMs = 30_000): Promise<ApiProcess> {
  await ensureMigrated();
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const child = await startChild(
    MAIN,
    'API',
    'API listening on',
    { LOG_LEVEL: 'log', HOST: '127.0.0.1', PORT: String(port), PUBLIC_BASE_URL: baseUrl, ...env },
    readyTimeoutMs,
  );
  return { ...child, baseUrl };
}
