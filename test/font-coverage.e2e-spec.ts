import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { tinyFont } from './fixtures/fonts.js';

/**
 * The built renderer parses fonts for glyph coverage in a short-lived thread of its own, so the
 * thread that draws never loads fontkit (see src/renderer/font-coverage-thread.ts). Jest runs
 * the TypeScript sources, where the parse falls back to the calling thread; this spec runs the
 * compiled dist/ in a plain Node process, where the off-thread path is the one taken.
 */
const ROOT = process.cwd();
const run = promisify(execFile);

/** Module hooks (their own thread) that record every ESM resolution of fontkit in a file. */
const HOOKS = `
import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (r.url.includes('/fontkit/')) appendFileSync(process.env.FONTKIT_MARKER, r.url + '\\n');
  return r;
}`;

const SCRIPT = `
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire, register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(HOOKS)}));
const r = await import(${JSON.stringify(join(ROOT, 'dist/renderer/index.js'))});
// fontkit reached by require (font-file.ts loads it so) or by import, in this thread.
const loaded = () =>
  Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes('/fontkit/')) || existsSync(process.env.FONTKIT_MARKER);
const texts = ['Hi مرحبا 日本 😀', 'A\\uE000B\\u{10FFFD}\\uE000', 'plain'];
const missing = [];
for (const text of texts) {
  const doc = { width: 400, height: 120, layers: [{ type: 'text', name: 't', x: 0, y: 0, width: 400, height: 120, text, font_size: 40 }] };
  const out = await r.renderImage(doc, [], { images: new Map(), fonts: new Map() }, { format: 'png' });
  missing.push(out.report.text[0].missing_glyphs);
}
const fontkitAfterRenders = loaded();
r.readFontInfo(Buffer.from(process.env.PROBE_FONT, 'base64'));
console.log(JSON.stringify({ missing, fontkitAfterRenders, fontkitAfterUploadParse: loaded() }));
`;

describe('glyph coverage in the built renderer', () => {
  it('reports missing glyphs like the in-thread parse, without loading fontkit into the drawing thread', async () => {
    if (!existsSync(join(ROOT, 'dist/renderer/index.js'))) throw new Error('dist/ is missing: run "npm run build" first (npm test does)');
    const marker = join(mkdtempSync(join(tmpdir(), 'fontkit-probe-')), 'resolved');
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', SCRIPT], {
      cwd: ROOT,
      timeout: 60_000,
      env: { ...process.env, NODE_OPTIONS: '', FONTKIT_MARKER: marker, PROBE_FONT: tinyFont('Probe').toString('base64') },
    });
    const out = JSON.parse(stdout.trim().split('\n').pop() as string);
    // The same answers render.text.spec.ts asserts for the in-thread path.
    expect(out.missing).toEqual([[], ['\uE000', '\u{10FFFD}'], []]);
    expect(out.fontkitAfterRenders).toBe(false);
    // The probe can see fontkit when it is loaded: an upload-time parse loads it here.
    expect(out.fontkitAfterUploadParse).toBe(true);
  });
});
