import { afterAll, describe, expect, it } from '@jest/globals';
import { tinyFont } from '../../test/fixtures/fonts.js';
import { loadConfig } from '../config/config.js';
import { createUploadScanner, InspectPool } from './inspect-pool.js';
import { scanUploadFully, type ScanOutcome } from './upload-scan.js';

/** Threads cannot run the .ts sources alone: the pool is pointed at a shim that installs a TypeScript loader. */
const entry = new URL('./inspect-pool.spec-entry.mjs', import.meta.url);
const outcome = async (p: Promise<{ outcome: ScanOutcome }>): Promise<ScanOutcome> => (await p).outcome;
const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1"/></svg>');

describe('InspectPool', () => {
  const pool = new InspectPool({ size: 1, timeoutMs: 1500, maxQueue: 1, entry });
  afterAll(() => pool.close());

  it('answers in a thread what scanUploadFully answers in-process', async () => {
    const font = tinyFont('Pool Sans');
    const unsafe = Buffer.from('<svg><image href="http://127.0.0.1/x"/></svg>');
    for (const [bytes, name] of [[font, 'a.ttf'], [SVG, 'a.svg'], [unsafe, 'b.svg'], [Buffer.from('%PDF-1.7'), 'c.pdf']] as const) {
      expect(await outcome(pool.scan(bytes, name))).toEqual(await scanUploadFully(bytes, name));
    }
    expect(await outcome(pool.scan(font, 'a.ttf'))).toMatchObject({ ok: true, kind: 'font', fontFamily: 'Pool Sans' });
  }, 60_000);

  it('moves a large upload to the thread and back instead of copying it, bytes intact', async () => {
    const big = Buffer.concat([SVG.subarray(0, -6), Buffer.from(`<!-- ${'x'.repeat(1 << 20)} --></svg>`)]);
    const copy = Buffer.from(big);
    const res = await pool.scan(big, 'big.svg');
    expect(res.outcome).toMatchObject({ ok: true, format: 'svg' });
    // Transferred: the caller's view is detached, and the answer carries the same bytes.
    expect(big.byteLength).toBe(0);
    expect(res.bytes.equals(copy)).toBe(true);
  }, 60_000);

  it('keeps a refused upload it was moved in the thread: nothing comes back to the API', async () => {
    const refused = Buffer.concat([Buffer.from('%PDF-1.7 '), Buffer.alloc(1 << 20, 0x20)]);
    const res = await pool.scan(refused, 'big.pdf');
    expect(res.outcome).toMatchObject({ ok: false, status: 415 });
    expect([refused.byteLength, res.bytes.byteLength]).toEqual([0, 0]);
  }, 60_000);

  it('stops a scan past its deadline with a 400, replaces the thread and keeps serving', async () => {
    const t0 = Date.now();
    expect(await outcome(pool.scan(SVG, 'hang.svg'))).toMatchObject({ ok: false, status: 400, code: 'upload_too_complex' });
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(await outcome(pool.scan(SVG, 'ok.svg'))).toMatchObject({ ok: true, format: 'svg' });
  }, 60_000);

  it('refuses a file whose scan kills its thread with a 400, not a crash of the caller', async () => {
    expect(await outcome(pool.scan(SVG, 'crash.svg'))).toMatchObject({ ok: false, status: 400, code: 'upload_too_complex' });
    expect(await outcome(pool.scan(SVG, 'ok.svg'))).toMatchObject({ ok: true });
  }, 60_000);

  it('answers 503 at once beyond the thread and the bounded queue', async () => {
    const hung = pool.scan(SVG, 'hang.svg');
    const waiting = pool.scan(SVG, 'ok.svg');
    expect(await outcome(pool.scan(SVG, 'ok.svg'))).toMatchObject({ ok: false, status: 503, code: 'inspection_busy' });
    expect((await hung).outcome).toMatchObject({ code: 'upload_too_complex' });
    expect((await waiting).outcome).toMatchObject({ ok: true });
  }, 60_000);
});

describe('createUploadScanner', () => {
  it('uses threads when the entry exists and scans in-process when it does not (TypeScript sources)', async () => {
    const config = loadConfig({ ...process.env, INSPECT_POOL_SIZE: '1' });
    const missing = createUploadScanner(config, new URL('./no-such-entry.js', import.meta.url));
    expect(missing.kind).toBe('in-process');
    const threaded = createUploadScanner(config, entry);
    try {
      expect(threaded.kind).toBe('pool');
      expect(await outcome(threaded.scan(SVG, 'x.svg'))).toMatchObject({ ok: true });
    } finally {
      await threaded.close();
    }
  }, 60_000);
});
