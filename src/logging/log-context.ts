import type { Logger } from 'pino';
import { storage, Store } from 'nestjs-pino/storage.js';

/** What a queued job carries for its log lines (see the payloads in queue/queue.constants.ts). */
export interface LogCorrelated {
  id?: string | number;
  data: { requestId?: string };
}

/**
 * Runs a job's work with a logger bound to the request id that caused it and the job's id and
 * queue: every Nest Logger line the work writes (render, storage, webhook) carries them.
 */
export function runWithJobLogContext<T>(root: Logger, queue: string, job: LogCorrelated, work: () => Promise<T>): Promise<T> {
  const logger = jobLogger(root, queue, job);
  return storage.run(new Store(logger), work);
}

export function jobLogger(root: Logger, queue: string, job: LogCorrelated): Logger {
  // A job enqueued by a version before request ids has none; the job id still ties its lines.
  return root.child({ reqId: job.data.requestId ?? null, jobId: String(job.id ?? ''), queue });
}
