import { describe, expect, it } from '@jest/globals';
import { BodyBuffer } from './body-buffer.js';
import { ownsWholeBuffer } from './deadline-pool.js';

const chunks = (sizes: number[]): Buffer[] => sizes.map((n, i) => Buffer.alloc(n, 65 + i));

describe('BodyBuffer', () => {
  it('gathers the chunks into one buffer sized from the declared length, copying each as it arrives', () => {
    const parts = chunks([3, 70_000, 5]);
    const body = new BodyBuffer(1 << 20, String(3 + 70_000 + 5 + 100));
    for (const p of parts) expect(body.append(p)).toBe(true);
    // The chunks were copied: reusing their memory afterwards changes nothing.
    const expected = Buffer.concat(parts);
    for (const p of parts) p.fill(0);
    const bytes = body.take();
    expect(body.size).toBe(expected.length);
    expect(bytes.equals(expected)).toBe(true);
    // A view of part of its buffer (the declared length overstated the body), and still movable.
    expect(bytes.buffer.byteLength).toBe(expected.length + 100);
    expect(ownsWholeBuffer(bytes)).toBe(true);
  });

  it('holds at most 1 MiB until the body fills it, then grows straight to the declared length (and past it by doubling)', () => {
    const MiB = 1024 * 1024;
    const body = new BodyBuffer(20 * MiB, String(5 * MiB));
    expect(body.append(Buffer.alloc(10, 1))).toBe(true);
    const sizes = [body.capacity];
    body.append(Buffer.alloc(MiB, 2));
    sizes.push(body.capacity);
    body.append(Buffer.alloc(4 * MiB, 3));
    sizes.push(body.capacity);
    expect(sizes).toEqual([MiB, 5 * MiB, 10 * MiB]);
    const bytes = body.take();
    expect([bytes.length, bytes[0], bytes[10], bytes[MiB + 10]]).toEqual([5 * MiB + 10, 1, 2, 3]);
  });

  it('grows without a declared length, and with a length it cannot parse', () => {
    for (const declared of [undefined, 'abc', '-5', '1e400']) {
      const parts = chunks([200_000, 200_000, 300_000]);
      const body = new BodyBuffer(1 << 20, declared);
      for (const p of parts) expect(body.append(p)).toBe(true);
      expect(body.take().equals(Buffer.concat(parts))).toBe(true);
    }
  });

  it('refuses a chunk that would go past its cap and keeps what it had; a declared length is capped', () => {
    const body = new BodyBuffer(10, '1000000000');
    expect(body.append(Buffer.from('12345678'))).toBe(true);
    expect(body.append(Buffer.from('abc'))).toBe(false);
    expect(body.append(Buffer.from('90'))).toBe(true);
    const bytes = body.take();
    expect(bytes.toString()).toBe('1234567890');
    expect(bytes.buffer.byteLength).toBe(10);
  });

  it('never marks a buffer others can see: an ordinary view of part of a buffer stays unmovable', () => {
    const shared = Buffer.alloc(100);
    expect(ownsWholeBuffer(shared.subarray(0, 10))).toBe(false);
    expect(ownsWholeBuffer(new Uint8Array(new SharedArrayBuffer(8)))).toBe(false);
  });
});
