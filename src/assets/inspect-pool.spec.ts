import { afterAll, describe, expect, it } from '@jest/globals';
import { tinyFont } from '../../test/fixtures/fonts.js';
import { loadConfig } from '../config/config.js';
import { createUploadScanner, InspectPool } from './inspect-pool.js';
import { scanUpload } from './upload-scan.js';

/** Threads cannot run the .ts sources alone: the pool is pointed at a shim that installs a TypeScript loader. */
const entry = new URL('./inspect-pool.spec-entry.mjs', import.meta.url);
const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1"/></svg>');

describe('InspectPool', () => {
  const pool = new InspectPool({ size: 1, timeoutMs: 1500, maxQueue: 1, entry });
  afterAll(() => pool.close());

  it('answers in a thread what scanUpload answers in-process', async () => {
    const font = tinyFont('Pool Sans');
    const unsafe = Buffer.from('<svg><image href="http://127.0.0.1/x"/></svg>');
    for (const [bytes, name] of [[font, 'a.ttf'], [SVG, 'a.svg'], [unsafe, 'b.svg'], [Buffer.from('%PDF-1.7'), 'c.pdf']] as const) {
      expect(await pool.scan(bytes, name)).toEqual(scanUpload(bytes, name));
    }
    expect(await pool.scan(font, 'a.ttf')).toMatchObject({ ok: true, kind: 'font', fontFamily: 'Pool Sans' });
  }, 60_000);

  it('stops a scan past its deadline with a 400, replaces the thread and keeps serving', async () => {
    const t0 = Date.now();
    expect(await pool.scan(SVG, 'hang.svg')).toMatchObject({ ok: false, status: 400, code: 'upload_too_complex' });
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(await pool.scan(SVG, 'ok.svg')).toMatchObject({ ok: true, format: 'svg' });
  }, 60_000);

  it('refuses a file whose scan kills its thread with a 400, not a crash of the caller', async () => {
    expect(await pool.scan(SVG, 'crash.svg')).toMatchObject({ ok: false, status: 400, code: 'upload_too_complex' });
    expect(await pool.scan(SVG, 'ok.svg')).toMatchObject({ ok: true });
  }, 60_000);

  it('answers 503 at once beyond the thread and the bounded queue', async () => {
    const hung = pool.scan(SVG, 'hang.svg');
    const waiting = pool.scan(SVG, 'ok.svg');
    expect(await pool.scan(SVG, 'ok.svg')).toMatchObject({ ok: false, status: 503, code: 'inspection_busy' });
    expect(await hung).toMatchObject({ code: 'upload_too_complex' });
    expect(await waiting).toMatchObject({ ok: true });
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
      expect(await threaded.scan(SVG, 'x.svg')).toMatchObject({ ok: true });
    } finally {
      await threaded.close();
    }
  }, 60_000);
});
