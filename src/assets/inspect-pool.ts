import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isSharedArrayBuffer } from 'node:util/types';
import { move, Piscina, transferableSymbol, valueSymbol } from 'piscina';
import type { AppConfig } from '../config/config.js';
import { inProcessScanner, type ScanOutcome, type UploadScanner } from './upload-scan.js';

/**
 * Upload inspection (scanUpload: sniffing, fontkit, the SVG check) in worker threads, so that a
 * 20 MB SVG or a crafted font never holds the API's event loop while other organisations'
 * requests wait. The scanners are linear, but fontkit is a third-party parser whose cost on
 * hostile input we do not control: each scan has a deadline past which its thread is
 * terminated and replaced, the number waiting is bounded, and each thread has a heap limit.
 */

export interface InspectPoolOptions {
  size: number;
  /** Counted from when the thread starts the scan; past it the thread is terminated. 0 = none. */
  timeoutMs: number;
  /** Scans that may wait for a thread; more are answered 503 at once. */
  maxQueue: number;
  maxMemoryMb?: number;
  /** Thread entry; default ./inspect-worker.js beside this module (what dist/ runs). */
  entry?: URL;
}

/** What crosses into a thread. */
export interface InspectRequest {
  id: number;
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

/** Posted by the thread when it begins a scan: the deadline starts then. */
export interface InspectStarted {
  type: 'inspect-started';
  id: number;
}

export const DEFAULT_INSPECT_ENTRY = new URL('./inspect-worker.js', import.meta.url);

interface Job {
  controller: AbortController;
  timer?: NodeJS.Timeout;
  started: boolean;
  timedOut: boolean;
}

export class InspectPool {
  private readonly piscina: Piscina;
  private readonly jobs = new Map<number, Job>();
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: InspectPoolOptions) {
    this.piscina = new Piscina({
      filename: (options.entry ?? DEFAULT_INSPECT_ENTRY).href,
      minThreads: options.size,
      maxThreads: options.size,
      idleTimeout: Infinity,
      ...(options.maxMemoryMb ? { resourceLimits: { maxOldGenerationSizeMb: options.maxMemoryMb } } : {}),
    });
    this.piscina.on('message', (msg: InspectStarted) => {
      if (msg?.type === 'inspect-started') this.started(msg.id);
    });
    // A thread that cannot even load its entry: piscina stops replacing threads, so fail the waiting.
    this.piscina.on('error', () => {
      for (const job of this.jobs.values()) if (!job.started) job.controller.abort();
    });
  }

  /** Scans admitted and not finished. */
  get pending(): number {
    return this.jobs.size;
  }

  readonly scan: UploadScanner = async (bytes, filename) => {
    if (this.closed) throw new Error('InspectPool is closed');
    // Bounded here: piscina does not count tasks that carry an AbortSignal against its maxQueue.
    if (this.jobs.size >= this.options.size + this.options.maxQueue) {
      return { outcome: busy(this.options.maxQueue), bytes };
    }
    const id = this.nextId++;
    const job: Job = { controller: new AbortController(), started: false, timedOut: false };
    this.jobs.set(id, job);
    // Structured clone would copy up to 20 MB on the event loop; a buffer that is the Buffer's
    // alone (multer's are: Buffer.concat of a large body) is transferred instead.
    const movable = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && !isSharedArrayBuffer(bytes.buffer) && bytes.byteLength > 4096;
    try {
      const request: InspectRequest = { id, bytes, filename, moved: movable };
      const task = movable ? move({ [transferableSymbol]: [bytes.buffer], [valueSymbol]: request } as never) : request;
      const res = (await this.piscina.run(task, { signal: job.controller.signal })) as InspectResponse;
      const back = res.bytes ? Buffer.from(res.bytes.buffer, res.bytes.byteOffset, res.bytes.byteLength) : bytes;
      return { outcome: res.outcome, bytes: back };
    } catch (e) {
      if (this.closed) throw new Error('InspectPool is closed');
      // The bytes went down with the thread; the upload is refused, so nobody needs them.
      const lost = Buffer.alloc(0);
      if (job.timedOut) {
        return { outcome: { ok: false, status: 400, code: 'upload_too_complex', message: `The file could not be inspected within ${this.options.timeoutMs} ms` }, bytes: movable ? lost : bytes };
      }
      // scanUpload reports every refusal as data, so a throw is the thread dying on this file
      // (out of memory in the font parser, for one): the file is refused, not our 500.
      const message = `The file could not be inspected: ${e instanceof Error ? e.message : String(e)}`;
      return { outcome: { ok: false, status: 400, code: 'upload_too_complex', message }, bytes: movable ? lost : bytes };
    } finally {
      if (job.timer) clearTimeout(job.timer);
      this.jobs.delete(id);
    }
  };

  async close(): Promise<void> {
    this.closed = true;
    await this.piscina.destroy();
  }

  private started(id: number): void {
    const job = this.jobs.get(id);
    if (!job || job.started) return;
    job.started = true;
    if (this.options.timeoutMs > 0) {
      job.timer = setTimeout(() => {
        job.timedOut = true;
        // piscina terminates (and replaces) the thread running an aborted task.
        job.controller.abort();
      }, this.options.timeoutMs);
    }
  }
}

function busy(maxQueue: number): ScanOutcome {
  return { ok: false, status: 503, code: 'inspection_busy', message: `Too many uploads are being inspected (${maxQueue} waiting); retry shortly` };
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
      entry,
    });
    return { kind: 'pool', scan: pool.scan, close: () => pool.close() };
  }
  return { kind: 'in-process', scan: inProcessScanner, close: async () => {} };
}
