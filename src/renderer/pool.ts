import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Modification, TemplateDocument } from './document.js';
import { RenderError, type RenderErrorCode, type RenderOptions, type RenderResult, type ResolvedAssets } from './types.js';

/**
 * Runs renderImage in worker threads so the caller's event loop stays free (drawing and text
 * layout are synchronous on the JS thread that runs them).
 *
 * The thread entry defaults to the compiled `pool-worker.js` next to this file, which is what
 * `dist/` runs. Under Jest the sources are .ts that a plain thread cannot load, so tests pass
 * `entry` explicitly, pointing at a small .mjs shim that installs a TypeScript loader first
 * (see pool.spec.ts). There is deliberately no in-process fallback: the pool always uses threads.
 */

export interface RenderPoolOptions {
  /** Threads; default os.availableParallelism(). */
  size?: number;
  /** Thread entry module; default ./pool-worker.js beside this module. */
  entry?: URL;
  /** Per-render budget; the thread is terminated and replaced when exceeded. 0 = none. Default 60 s. */
  timeoutMs?: number;
  /** Extra font directories for ensureFonts() in each thread. */
  fontDirs?: string[];
}

/** What crosses into a thread. Buffers arrive as Uint8Arrays (structured clone). */
export interface PoolRequest {
  id: number;
  doc: TemplateDocument;
  modifications: Modification[];
  assets: ResolvedAssets;
  options: RenderOptions;
}

export type PoolResponse =
  | { type: 'ready' }
  | { type: 'result'; id: number; ok: true; buffer: Uint8Array; thumbnail: Uint8Array; report: RenderResult['report'] }
  | {
      type: 'result';
      id: number;
      ok: false;
      error: { name: string; message: string; code?: RenderErrorCode; layer?: string };
    };

interface Job {
  request: PoolRequest;
  resolve: (r: RenderResult) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  /** The thread finished loading; the time budget of a job starts only then. */
  ready: boolean;
  job?: Job;
  timer?: NodeJS.Timeout;
}

export class RenderPool {
  readonly size: number;
  private readonly entry: URL;
  private readonly timeoutMs: number;
  private readonly fontDirs: string[];
  private readonly slots = new Set<Slot>();
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;

  constructor(options: RenderPoolOptions = {}) {
    this.size = Math.max(1, Math.floor(options.size ?? availableParallelism()));
    this.entry = options.entry ?? new URL('./pool-worker.js', import.meta.url);
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.fontDirs = options.fontDirs ?? [];
  }

  /** Jobs waiting for a free thread. */
  get queued(): number {
    return this.queue.length;
  }

  render(
    doc: TemplateDocument,
    modifications: Modification[],
    assets: ResolvedAssets,
    options: RenderOptions,
  ): Promise<RenderResult> {
    if (this.closed) return Promise.reject(new Error('RenderPool is closed'));
    return new Promise<RenderResult>((resolve, reject) => {
      this.queue.push({ request: { id: this.nextId++, doc, modifications, assets, options }, resolve, reject });
      this.dispatch();
    });
  }

  /** Rejects queued jobs and stops every thread (running jobs reject as crashed). */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new Error('RenderPool is closed'));
    await Promise.all([...this.slots].map((s) => s.worker.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let slot = [...this.slots].find((s) => !s.job);
      if (!slot) {
        if (this.slots.size >= this.size) return;
        try {
          slot = this.spawn();
        } catch (e) {
          this.queue.shift()!.reject(e instanceof Error ? e : new Error(String(e)));
          continue;
        }
      }
      const job = this.queue.shift()!;
      slot.job = job;
      slot.worker.ref();
      this.startTimer(slot);
      try {
        slot.worker.postMessage(job.request);
      } catch (e) {
        // Not cloneable (a function or similar in the input): the job fails, the thread is fine.
        this.settle(slot);
        job.reject(e instanceof Error ? e : new Error(String(e)));
      }
    }
  }

  private spawn(): Slot {
    const worker = new Worker(this.entry, { workerData: { fontDirs: this.fontDirs } });
    const slot: Slot = { worker, ready: false };
    worker.on('message', (msg: PoolResponse) => {
      if (msg.type === 'ready') {
        slot.ready = true;
        this.startTimer(slot);
        return;
      }
      const job = slot.job;
      if (!job || job.request.id !== msg.id) return;
      this.settle(slot);
      if (msg.ok) {
        job.resolve({ buffer: toBuffer(msg.buffer), thumbnail: toBuffer(msg.thumbnail), report: msg.report });
      } else {
        job.reject(fromWire(msg.error));
      }
      this.dispatch();
    });
    worker.on('error', (err) => this.retire(slot, 'render_crashed', `render thread crashed: ${err.message}`));
    worker.on('exit', (code) => {
      if (this.slots.has(slot)) this.retire(slot, 'render_crashed', `render thread exited with code ${code}`);
    });
    worker.unref();
    this.slots.add(slot);
    return slot;
  }

  private startTimer(slot: Slot): void {
    if (this.timeoutMs <= 0 || !slot.ready || !slot.job || slot.timer) return;
    slot.timer = setTimeout(
      () => this.retire(slot, 'render_timeout', `render exceeded ${this.timeoutMs} ms`),
      this.timeoutMs,
    );
  }

  private settle(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = undefined;
    slot.job = undefined;
    slot.worker.unref();
  }

  /**
   * Takes the thread out of the pool at once (so dispatch never hands it another job), rejects
   * its job, and lets dispatch start a replacement if work is waiting.
   */
  private retire(slot: Slot, code: RenderErrorCode, message: string): void {
    const job = slot.job;
    this.settle(slot);
    this.slots.delete(slot);
    if (code === 'render_timeout') void slot.worker.terminate();
    if (job) job.reject(new RenderError(code, message));
    if (!this.closed) this.dispatch();
  }
}

function toBuffer(u8: Uint8Array): Buffer {
  return Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
}

function fromWire(e: { name: string; message: string; code?: RenderErrorCode; layer?: string }): Error {
  if (e.name === 'RenderError' && e.code) return new RenderError(e.code, e.message, e.layer);
  const err = new Error(e.message);
  err.name = e.name;
  return err;
}
