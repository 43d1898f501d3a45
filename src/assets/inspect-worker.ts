import { announceTaskStart, transferring } from '../threads/deadline-pool.js';
import type { InspectRequest, InspectResponse } from './inspect-pool.js';
import { scanUploadFully, type ScanOutcome } from './upload-scan.js';

/** Thread entry of InspectPool (a piscina task handler): one upload scan at a time. */

/** Tells the pool the scan began, so its deadline does not count queueing or thread start-up. */
export const announceStart = (req: InspectRequest): void => announceTaskStart(req);

export default async function inspect(req: InspectRequest): Promise<unknown> {
  announceStart(req);
  // A plain Uint8Array arrives (moved when the pool could); the scanners want a Buffer over it.
  const u8 = req.bytes;
  const outcome: ScanOutcome = await scanUploadFully(Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength), String(req.filename));
  // A refused upload's bytes are not needed back: they stay here, out of the API's heap.
  if (!req.moved || !outcome.ok) return { outcome } satisfies InspectResponse;
  // Moved in, so moved back: the API stores these same bytes next, and no copy of up to 20 MB
  // is made on its event loop in either direction.
  return transferring({ outcome, bytes: u8 } satisfies InspectResponse, [u8.buffer]);
}
