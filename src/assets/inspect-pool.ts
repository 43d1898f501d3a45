import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DeadlinePool, ownsWholeBuffer, type PoolTask } from '../threads/deadline-pool.js';
import { lowerLibvipsPriority } from '../threads/priority.js';
import type { AppConfig } from '../config/config.js';
import { inProcessScanner, type ScanOutcome, type UploadScanner } from './upload-scan.js';

/**
 * Upload inspection (scanUpload: sniffing, fontkit, the SVG check) in worker threads
 * (DeadlinePool), so that a 20 MB SVG or a crafted font never holds the API's event loop while
 * other organisations' requests wait. The scanners are linear, but fontkit is a third-party
 * parser whose cost on hostile input we do not control: past its deadline a scan's thread is
 * terminated and the upload refused.
 */

export interface InspectPoolOptions {
  size: number;
  /** Counted from when the thread starts the scan; past it the thread is terminated. 0 = none. */
  timeoutMs: number;
  /** Scans that may wait for a thread; more are answered 503 at once. */
  maxQueue: number;
  maxMemoryMb?: number;
  /** Nice value of the scan threads and, after each scan, of libvips' threads (sharp decodes there next). */
  nice?: number;
  /** Thread entry; default ./inspect-worker.js beside this module (what dist/ runs). */
  entry?: URL;
}

/** What crosses into a thread. */
export interface InspectRequest extends PoolTask {
  bytes: Uint8Array;
  filename: string;
  /** The bytes' buffer was transferred, not copied: the thread sends it back with its answer. */
  moved: boolean;
}

export interface InspectResponse {
  outcome: ScanOutcome;
  /** Present when the request's bytes were moved. */
  bytes?: Uint8Array;
}

export const DEFAULT_INSPECT_ENTRY = new URL('./inspect-worker.js', import.meta.url);

export class InspectPool {
  private readonly pool: DeadlinePool;

  constructor(private readonly options: InspectPoolOptions) {
    this.pool = new DeadlinePool({ ...options, entry: options.entry ?? DEFAULT_INSPECT_ENTRY });
  }

  /** Scans admitted and not finished. */
  get pending(): number {
    return this.pool.pending;
  }

  readonly scan: UploadScanner = async (bytes, filename) => {
    // Structured clone would copy up to 20 MB on the event loop; a buffer that is the Buffer's
    // alone (an upload's is: contiguous-storage.ts) is transferred instead.
    const movable = ownsWholeBuffer(bytes) && bytes.byteLength > 4096;
    const res = await this.pool.run<InspectResponse, Omit<InspectRequest, 'id'>>({ bytes, filename, moved: movable }, movable ? [bytes.buffer] : []);
    // The caller hands an image to sharp next (header read, trial decode): libvips starts its
    // threads on demand, so they are lowered here, once they exist.
    lowerLibvipsPriority(this.options.nice ?? 0);
    if (res.ok) {
      // Moved and refused: the thread kept the bytes (nobody needs them).
      const back = res.value.bytes ? Buffer.from(res.value.bytes.buffer, res.value.bytes.byteOffset, res.value.bytes.byteLength) : movable ? Buffer.alloc(0) : bytes;
      return { outcome: res.value.outcome, bytes: back };
    }
    if (res.reason === 'busy') {
      return { outcome: { ok: false, status: 503, code: 'inspection_busy', message: `Too many uploads are being inspected (${this.pool.maxQueue} waiting); retry shortly` }, bytes };
    }
    // The bytes went down with the thread; the upload is refused, so nobody needs them.
    const left = movable ? Buffer.alloc(0) : bytes;
    const message =
      res.reason === 'timeout' ? `The file could not be inspected within ${this.pool.timeoutMs} ms` : `The file could not be inspected: ${res.message}`;
    return { outcome: { ok: false, status: 400, code: 'upload_too_complex', message }, bytes: left };
  };

  close(): Promise<void> {
    return this.pool.close();
  }
}

export type ClosableScanner = { scan: UploadScanner; close(): Promise<void>; kind: 'pool' | 'in-process' };

/**
 * Threads whenever the compiled thread entry is there (every built process: production and the
 * e2e API). Running from TypeScript sources (ts-jest, in-process test apps) there is no compiled
 * entry, and scanning happens in-process, as for the renderer (renderer-factory.ts).
 */
export function createUploadScanner(config: AppConfig, entry: URL = DEFAULT_INSPECT_ENTRY): ClosableScanner {
  if (existsSync(fileURLToPath(entry))) {
    const pool = new InspectPool({
      size: config.inspect.poolSize,
      timeoutMs: config.inspect.timeoutMs,
      maxQueue: config.inspect.maxQueue,
      maxMemoryMb: config.render.threadMaxMemoryMb,
      nice: config.inspect.threadNice,
      entry,
    });
    return { kind: 'pool', scan: pool.scan, close: () => pool.close() };
  }
  return { kind: 'in-process', scan: inProcessScanner, close: async () => {} };
}
