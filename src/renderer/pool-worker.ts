import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { configureFonts, ensureFonts } from './fonts.js';
import type { PoolRequest, PoolResponse, PoolStarted } from './pool.js';
import { renderDocument } from './render.js';
import { RenderError, type ResolvedAssets } from './types.js';

/** Thread entry of RenderPool (a piscina task handler): one render at a time, results transferred back without copies. */

ensureFonts({ dirs: Array.isArray(workerData?.fontDirs) ? workerData.fontDirs : [] });
if (typeof workerData?.fontCacheMax === 'number') configureFonts({ cacheMax: workerData.fontCacheMax });
if (typeof workerData?.nice === 'number' && workerData.nice > 0) {
  try {
    // This thread's kernel id is the last part of /proc/thread-self ("<pid>/task/<tid>").
    setPriority(Number(readlinkSync('/proc/thread-self').split('/').pop()), workerData.nice);
  } catch {
    // Not Linux, or not permitted: renders keep the process's priority.
  }
}

/** Structured clone turns Buffers into plain Uint8Arrays; sharp and our code want Buffers. */
function asBuffers(map: unknown): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  if (!(map instanceof Map)) return out;
  for (const [k, v] of map) {
    if (v instanceof Uint8Array) out.set(String(k), Buffer.from(v.buffer, v.byteOffset, v.byteLength));
  }
  return out;
}

/** A fresh ArrayBuffer we own, so it can be transferred (sharp's buffers may be external memory). */
function owned(buf: Buffer): Uint8Array {
  return new Uint8Array(buf);
}

/** Tells the pool the render began, so its deadline does not count queueing or thread start-up. */
export function announceStart(req: PoolRequest): void {
  parentPort?.postMessage({ type: 'render-started', id: req?.id } satisfies PoolStarted);
}

export default async function render(req: PoolRequest): Promise<unknown> {
  announceStart(req);
  try {
    const families = req.assets?.families instanceof Map ? req.assets.families : undefined;
    const assets: ResolvedAssets = { images: asBuffers(req.assets?.images), fonts: asBuffers(req.assets?.fonts), ...(families ? { families } : {}) };
    const r = await renderDocument(req.doc, assets, req.options);
    const buffer = owned(r.buffer);
    const thumbnail = owned(r.thumbnail);
    const res: PoolResponse = { ok: true, buffer, thumbnail, report: r.report };
    return move({ [transferableSymbol]: [buffer.buffer, thumbnail.buffer], [valueSymbol]: res } as never);
  } catch (e) {
    // Errors are sent as data: a thrown RenderError would lose its code and layer in the clone.
    const err = e instanceof Error ? e : new Error(String(e));
    const res: PoolResponse = {
      ok: false,
      error:
        err instanceof RenderError
          ? { name: err.name, message: err.message, code: err.code, layer: err.layer }
          : { name: err.name, message: err.message },
    };
    return res;
  }
}
