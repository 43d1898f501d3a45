import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { Modification, TemplateDocument } from './document.js';
import { modifyDocument, type RenderDocument } from './merge.js';
import { RenderError, type RenderErrorCode, type RenderOptions, type RenderResult, type ResolvedAssets } from './types.js';

/**
 * Runs renders in worker threads (piscina) so the caller's event loop stays free (drawing and
 * text layout are synchronous on the JS thread that runs them).
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
  /**
   * Per-render deadline, counted from when the thread starts the render (not while it waits or
   * the thread boots). Past it the thread is terminated and replaced. 0 = none. Default 60 s.
   */
  timeoutMs?: number;
  /** Renders that may wait for a thread; more are refused with render_busy. Default unbounded. */
  maxQueue?: number;
  /** V8 old-generation limit per thread (resourceLimits.maxOldGenerationSizeMb); default V8's. */
  maxMemoryMb?: number;
  /** Extra font directories for ensureFonts() in each thread. */
  fontDirs?: string[];
  /** Uploaded fonts registered at once per thread, least recently used evicted (RENDER_FONT_CACHE_MAX). */
  fontCacheMax?: number;
  /**
   * Nice value of the threads (Linux schedules threads one by one): in a process that also serves
   * requests, its event loop's thread then gets the CPU before renders. Default 0 (unchanged).
   */
  nice?: number;
}

/** What crosses into a thread. Buffers arrive as Uint8Arrays (structured clone). */
export interface PoolRequest {
  id: number;
  doc: RenderDocument;
  assets: ResolvedAssets;
  options: RenderOptions;
}

export type PoolResponse =
  | { ok: true; buffer: Uint8Array; thumbnail: Uint8Array; report: RenderResult['report'] }
  | { ok: false; error: { name: string; message: string; code?: RenderErrorCode; layer?: string } };

/** Posted by the thread on its parentPort when it begins a render: the deadline starts then. */
export interface PoolStarted {
  type: 'render-started';
  id: number;
}

export const DEFAULT_POOL_ENTRY = new URL('./pool-worker.js', import.meta.url);

interface Job {
  controller: AbortController;
  timer?: NodeJS.Timeout;
  started: boolean;
  /** Why the pool aborted the job, when it did. */
  abortedWith?: Error;
}

export class RenderPool {
  readonly size: number;
  private readonly timeoutMs: number;
  private readonly maxQueue: number;
  private readonly piscina: Piscina;
  private readonly jobs = new Map<number, Job>();
  private nextId = 1;
  private closed = false;

  constructor(options: RenderPoolOptions = {}) {
    this.size = Math.max(1, Math.floor(options.size ?? availableParallelism()));
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.maxQueue = options.maxQueue ?? Infinity;
    this.piscina = new Piscina({
      filename: (options.entry ?? DEFAULT_POOL_ENTRY).href,
      minThreads: this.size,
      maxThreads: this.size,
      idleTimeout: Infinity,
      workerData: { fontDirs: options.fontDirs ?? [], fontCacheMax: options.fontCacheMax, nice: options.nice ?? 0 },
      ...(options.maxMemoryMb ? { resourceLimits: { maxOldGenerationSizeMb: options.maxMemoryMb } } : {}),
    });
    this.piscina.on('message', (msg: PoolStarted) => {
      if (msg?.type === 'render-started') this.started(msg.id);
    });
    // Emitted when a thread dies with no render on it, i.e. it could not even load its entry.
    // piscina then stops replacing threads, so renders that wait would wait forever: fail them.
    this.piscina.on('error', (err: Error) => {
      for (const job of this.jobs.values()) {
        if (!job.started) this.abort(job, new RenderError('render_crashed', `render thread crashed: ${err.message}`));
      }
    });
  }

  /** Renders admitted and not finished (running or waiting for a thread). */
  get pending(): number {
    return this.jobs.size;
  }

  /** Applies the modifications, then renders in a thread. */
  render(doc: TemplateDocument, modifications: Modification[], assets: ResolvedAssets, options: RenderOptions): Promise<RenderResult> {
    return this.renderDocument(modifyDocument(doc, modifications), assets, options);
  }

  /** Renders a document whose modifications are already applied (modifyDocument). */
  async renderDocument(doc: RenderDocument, assets: ResolvedAssets, options: RenderOptions): Promise<RenderResult> {
    if (this.closed) throw new Error('RenderPool is closed');
    // Bounded here, not by piscina's maxQueue: piscina keeps tasks that carry an AbortSignal
    // (all of ours) outside the queue its maxQueue counts.
    if (this.jobs.size >= this.size + this.maxQueue) {
      throw new RenderError('render_busy', `render queue is full (${this.maxQueue} waiting for ${this.size} threads)`);
    }
    const id = this.nextId++;
    const job: Job = { controller: new AbortController(), started: false };
    this.jobs.set(id, job);
    let res: PoolResponse;
    try {
      const request: PoolRequest = { id, doc, assets, options };
      res = (await this.piscina.run(request, { signal: job.controller.signal })) as PoolResponse;
    } catch (e) {
      // The handler reports render failures as data, so anything thrown here is the pool's.
      if (job.abortedWith) throw job.abortedWith;
      if (this.closed) throw new Error('RenderPool is closed');
      throw poolFailure(e);
    } finally {
      if (job.timer) clearTimeout(job.timer);
      this.jobs.delete(id);
    }
    if (res.ok) return { buffer: toBuffer(res.buffer), thumbnail: toBuffer(res.thumbnail), report: res.report };
    throw fromWire(res.error);
  }

  /** Refuses new work, rejects waiting and running renders, and stops every thread. */
  async close(): Promise<void> {
    this.closed = true;
    await this.piscina.destroy();
  }

  private started(id: number): void {
    const job = this.jobs.get(id);
    if (!job || job.started) return;
    job.started = true;
    if (this.timeoutMs > 0) {
      job.timer = setTimeout(
        () => this.abort(job, new RenderError('render_timeout', `render exceeded ${this.timeoutMs} ms and its thread was stopped`)),
        this.timeoutMs,
      );
    }
  }

  /** piscina cancels a waiting render, or terminates (and replaces) the thread running it. */
  private abort(job: Job, reason: Error): void {
    if (job.abortedWith) return;
    job.abortedWith = reason;
    job.controller.abort(reason);
  }
}

function poolFailure(e: unknown): RenderError {
  const message = e instanceof Error ? e.message : String(e);
  if ((e as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return new RenderError('render_crashed', `render thread ran out of memory: ${message}`);
  }
  return new RenderError('render_crashed', `render thread crashed: ${message}`);
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
