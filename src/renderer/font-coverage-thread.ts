import { readFileSync } from 'node:fs';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { Coverage, fontCoverage } from './font-file.js';

/**
 * Glyph coverage of fonts, computed by fontkit in a short-lived thread of its own.
 *
 * Why not in the calling thread: loading fontkit into a render thread's V8 heap (about 3 MB of
 * code and tables) put that heap in a size band where V8 ran a full mark-compact every few
 * renders; the demo PNG card cost 7% more CPU per render for it, the same whether or not a
 * font was ever parsed. Coverage is needed once per font file per thread (the callers cache
 * it), so the parse runs in a thread that exits afterwards and the drawing heap never holds
 * the parser. The caller waits synchronously (Atomics.wait), as it did for the in-thread parse.
 *
 * Under Jest this module is TypeScript that a plain thread cannot load; then, and if the
 * thread fails in any way, the parse runs in the calling thread (same parser, same answer).
 */

export type CoverageSource = { path: string } | { bytes: Uint8Array };

/** Generous: the whole system font scan (about 300 files) takes under 2 s on 2 cores. */
const THREAD_TIMEOUT_MS = 30_000;

const WORKER_URL = new URL('./font-coverage-worker.js', import.meta.url);
const OFF_THREAD = import.meta.url.endsWith('.js');

export interface CoverageRequest {
  sources: CoverageSource[];
}

/** Ranges per source (see Coverage.ranges), null where the source is no readable font. */
export type CoverageReply = (Uint32Array | null)[];

export function coverageOf(sources: CoverageSource[]): (Coverage | null)[] {
  if (sources.length === 0) return [];
  const reply = OFF_THREAD ? inThread(sources) : null;
  if (reply && reply.length === sources.length) return reply.map((r) => (r ? new Coverage(r) : null));
  return sources.map((s) => computeHere(s));
}

export function computeHere(source: CoverageSource): Coverage | null {
  try {
    return fontCoverage('bytes' in source ? Buffer.from(source.bytes) : readFileSync(source.path));
  } catch {
    return null;
  }
}

function inThread(sources: CoverageSource[]): CoverageReply | null {
  const done = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  let worker: Worker | undefined;
  try {
    worker = new Worker(WORKER_URL, {
      workerData: { port: port2, done, request: { sources } satisfies CoverageRequest },
      transferList: [port2],
      // Not the parent's flags: they may not apply to a thread (--input-type, for one).
      execArgv: [],
      stdout: false,
      stderr: false,
    });
    // Without a listener a failing thread would be an uncaught error in the caller.
    worker.on('error', () => undefined);
    if (Atomics.wait(done, 0, 0, THREAD_TIMEOUT_MS) === 'timed-out') return null;
    const msg = receiveMessageOnPort(port1)?.message as { ok?: boolean; reply?: unknown } | undefined;
    return msg?.ok && Array.isArray(msg.reply) ? (msg.reply as CoverageReply) : null;
  } catch {
    return null;
  } finally {
    port1.close();
    void worker?.terminate();
  }
}
