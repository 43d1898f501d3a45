import { availableParallelism } from 'node:os';
import { DEMO_OG_CARD, demoAssets } from '../src/renderer/index.js';
import { RenderPool } from '../src/renderer/index.js';
import { renderImage } from '../src/renderer/index.js';
import { OUTPUT_FORMATS, type OutputFormat } from '../src/renderer/index.js';

/**
 * Renderer benchmark: the 1200x630 demo Open Graph card, per output format, first in-process
 * one render at a time (latency), then through a saturated RenderPool (throughput). Prints
 * figures only; nothing here asserts on time.
 */

export interface BenchOptions {
  /** Timed renders per format in-process (AVIF gets a third, it is much slower). Default 60. */
  iterations?: number;
  warmup?: number;
  /** Default os.availableParallelism(). */
  poolSize?: number;
  /** Renders per format through the pool. Default 4 x iterations / 3. */
  poolRenders?: number;
  formats?: OutputFormat[];
  log?: (line: string) => void;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

function line(label: string, times: number[], wallMs: number, count: number, bytes: number): string {
  const sorted = [...times].sort((a, b) => a - b);
  return (
    `${label.padEnd(22)} median ${quantile(sorted, 0.5).toFixed(1).padStart(6)} ms` +
    `  p95 ${quantile(sorted, 0.95).toFixed(1).padStart(6)} ms` +
    `  ${((count * 1000) / wallMs).toFixed(1).padStart(6)} renders/s` +
    `  ${(bytes / 1024).toFixed(0).padStart(5)} KiB`
  );
}

export async function benchRenderer(options: BenchOptions = {}): Promise<void> {
  const log = options.log ?? ((s: string) => process.stdout.write(`${s}\n`));
  const iterations = options.iterations ?? 60;
  const warmup = options.warmup ?? 10;
  const formats = options.formats ?? [...OUTPUT_FORMATS];
  const poolSize = options.poolSize ?? availableParallelism();
  const assets = await demoAssets();
  const mods = [{ name: 'headline', text: 'Render beautiful Open Graph cards from one template' }];
  const runs = (f: OutputFormat, n: number) => (f === 'avif' ? Math.max(5, Math.round(n / 3)) : n);

  log(`renderer bench: 1200x630 demo card, ${availableParallelism()} CPUs, node ${process.version}`);
  log('-- in-process, one render at a time (latency)');
  for (const format of formats) {
    for (let i = 0; i < warmup; i++) await renderImage(DEMO_OG_CARD, mods, assets, { format });
    const times: number[] = [];
    let bytes = 0;
    const n = runs(format, iterations);
    const start = performance.now();
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      const r = await renderImage(DEMO_OG_CARD, mods, assets, { format });
      times.push(performance.now() - t);
      bytes = r.report.bytes;
    }
    const cpu = process.cpuUsage(cpu0);
    // All threads of the process (libvips' included): the figure to compare builds by on a busy host.
    log(`${line(format, times, performance.now() - start, n, bytes)}  cpu ${((cpu.user + cpu.system) / 1000 / n).toFixed(1).padStart(5)} ms/render`);
  }

  log(`-- RenderPool(size ${poolSize}), saturated: ${poolSize * 2} renders in flight`);
  const pool = new RenderPool({ size: poolSize });
  try {
    for (const format of formats) {
      await Promise.all(Array.from({ length: poolSize * 2 }, () => pool.render(DEMO_OG_CARD, mods, assets, { format })));
      const total = runs(format, options.poolRenders ?? Math.round((iterations * 4) / 3));
      const times: number[] = [];
      let bytes = 0;
      let next = 0;
      const start = performance.now();
      const lane = async () => {
        while (next < total) {
          next++;
          const t = performance.now();
          const r = await pool.render(DEMO_OG_CARD, mods, assets, { format });
          times.push(performance.now() - t);
          bytes = r.report.bytes;
        }
      };
      await Promise.all(Array.from({ length: poolSize * 2 }, lane));
      log(line(`pool ${format}`, times, performance.now() - start, total, bytes));
    }
  } finally {
    await pool.close();
  }
}
