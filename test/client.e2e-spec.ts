import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startApi, type TestApp } from './support/app.js';
import { createOrg } from './support/factories.js';
import { startWorker, type WorkerProcess } from './support/worker.js';

/**
 * The typed client in clients/typescript/ as its users get it: regenerated from openapi.json
 * (the committed types must be current), compiled with tsc --strict (its example has no cast),
 * and the compiled example run against the real API and worker.
 */
const ROOT = process.cwd();
const CLIENT = join(ROOT, 'clients/typescript');
const run = promisify(execFile);

let t: TestApp;
let worker: WorkerProcess;
let out: string;

beforeAll(async () => {
  t = await startApi();
  worker = await startWorker();
  out = mkdtempSync(join(tmpdir(), 'imtegrate-client-'));
});
afterAll(async () => {
  await worker?.stop();
  await t?.close();
});

describe('clients/typescript', () => {
  it('is generated from the committed openapi.json (regenerating changes nothing)', async () => {
    const fresh = join(out, 'schema.ts');
    await run('bash', [join(ROOT, 'scripts/generate-client.sh'), fresh], { cwd: ROOT });
    expect(readFileSync(fresh, 'utf8')).toBe(readFileSync(join(CLIENT, 'src/schema.ts'), 'utf8'));
  });

  it('compiles under tsc --strict, example included, and the example walks the API against the service', async () => {
    const dist = join(out, 'dist');
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    const compiled = await run(process.execPath, [tsc, '-p', join(CLIENT, 'tsconfig.json'), '--outDir', dist], { cwd: CLIENT }).catch((e: { stdout?: string }) => {
      throw new Error(`tsc failed:\n${e.stdout ?? String(e)}`);
    });
    expect(compiled.stdout).toBe('');
    // The compiled example resolves openapi-fetch the way an installed client would.
    writeFileSync(join(dist, 'package.json'), JSON.stringify({ type: 'module' }));
    symlinkSync(join(ROOT, 'node_modules'), join(out, 'node_modules'));

    const { testKey } = await createOrg(t.ds);
    const { stdout } = await run(process.execPath, [join(dist, 'example.js')], {
      env: { ...process.env, NODE_OPTIONS: '', IMTEGRATE_URL: `${t.baseUrl}/`, IMTEGRATE_KEY: testKey },
      timeout: 60_000,
    });
    const summary = JSON.parse(stdout.trim().split('\n').pop() as string);
    expect(summary).toMatchObject({
      version: 1,
      status: 'completed',
      result_content_type: 'image/png',
      listed: 2,
      asset: { kind: 'image', width: 1 },
      not_found: expect.stringMatching(/not found/i),
      invalid_fields: ['query.limit'],
    });
  });
});
