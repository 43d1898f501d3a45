import { workerData, type MessagePort } from 'node:worker_threads';
import { computeHere, type CoverageReply, type CoverageRequest } from './font-coverage-thread.js';

/** Thread entry of coverageOf: parse each font once, send the ranges back, wake the caller. */

const { port, done, request } = workerData as { port: MessagePort; done: Int32Array; request: CoverageRequest };
try {
  const reply: CoverageReply = request.sources.map((s) => computeHere(s)?.ranges ?? null);
  port.postMessage({ ok: true, reply });
} catch {
  port.postMessage({ ok: false });
} finally {
  Atomics.store(done, 0, 1);
  Atomics.notify(done, 0);
}
