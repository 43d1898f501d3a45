import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { freePort } from './net/free-port.js';
import { ensureMigrated } from './db.js';

export interface ApiProcess {
  proc: ChildProcess;
  baseUrl: string;
  output(): string;
  stop(): Promise<number | null>;
}

const MAIN = resolve(process.cwd(), 'dist/main.js');

/**
 * The real API process (the compiled entry point, as production runs it: its render and
 * inspection thread pools included) on an ephemeral 127.0.0.1 port, this run's database and
 * Redis prefix. Unlike startApi(), nothing it does shares the test's event loop.
 */
export async function startApiProcess(env: Record<string, string> = {}, readyTimeoutMs = 30_000): Promise<ApiProcess> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "npm run build" first (npm test does)`);
  await ensureMigrated();
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const proc = spawn(process.execPath, [MAIN], {
    // LOG_LEVEL log at least: readiness is the "API listening" line.
    env: { ...process.env, NODE_OPTIONS: '', PORT: String(port), HOST: '127.0.0.1', PUBLIC_BASE_URL: baseUrl, ...env, LOG_LEVEL: 'log' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((res) => proc.once('exit', (code) => res(code)));
  await new Promise<void>((res, rej) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      rej(new Error(`API not listening after ${readyTimeoutMs} ms:\n${out}`));
    }, readyTimeoutMs);
    const check = (): void => {
      if (out.includes('API listening')) {
        clearTimeout(timer);
        proc.stdout?.off('data', check);
        res();
      }
    };
    proc.stdout?.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      rej(new Error(`API exited with ${code} before it listened:\n${out}`));
    });
  });
  return {
    proc,
    baseUrl,
    output: () => out,
    stop: async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      proc.kill('SIGTERM');
      return exited;
    },
  };
}
