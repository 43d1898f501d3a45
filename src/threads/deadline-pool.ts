import { parentPort, workerData } from 'node:worker_threads';
import { move, Piscina, transferableSymbol, valueSymbol } from 'piscina';
import { lowerThisThreadPriority } from './priority.js';

/**
 * Worker threads for CPU-bound work on request input (upload inspection, large JSON bodies), so
 * that it never holds the API's event loop while other organisations' requests wait. The code a
 * thread runs may meet hostile input whose cost we do not fully control: each task has a
 * deadline past which its thread is terminated and replaced, the number waiting is bounded, and
 * each thread has a heap limit. A task's outcome is data: busy, timed out and crashed are
 * answers the caller turns into its own 4xx/503, never exceptions of the request.
 */

export interface DeadlinePoolOptions {
  size: number;
  /** Counted from when the thread starts the task (announceTaskStart); past it the thread is terminated. 0 = none. */
  timeoutMs: number;
  /** Tasks that may wait for a thread; more are refused ('busy') at once. */
  maxQueue: number;
  maxMemoryMb?: number;
  /** The thread entry: a module whose default export handles one task. */
  entry: URL;
  /** Nice value of the pool's threads (priority.ts), so the event loop's thread wins the CPU; 0 = unchanged. */
  nice?: number;
}

/** Every task carries the id its thread announces when it begins. */
export interface PoolTask {
  id: number;
}

/** Posted by the thread when it begins a task: the deadline starts then, not while it queued. */
export interface TaskStarted {
  type: 'task-started';
  id: number;
}

export type PoolOutcome<T> = { ok: true; value: T } | { ok: false; reason: 'busy' | 'timeout' | 'crashed'; message: string };

let reniced = false;

/**
 * Thread side, first thing in every task: tell the pool the task began, so its deadline does not
 * count queueing or start-up (and, on a thread's first task, take the pool's priority).
 */
export function announceTaskStart(task: PoolTask): void {
  if (!reniced) {
    reniced = true;
    lowerThisThreadPriority(Number((workerData as { nice?: unknown } | null)?.nice ?? 0));
  }
  parentPort?.postMessage({ type: 'task-started', id: task.id } satisfies TaskStarted);
}

/**
 * Wraps a value so that the listed buffers are transferred, not copied: a structured clone of
 * megabytes is work on the sending thread's event loop (on the API side, the one we protect).
 */
export function transferring<T>(value: T, buffers: readonly ArrayBufferLike[]): T {
  if (buffers.length === 0) return value;
  return move({ [transferableSymbol]: buffers, [valueSymbol]: value } as never) as T;
}

interface Job {
  controller: AbortController;
  timer?: NodeJS.Timeout;
  started: boolean;
  timedOut: boolean;
}

export class DeadlinePool {
  private readonly piscina: Piscina;
  private readonly jobs = new Map<number, Job>();
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: DeadlinePoolOptions) {
    this.piscina = new Piscina({
      filename: options.entry.href,
      minThreads: options.size,
      maxThreads: options.size,
      idleTimeout: Infinity,
      workerData: { nice: options.nice ?? 0 },
      ...(options.maxMemoryMb ? { resourceLimits: { maxOldGenerationSizeMb: options.maxMemoryMb } } : {}),
    });
    this.piscina.on('message', (msg: TaskStarted) => {
      if (msg?.type === 'task-started') this.started(msg.id);
    });
    // A thread that cannot even load its entry: piscina stops replacing threads, so fail the waiting.
    this.piscina.on('error', () => {
      for (const job of this.jobs.values()) if (!job.started) job.controller.abort();
    });
  }

  /** Tasks admitted and not finished. */
  get pending(): number {
    return this.jobs.size;
  }

  get timeoutMs(): number {
    return this.options.timeoutMs;
  }

  get maxQueue(): number {
    return this.options.maxQueue;
  }

  /** Runs `payload` (plus its id) in a thread; `transfer` lists buffers of the payload to move there. */
  async run<T, P extends object>(payload: P, transfer: readonly ArrayBufferLike[] = []): Promise<PoolOutcome<T>> {
    if (this.closed) throw new Error('DeadlinePool is closed');
    // Bounded here: piscina does not count tasks that carry an AbortSignal against its maxQueue.
    if (this.jobs.size >= this.options.size + this.options.maxQueue) {
      return { ok: false, reason: 'busy', message: `${this.options.maxQueue} tasks are waiting` };
    }
    const id = this.nextId++;
    const job: Job = { controller: new AbortController(), started: false, timedOut: false };
    this.jobs.set(id, job);
    try {
      const task = transferring({ ...payload, id }, transfer);
      return { ok: true, value: (await this.piscina.run(task, { signal: job.controller.signal })) as T };
    } catch (e) {
      if (this.closed) throw new Error('DeadlinePool is closed');
      if (job.timedOut) return { ok: false, reason: 'timeout', message: `not finished within ${this.options.timeoutMs} ms` };
      // Handlers report refusals as data, so a throw is the thread dying on this input (out of
      // memory in a parser, for one).
      return { ok: false, reason: 'crashed', message: e instanceof Error ? e.message : String(e) };
    } finally {
      if (job.timer) clearTimeout(job.timer);
      this.jobs.delete(id);
    }
  }

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

/** Buffers their allocator declared nobody else views (markMovable). */
const movable = new WeakSet<ArrayBufferLike>();

/**
 * Declares that no other view of `buffer` exists or will be used, so a view of part of it can
 * still be moved to a thread (the whole buffer goes). For allocators that size a buffer ahead
 * of the bytes, such as an upload's (assets/contiguous-storage.ts).
 */
export function markMovable(buffer: ArrayBufferLike): void {
  if (!(buffer instanceof SharedArrayBuffer)) movable.add(buffer);
}

/**
 * Whether a view's buffer is its alone (the whole, non-shared buffer, or one marked movable),
 * so that it can be moved instead of copied.
 */
export function ownsWholeBuffer(bytes: Uint8Array): boolean {
  if (bytes.buffer instanceof SharedArrayBuffer) return false;
  return (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) || movable.has(bytes.buffer);
}
