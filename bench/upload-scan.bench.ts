import { sniff } from '../src/assets/sniff.js';
import { scanUpload } from '../src/assets/upload-scan.js';
import { readFontInfo, svgUnsafeReason } from '../src/renderer/index.js';
import { hostileFonts } from '../test/fixtures/fonts.js';
import { quantile } from './stats.js';

/**
 * Upload scanners on adversarial input, in ms per MB, next to a baseline measured in the same
 * run: one plain pass over the same input (a byte sum for the buffer scanners, a code-unit sum
 * over the decoded text for the SVG check, which scans text). The scanners are linear by construction (svg.ts,
 * sniff.ts, the font header bounds in font-file.ts); the ratio to the baseline is the figure to
 * watch, since it does not move when a neighbour on a shared host steals cycles. Issue 10's
 * budget is 50 ms per MB. Figures only; nothing here asserts on time.
 */

const MB = 1024 * 1024;
const log = (s: string) => process.stdout.write(`${s}\n`);

function plainTextScan(s: string): number {
  let x = 0;
  for (let i = 0; i < s.length; i++) x = (x + s.charCodeAt(i)) | 0;
  return x;
}

function plainScan(b: Buffer): number {
  let x = 0;
  for (let i = 0; i < b.length; i++) x = (x + b[i]) | 0;
  return x;
}

function svgInputs(): Record<string, Buffer> {
  const open = '<svg xmlns="http://www.w3.org/2000/svg">';
  const fill = (unit: string) => Buffer.from(open + unit.repeat(Math.floor((4 * MB) / unit.length)));
  return {
    'nested <g>': fill('<g>'),
    '"< " runs': fill('< '),
    'alternating case': fill('aB'),
    'unclosed href="#': fill('href="#'),
    'href = spaces': fill('href =  '),
    'url( spaces': Buffer.from(`${open}url(${' '.repeat(4 * MB)}`),
    '<! and <?': fill('<!<?'),
    'NBSP runs after <': fill(`<${'\u00a0'.repeat(8)}`),
  };
}

function fontInputs(): Record<string, Buffer> {
  const f = hostileFonts(10 * MB);
  return { 'TTC of 100,000 faces': f.manyFaces, 'sfnt of 65,535 tables': f.manyTables, 'noise behind cmap+name': f.noisyTables };
}

/** Median and p95 of ms per MB over `runs` timed calls (after one untimed call). */
function perMb(bytes: Buffer, runs: number, f: () => unknown): { median: number; p95: number } {
  f();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    f();
    times.push(((performance.now() - t) * MB) / bytes.length);
  }
  times.sort((a, b) => a - b);
  return { median: quantile(times, 0.5), p95: quantile(times, 0.95) };
}

function row(label: string, r: { median: number; p95: number }, base: number): string {
  return `${label.padEnd(44)} median ${r.median.toFixed(2).padStart(7)} ms/MB  p95 ${r.p95.toFixed(2).padStart(7)} ms/MB  x${(r.median / base).toFixed(1).padStart(5)} baseline`;
}

export async function benchUploadScan(runs = 15): Promise<void> {
  log(`upload scan bench: adversarial inputs, ms per MB (budget 50), ${runs} runs each, node ${process.version}`);
  log('-- SVG check on the text, and scanUpload (sniff, decode, check) on the bytes, 4 MB each; baseline: one plain pass over the text');
  for (const [name, bytes] of Object.entries(svgInputs())) {
    const text = bytes.toString('utf8');
    const base = perMb(bytes, runs, () => plainTextScan(text)).median;
    log(row(`svgUnsafeReason: ${name}`, perMb(bytes, runs, () => svgUnsafeReason(text)), base));
    log(row(`scanUpload (decode + check): ${name}`, perMb(bytes, runs, () => scanUpload(bytes, 'x.svg')), base));
  }
  log('-- sniff and font parse, 10 MB each; baseline: one plain pass summing the bytes');
  for (const [name, bytes] of Object.entries(fontInputs())) {
    const base = perMb(bytes, runs, () => plainScan(bytes)).median;
    log(row(`sniff: ${name}`, perMb(bytes, runs, () => sniff(bytes)), base));
    log(row(`readFontInfo: ${name}`, perMb(bytes, runs, () => readFontInfo(bytes)), base));
  }
}
