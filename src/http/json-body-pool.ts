import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DeadlinePool, ownsWholeBuffer, type PoolTask } from '../threads/deadline-pool.js';
import { type JsonBodyFailure, type JsonBodyReader, UnreadableJsonBody } from './json-body.middleware.js';
import { adoptSideTables, type SideTables } from './python-json.js';

/**
 * Large JSON bodies parsed in worker threads (DeadlinePool): decoding and Python-semantics
 * parsing cost about 100 ms per MB, which on the event loop would stall every other tenant's
 * requests for as long. What comes back is the parsed value with its side tables (Python's
 * number forms and key order), structured-cloned: the thread refuses bodies over the value
 * budget first, so the clone (and everything after it on the loop) stays small.
 */

export interface JsonParseRequest extends PoolTask {
  bytes: Uint8Array;
  maxValues: number;
  /** The bytes' buffer was transferred: the thread moves it back with its answer. */
  moved: boolean;
}

export type JsonParseResponse = { bytes?: Uint8Array } & ({ kind: 'ok'; value: unknown; tables: SideTables } | { kind: 'unreadable'; failure: JsonBodyFailure });

export const DEFAULT_JSON_ENTRY = new URL('./json-worker.js', import.meta.url);

export interface JsonBodyPoolOptions {
  size: number;
  timeoutMs: number;
  maxQueue: number;
  maxMemoryMb?: number;
  /** Nice value of the parsing threads (threads/priority.ts). */
  nice?: number;
  maxValues: number;
  entry?: URL;
}

export class JsonBodyPool {
  private readonly pool: DeadlinePool;

  constructor(private readonly options: JsonBodyPoolOptions) {
    this.pool = new DeadlinePool({ ...options, entry: options.entry ?? DEFAULT_JSON_ENTRY });
  }

  readonly read: JsonBodyReader = async (bytes) => {
    const movable = ownsWholeBuffer(bytes);
    const res = await this.pool.run<JsonParseResponse, Omit<JsonParseRequest, 'id'>>({ bytes, maxValues: this.options.maxValues, moved: movable }, movable ? [bytes.buffer] : []);
    if (!res.ok) {
      // Raised by the body's pipe like any unreadable body, so only operations that read one answer it.
      if (res.reason === 'busy') {
        return { body: new UnreadableJsonBody({ kind: 'busy', detail: `Too many large request bodies are being read (${this.pool.maxQueue} waiting); retry shortly` }), bytes };
      }
      const detail =
        res.reason === 'timeout' ? `Request body too complex: it could not be read within ${this.pool.timeoutMs} ms` : 'Request body too complex: it could not be read';
      return { body: new UnreadableJsonBody({ kind: 'too_complex', detail }), bytes: movable ? Buffer.alloc(0) : bytes };
    }
    const r = res.value;
    const back = r.bytes ? Buffer.from(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength) : bytes;
    if (r.kind === 'unreadable') return { body: new UnreadableJsonBody(r.failure), bytes: back };
    adoptSideTables(r.tables);
    return { body: r.value, bytes: back };
  };

  close(): Promise<void> {
    return this.pool.close();
  }
}

/**
 * A pool when the compiled thread entry exists (every built process); from TypeScript sources
 * (in-process test apps) there is none and bodies are parsed on the loop, as before.
 */
export function createJsonBodyPool(options: JsonBodyPoolOptions): JsonBodyPool | undefined {
  const entry = options.entry ?? DEFAULT_JSON_ENTRY;
  return existsSync(fileURLToPath(entry)) ? new JsonBodyPool({ ...options, entry }) : undefined;
}
