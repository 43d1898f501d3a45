import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface ChildService {
  proc: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * A compiled entry point (dist/...) in its own process with its output captured, resolved once
 * it prints `readyLine`; rejected when it exits or stays silent for `readyTimeoutMs` first.
 */
export async function startChild(entry: string, label: string, readyLine: string, env: Record<string, string>, readyTimeoutMs: number): Promise<ChildService> {
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run "npm run build" first (npm test does)`);
  const proc = spawn(process.execPath, [entry], { env: { ...process.env, NODE_OPTIONS: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((res) => proc.once('exit', (code) => res(code)));
  await new Promise<void>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`${label} not ready after ${readyTimeoutMs} ms:\n${out}`)), readyTimeoutMs);
    const check = () => {
      if (out.includes(readyLine)) {
        clearTimeout(timer);
        proc.stdout?.off('data', check);
        res();
      }
    };
    proc.stdout?.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      rej(new Error(`${label} exited with ${code} before it was ready:\n${out}`));
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
