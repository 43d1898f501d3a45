// Test-only InspectPool thread entry: installs the TypeScript loader the render pool's spec uses,
// then wraps the real handler (inspect-worker.ts) with fault hooks chosen by file name: a scan
// that never returns (after announcing its start, so its deadline runs) and one that kills its thread.
import { register } from 'node:module';

register('../renderer/pool.spec-loader.mjs', import.meta.url);

const real = await import('./inspect-worker.ts');

export default function inspect(req) {
  if (req?.filename === 'hang.svg') {
    real.announceStart(req);
    for (;;);
  }
  if (req?.filename === 'crash.svg') process.exit(3);
  return real.default(req);
}
