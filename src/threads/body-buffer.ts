import { markMovable } from './deadline-pool.js';

/** Without a declared length (a chunked body) the buffer starts here and doubles as needed. */
const UNSIZED_START_BYTES = 256 * 1024;

/**
 * With one, the buffer starts at most this large and grows to the declared length once the body
 * has filled it: a client that declares 20 MB and sends nothing holds 1 MiB, not 20 (V8 counts
 * an allocation's whole size as external memory, whatever the OS has mapped of it).
 */
const SIZED_START_BYTES = 1024 * 1024;

/**
 * A request body gathered into one buffer as it arrives, for bodies that go to a thread.
 *
 * Keeping every chunk until the end and concatenating them (what body parsers and multer's
 * memory storage do) keeps a 10 MB body's some 160 socket chunks alive long enough to be
 * promoted to V8's old generation; the memory they hold is then only freed by a full
 * (mark-compact) collection of the API's heap, which stalls its event loop for tens of ms and
 * every tenant's requests with it. Copied here as they arrive, chunks die young (freed by the
 * cheap scavenger), and the one buffer is marked movable, so a thread receives it by transfer
 * and it leaves the API's heap at once. The buffer is sized from the declared length (capped),
 * past its first MiB only once the body has filled that (SIZED_START_BYTES).
 */
export class BodyBuffer {
  private buffer: Buffer;
  private length = 0;

  /** The declared length (capped), when there is a usable one. */
  private readonly expected: number | undefined;

  /** `capBytes`: the most it will hold; `declared`: the Content-Length header, if any. */
  constructor(
    private readonly capBytes: number,
    declared?: string | number,
  ) {
    const n = Number(declared);
    this.expected = Number.isSafeInteger(n) && n > 0 ? Math.min(n, capBytes) : undefined;
    const start = this.expected === undefined ? Math.min(UNSIZED_START_BYTES, capBytes) : Math.min(this.expected, SIZED_START_BYTES);
    this.buffer = Buffer.allocUnsafeSlow(start);
  }

  get size(): number {
    return this.length;
  }

  /** What it has allocated so far. */
  get capacity(): number {
    return this.buffer.length;
  }

  /** Copies the chunk in; false (and nothing copied) when it would go past the cap. */
  append(chunk: Uint8Array): boolean {
    const need = this.length + chunk.length;
    if (need > this.capBytes) return false;
    if (need > this.buffer.length) {
      // Straight to the declared length when the body is as long as it said, else doubling.
      const target = this.expected !== undefined && need <= this.expected ? this.expected : Math.max(this.buffer.length * 2, need);
      const grown = Buffer.allocUnsafeSlow(Math.min(this.capBytes, target));
      this.buffer.copy(grown, 0, 0, this.length);
      this.buffer = grown;
    }
    this.buffer.set(chunk, this.length);
    this.length = need;
    return true;
  }

  /** The bytes, as a view that may be moved to a thread; the BodyBuffer is not used after this. */
  take(): Buffer {
    markMovable(this.buffer.buffer);
    return this.buffer.subarray(0, this.length);
  }
}
