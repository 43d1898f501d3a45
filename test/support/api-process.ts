import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ensureMigrated } from './db.js';
import { freePort } from './net/free-port.js';

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
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "npm run build" first (npm test does)`);
  await ensureMigrated();
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const proc = spawn(process.execPath, [MAIN], {
    env: { ...process.env, LOG_LEVEL: 'log', NODE_OPTIONS: '', HOST: '127.0.0.1', PORT: String(port), PUBLIC_BASE_URL: baseUrl, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((res) => proc.once('exit', (code) => res(code)));
  await new Promise<void>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`API not ready after ${readyTimeoutMs} ms:\n${out}`)), readyTimeoutMs);
    const check = () => {
      if (out.includes('API listening on')) {
        clearTimeout(timer);
        proc.stdout?.off('data', check);
        res();
      }
    };
    proc.stdout?.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      rej(new Error(`API exited with ${code} before it was ready:\n${out}`));
    });
  });
  return {
    proc,
    baseUrl,
    output: () => out,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      proc.kill(signal);
      return exited;
    },
  };
}
