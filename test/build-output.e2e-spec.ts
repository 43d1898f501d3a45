import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';

/**
 * Test code stays out of the build, and `nest build` (nest-cli.json) gives the same dist/ as
 * `npm run build` (tsc -p tsconfig.build.json). scripts/test.sh builds dist/ before Jest starts.
 */
const ROOT = process.cwd();
const DIST = join(ROOT, 'dist');
const run = promisify(execFile);

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

describe('the build holds no test code', () => {
  it('tsconfig.build.json compiles only non-spec files under src/', async () => {
    const { stdout } = await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--listFilesOnly'], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
    const own = stdout
      .split('\n')
      .filter(Boolean)
      .map((f) => relative(ROOT, f))
      .filter((f) => !f.startsWith('..') && !f.includes('node_modules/'));
    expect(own.length).toBeGreaterThan(50);
    expect(own.filter((f) => !f.startsWith('src/') || /\.spec\.ts$/.test(f))).toEqual([]);
  });

  it('dist/ has the two process roots and no spec, no test/ module, nothing importing test/', () => {
    if (!existsSync(join(DIST, 'main.js'))) throw new Error('dist/ is missing: run "npm run build" first (npm test does)');
    const files = filesUnder(DIST);
    expect(files).toEqual(expect.arrayContaining(['main.js', 'worker.js']));
    expect(files.filter((f) => /\.spec\.|(^|\/)(test|support|fixtures)\//.test(f))).toEqual([]);
    const importsTest = files
      .filter((f) => f.endsWith('.js'))
      .filter((f) => /(from\s+|import\s*\(\s*)['"](\.\.\/)+(test|bench)\//.test(readFileSync(join(DIST, f), 'utf8')));
    expect(importsTest).toEqual([]);
  });
});

describe('nest build', () => {
  it('emits the same files as npm run build', async () => {
    // Into a scratch directory inside the project (nest refuses an outDir outside it), never dist/:
    // other specs run the compiled worker from dist/ meanwhile.
    const scratch = join(ROOT, 'var', `nest-build-check-${process.pid}`);
    mkdirSync(scratch, { recursive: true });
    try {
      writeFileSync(
        join(scratch, 'tsconfig.json'),
        JSON.stringify({ extends: join(ROOT, 'tsconfig.build.json'), compilerOptions: { outDir: join(scratch, 'out') } }),
      );
      await run(process.execPath, [join(ROOT, 'node_modules/@nestjs/cli/bin/nest.js'), 'build', '-p', relative(ROOT, join(scratch, 'tsconfig.json'))], { cwd: ROOT });
      expect(filesUnder(join(scratch, 'out'))).toEqual(filesUnder(DIST));
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }, 180_000);
});
