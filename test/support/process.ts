import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface ChildService {
  proc: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far, line by line. */
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
  // Whole lines, in the order they were finished: a large stdout write can reach us in two
  // reads, and a stderr line landing between them would otherwise cut a JSON log line in half.
  // Decoded as streams, so a multi-byte character split across two reads stays whole.
  let out = '';
  const partial = { stdout: '', stderr: '' };
  const collect = (from: keyof typeof partial) => (d: string) => {
    const text = partial[from] + d;
    const end = text.lastIndexOf('\n') + 1;
    out += text.slice(0, end);
    partial[from] = text.slice(end);
  };
  proc.stdout?.setEncoding('utf8');
  proc.stderr?.setEncoding('utf8');
  proc.stdout?.on('data', collect('stdout'));
  proc.stderr?.on('data', collect('stderr'));
  const output = (): string => out + partial.stdout + (partial.stderr === '' ? '' : `\n${partial.stderr}`);
  const exited = new Promise<number | null>((res) => proc.once('exit', (code) => res(code)));
  await new Promise<void>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`${label} not ready after ${readyTimeoutMs} ms:\n${output()}`)), readyTimeoutMs);
    const check = () => {
      if (output().includes(readyLine)) {
        clearTimeout(timer);
        proc.stdout?.off('data', check);
        proc.stderr?.off('data', check);
        res();
      }
    };
    proc.stdout?.on('data', check);
    proc.stderr?.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      rej(new Error(`${label} exited with ${code} before it was ready:\n${output()}`));
    });
  });
  return {
    proc,
    output,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      proc.kill(signal);
      return exited;
    },
  };
}
