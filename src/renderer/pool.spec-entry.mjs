// Test-only RenderPool thread entry: installs the TypeScript loader, then wraps the real piscina
// handler (pool-worker.ts) with two fault hooks the pool tests need: a render that kills its
// thread, one that never returns (after announcing its start, so its deadline runs) and one
// that exhausts its heap (to prove the pool's per-thread memory limit holds).
import { register } from 'node:module';

register('./pool.spec-loader.mjs', import.meta.url);

const real = await import('./pool-worker.ts');

export default function render(req) {
  if (req?.options?.format === 'crash-thread') process.exit(3);
  if (req?.options?.format === 'hang-thread') {
    real.announceStart(req);
    for (;;);
  }
  if (req?.options?.format === 'oom-thread') {
    const hoard = [];
    for (;;) hoard.push(new Array(1e5).fill(hoard.length));
  }
  return real.default(req);
}
