import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import eslintPkg from 'eslint';
import tseslint from 'typescript-eslint';

/**
 * The import boundaries of .dependency-cruiser.cjs / .dependency-cruiser-folders.cjs bite: each
 * rule is reported on the fake tree in test/fixtures/boundaries/, and the real tree passes.
 * The process.env rule lives in eslint.config.js and is shown through ESLint's Node API.
 */
const ROOT = process.cwd();
const FIXTURE = join(ROOT, 'test/fixtures/boundaries');
const DEPCRUISE = join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const MAIN_CONFIG = join(ROOT, '.dependency-cruiser.cjs');
const FOLDER_CONFIG = join(ROOT, '.dependency-cruiser-folders.cjs');
const run = promisify(execFile);

interface Violation {
  type: string;
  from: string;
  to: string;
  rule: { name: string; severity: string };
}
interface Cruise {
  modules: { source: string; dependencies: { resolved: string }[] }[];
  summary: { error: number; violations: Violation[] };
}

async function cruise(cwd: string, config: string, paths: string[], extra: string[] = []): Promise<Cruise> {
  // depcruise exits non-zero when it finds errors; the JSON report is on stdout either way.
  const args = [DEPCRUISE, ...paths, '--config', config, '--output-type', 'json', ...extra];
  const { stdout } = await run(process.execPath, args, { cwd, maxBuffer: 64 * 1024 * 1024 }).catch(
    (e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }),
  );
  return JSON.parse(stdout) as Cruise;
}

const pairs = (c: Cruise, rule: string) =>
  c.summary.violations
    .filter((v) => v.rule.name === rule)
    .map((v) => `${v.from} -> ${v.to.replace(/^.*node_modules\//, 'node_modules/')}`)
    .sort();

describe('import boundaries on the fixture tree', () => {
  let modules: Cruise;
  let folders: Cruise;

  it('runs both passes with the project configuration', async () => {
    [modules, folders] = await Promise.all([
      cruise(FIXTURE, MAIN_CONFIG, ['src', 'test', 'bench']),
      cruise(FIXTURE, FOLDER_CONFIG, ['src']),
    ]);
    expect(modules.summary.error).toBeGreaterThan(0);
  });

  it('renderer-no-framework: the renderer imports no framework package', () => {
    expect(pairs(modules, 'renderer-no-framework')).toEqual(['src/renderer/paint.ts -> node_modules/@nestjs/common/index.js']);
  });

  it('renderer-no-outside-src: the renderer imports nothing from src/ outside itself', () => {
    expect(pairs(modules, 'renderer-no-outside-src')).toEqual(['src/renderer/paint.ts -> src/alpha/a2.ts']);
  });

  it('renderer-only-via-index: src/, test/ and bench/ reach the renderer through its index only', () => {
    expect(pairs(modules, 'renderer-only-via-index')).toEqual([
      'bench/renderer.bench.ts -> src/renderer/paint.ts',
      'src/alpha/a1.ts -> src/renderer/paint.ts',
      'test/support/helper.ts -> src/renderer/paint.ts',
    ]);
  });

  it('processor-only-in-worker: no *.processor.ts is reachable from the API roots', () => {
    expect(pairs(modules, 'processor-only-in-worker')).toEqual([
      'src/api.module.ts -> src/jobs/render.processor.ts',
      'src/main.ts -> src/jobs/render.processor.ts',
    ]);
  });

  it('no-test-code-in-src: only specs under src/ import test code', () => {
    expect(pairs(modules, 'no-test-code-in-src')).toEqual(['src/gamma/g.ts -> test/support/helper.ts']);
  });

  it('no-root-imports-from-folders: folders import no composition root (src/cli/ may use src/entities.ts)', () => {
    expect(pairs(modules, 'no-root-imports-from-folders')).toEqual([
      'src/gamma/g.ts -> src/entities.ts',
      'src/gamma/g.ts -> src/main.ts',
    ]);
  });

  it('no-folder-cycles: a folder cycle without a module cycle is caught; specs do not count', () => {
    const cycles = pairs(folders, 'no-folder-cycles');
    expect(cycles).toEqual(expect.arrayContaining(['src/alpha -> src/beta', 'src/beta -> src/alpha']));
    expect(cycles.some((c) => c.includes('src/gamma'))).toBe(false);
  });

  it('reports nothing else (the allowed edges of the fixture stay allowed)', () => {
    const allowed = ['src/gamma/g.spec.ts', 'src/cli/tool.ts', 'src/images/images.service.ts', 'src/renderer/paint.spec.ts'];
    expect(modules.summary.violations.filter((v) => allowed.includes(v.from))).toEqual([]);
  });
});

