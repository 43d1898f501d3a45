// Test-only JsonBodyPool thread entry: installs the TypeScript loader the render pool's spec uses,
// then runs the real handler (json-worker.ts).
import { register } from 'node:module';

register('../renderer/pool.spec-loader.mjs', import.meta.url);

const real = await import('./json-worker.ts');

export default function parseJson(req) {
  return real.default(req);
}
