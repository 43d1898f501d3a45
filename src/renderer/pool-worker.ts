import { parentPort, workerData } from 'node:worker_threads';
import { ensureFonts } from './fonts.js';
import type { PoolRequest, PoolResponse } from './pool.js';
import { renderImage } from './render.js';
import { RenderError, type ResolvedAssets } from './types.js';

/** Thread entry of RenderPool: one render at a time, results transferred back without copies. */

const port = parentPort;
if (!port) throw new Error('pool-worker must run in a worker thread');
ensureFonts({ dirs: Array.isArray(workerData?.fontDirs) ? workerData.fontDirs : [] });

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

port.on('message', async (req: PoolRequest) => {
  let res: PoolResponse;
  let transfer: ArrayBuffer[] = [];
  try {
    const assets: ResolvedAssets = { images: asBuffers(req.assets?.images), fonts: asBuffers(req.assets?.fonts) };
    const r = await renderImage(req.doc, req.modifications, assets, req.options);
    const buffer = owned(r.buffer);
    const thumbnail = owned(r.thumbnail);
    transfer = [buffer.buffer as ArrayBuffer, thumbnail.buffer as ArrayBuffer];
    res = { type: 'result', id: req.id, ok: true, buffer, thumbnail, report: r.report };
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    res = {
      type: 'result',
      id: req.id,
      ok: false,
      error:
        err instanceof RenderError
          ? { name: err.name, message: err.message, code: err.code, layer: err.layer }
          : { name: err.name, message: err.message },
    };
  }
  port.postMessage(res, transfer);
});

port.postMessage({ type: 'ready' } satisfies PoolResponse);