/** Top-level folder of src/ for a module path, or undefined for a root file or anything else. */
function topFolder(path: string): string | undefined {
  return /^src\/([^/]+)\//.exec(path)?.[1];
}

describe('import boundaries on the real tree', () => {
  it('passes npm run lint:deps (module rules, then folder cycles), with no baseline of known violations', async () => {
    expect(existsSync(join(ROOT, '.dependency-cruiser-known-violations.json'))).toBe(false);
    const [modules, folders] = await Promise.all([
      cruise(ROOT, MAIN_CONFIG, ['src', 'test', 'bench']),
      cruise(ROOT, FOLDER_CONFIG, ['src']),
    ]);
    expect(modules.summary.violations.filter((v) => v.rule.severity === 'error')).toEqual([]);
    expect(folders.summary.violations).toEqual([]);

    // The exact top-level check behind no-folder-cycles (dependency-cruiser sees sub-folders such
    // as src/orgs/auth as their own nodes): the graph of top-level folders has no cycle.
    const edges = new Map<string, Set<string>>();
    for (const m of folders.modules) {
      const from = topFolder(m.source);
      if (!from) continue;
      for (const d of m.dependencies) {
        const to = topFolder(d.resolved);
        if (to && to !== from) edges.set(from, (edges.get(from) ?? new Set()).add(to));
      }
    }
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (node: string, trail: string[]) => {
      if (state.get(node) === 'done') return;
      if (state.get(node) === 'open') {
        cycles.push([...trail.slice(trail.indexOf(node)), node].join(' -> '));
        return;
      }
      state.set(node, 'open');
      for (const next of edges.get(node) ?? []) visit(next, [...trail, node]);
      state.set(node, 'done');
    };
    for (const node of edges.keys()) visit(node, []);
    expect(cycles).toEqual([]);
  });
});

// The project's eslint.config.js, with type-aware linting off so fixture paths need not exist.
const eslint = new eslintPkg.ESLint({
  cwd: ROOT,
  overrideConfig: [{ files: ['**/*.ts'], ...tseslint.configs.disableTypeChecked }],
});

describe('process.env is read only in src/config/ (eslint no-restricted-properties)', () => {
  const code = 'export const port = process.env.PORT;\nconst { env } = process;\nexport const home = env.HOME;\n';
  const envMessages = async (filePath: string) => {
    const [result] = await eslint.lintText(code, { filePath: resolve(ROOT, filePath) });
    return result.messages.filter((m) => m.ruleId === 'no-restricted-properties' || m.fatal).map((m) => m.message);
  };

  it('fires in a src/ folder', async () => {
    const messages = await envMessages('src/images/boundary-fixture.ts');
    expect(messages).toHaveLength(2);
    expect(messages[0]).toContain('Read configuration through src/config only.');
  });

  it('stays quiet in src/config/, in specs, test/ and bench/', async () => {
    for (const path of ['src/config/boundary-fixture.ts', 'src/images/boundary-fixture.spec.ts', 'test/boundary-fixture.ts', 'bench/boundary-fixture.ts']) {
      expect(await envMessages(path)).toEqual([]);
    }
  });
});

describe('patterns that backtrack super-linearly fail the lint (eslint-plugin-regexp)', () => {
  const ruleIds = async (code: string): Promise<string[]> => {
    const [result] = await eslint.lintText(code, { filePath: resolve(ROOT, 'src/images/regexp-fixture.ts') });
    return result.messages.map((m) => m.ruleId ?? 'fatal');
  };

  it.each([
    ['nested quantifiers', 'export const bad = (s: string) => /^(a+)+$/.test(s);\n', 'regexp/no-super-linear-backtracking'],
    ['adjacent overlapping quantifiers', 'export const bad = (s: string) => /^rgba?\\(\\s*([^)]*)\\)$/.test(s);\n', 'regexp/no-super-linear-backtracking'],
    ['a trailing run', "export const bad = (s: string) => s.replace(/\\/+$/, '');\n", 'regexp/no-super-linear-move'],
  ])('%s', async (_label, code, rule) => {
    expect(await ruleIds(code)).toContain(rule);
  });

  it('accepts the linear form', async () => {
    expect(await ruleIds('export const ok = (s: string) => /^rgba?\\(([^)]*)\\)$/.test(s);\n')).toEqual([]);
  });
});
