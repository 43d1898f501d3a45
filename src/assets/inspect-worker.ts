import { parentPort } from 'node:worker_threads';
import type { InspectRequest, InspectStarted } from './inspect-pool.js';
import { scanUpload, type ScanOutcome } from './upload-scan.js';

/** Thread entry of InspectPool (a piscina task handler): one upload scan at a time. */

/** Tells the pool the scan began, so its deadline does not count queueing or thread start-up. */
export function announceStart(req: InspectRequest): void {
  parentPort?.postMessage({ type: 'inspect-started', id: req?.id } satisfies InspectStarted);
}

export default function inspect(req: InspectRequest): ScanOutcome {
  announceStart(req);
  // Structured clone delivers a plain Uint8Array; the scanners want a Buffer over the same bytes.
  const u8 = req.bytes;
  return scanUpload(Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength), String(req.filename));
}
