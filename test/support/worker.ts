import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export interface WorkerProcess {
  proc: ChildProcess;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const WORKER = resolve(process.cwd(), 'dist/worker.js');

/**
 * A real worker process (the compiled entry point, as production runs it) on this run's database
 * and Redis prefix. scripts/test.sh builds dist/ before Jest starts.
 */
export async function startWorker(env: Record<string, string> = {}, readyTimeoutMs = 30_000): Promise<WorkerProcess> {
  if (!existsSync(WORKER)) throw new Error(`${WORKER} is missing: run "npm run build" first (npm test does)`);
  const proc = spawn(process.execPath, [WORKER], {
    env: { ...process.env, LOG_LEVEL: 'log', NODE_OPTIONS: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((res) => proc.once('exit', (code) => res(code)));
  await new Promise<void>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`worker not ready after ${readyTimeoutMs} ms:\n${out}`)), readyTimeoutMs);
    const check = () => {
      if (out.includes('Worker ready')) {
        clearTimeout(timer);
        proc.stdout?.off('data', check);
        res();
      }
    };
    proc.stdout?.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      rej(new Error(`worker exited with ${code} before it was ready:\n${out}`));
    });
  });
  return {
    proc,
    output: () => out,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      proc.kill(signal);
      return exited;
    },
  };
}
