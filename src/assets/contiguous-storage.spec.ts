import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { ownsWholeBuffer } from '../threads/deadline-pool.js';
import { contiguousStorage } from './contiguous-storage.js';

type Result = { error: Error | null; info?: { buffer: Buffer; size: number } };

/** Feeds `parts` through the engine as multer would: the file's stream, then its end (or an error). */
function handle(maxBytes: number, parts: Buffer[], headers: Record<string, string> = {}, fail?: Error): Promise<Result> {
  const stream = new PassThrough();
  const done = new Promise<Result>((resolve) => {
    contiguousStorage(maxBytes)._handleFile({ headers } as unknown as IncomingMessage, { stream }, (error, info) => resolve({ error, info }));
  });
  for (const p of parts) stream.write(p);
  if (fail) stream.destroy(fail);
  else stream.end();
  return done;
}

describe('contiguousStorage (multer storage engine)', () => {
  it('hands multer the file as one movable buffer with its size', async () => {
    const parts = [Buffer.alloc(65_536, 1), Buffer.alloc(65_536, 2), Buffer.from('end')];
    const { error, info } = await handle(1 << 20, parts, { 'content-length': '140000' });
    expect(error).toBeNull();
    expect(info?.size).toBe(131_075);
    expect(info?.buffer.equals(Buffer.concat(parts))).toBe(true);
    expect(ownsWholeBuffer(info!.buffer)).toBe(true);
  });

  it('answers more than the limit with multer\'s "File too large" (our 413), and a stream error as it is', async () => {
    const over = await handle(10, [Buffer.alloc(8), Buffer.alloc(8)]);
    expect(over.error?.message).toBe('File too large');
    const broken = await handle(1 << 20, [Buffer.alloc(8)], {}, new Error('client went away'));
    expect(broken.error?.message).toBe('client went away');
  });

  it('removes the file by dropping its buffer', async () => {
    const file = { stream: new PassThrough(), buffer: Buffer.alloc(1) };
    await new Promise<void>((resolve) => contiguousStorage(1)._removeFile({} as IncomingMessage, file, () => resolve()));
    expect(file.buffer).toBeUndefined();
  });
});
