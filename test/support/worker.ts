import type { ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { startChild } from './process.js';

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
  return startChild(WORKER, 'worker', 'Worker ready', { LOG_LEVEL: 'log', ...env }, readyTimeoutMs);
}
