// Test-only RenderPool thread entry: installs the TypeScript loader, then runs the real entry
// (pool-worker.ts) with two fault hooks the pool tests need: a render that kills its thread
// and one that never returns. The hooks wrap the real 'message' listener so they always run
// before it, and no listener exists before the real one (the port would start delivering).
import { register } from 'node:module';
import { parentPort } from 'node:worker_threads';

register('./pool.spec-loader.mjs', import.meta.url);

const on = parentPort.on.bind(parentPort);
parentPort.on = (event, listener) =>
  on(event, event !== 'message' ? listener : (req) => {
    if (req?.options?.format === 'crash-thread') process.exit(3);
    if (req?.options?.format === 'hang-thread') for (;;);
    return listener(req);
  });

await import('./pool-worker.ts');
