/**
 * Import boundaries (run by `npm run lint:deps`, part of `npm run lint` and `npm test`).
 * Paths are relative to the directory depcruise runs in (the repository root; the boundary
 * spec runs the same rules in test/fixtures/boundaries/ to prove each one bites).
 * @type {import('dependency-cruiser').IConfiguration}
 */
const path = require('node:path');

const FRAMEWORKS = '(^|node_modules/)(@nestjs/[^/]+|typeorm|bull|pg|ioredis|redis|express)(/|$)';

// The folder-cycle rule (no-folder-cycles) runs as a second pass: .dependency-cruiser-folders.cjs.

module.exports = {
  forbidden: [
    {
      name: 'renderer-no-framework',
      comment: 'src/renderer/ is a pure library: no Nest, TypeORM, Bull, PostgreSQL, Redis or Express.',
      severity: 'error',
      from: { path: '^src/renderer/' },
      to: { path: FRAMEWORKS },
    },
    {
      name: 'renderer-no-outside-src',
      comment: 'src/renderer/ imports nothing from src/ outside itself.',
      severity: 'error',
      from: { path: '^src/renderer/' },
      to: { path: '^src/', pathNot: '^src/renderer/' },
    },
    {
      name: 'renderer-only-via-index',
      comment: 'Outside src/renderer/, the renderer is imported only through src/renderer/index.ts.',
      severity: 'error',
      from: { path: '^(src|test|bench)/', pathNot: '^src/renderer/' },
      to: { path: '^src/renderer/', pathNot: '^src/renderer/index\\.ts$' },
    },
    {
      name: 'no-root-imports-from-folders',
      comment: 'Composition-root files directly in src/ are imported by nothing in a folder (src/cli/ may use src/entities.ts).',
      severity: 'error',
      from: { path: '^src/[^/]+/' },
      to: { path: '^src/[^/]+\\.ts$', pathNot: '^src/entities\\.ts$' },
    },
    {
      name: 'no-root-imports-from-folders',
      comment: 'Only src/cli/ may import src/entities.ts.',
      severity: 'error',
      from: { path: '^src/[^/]+/', pathNot: '^src/cli/' },
      to: { path: '^src/entities\\.ts$' },
    },
    {
      name: 'processor-only-in-worker',
      comment: 'A Bull @Processor (*.processor.ts) lives only in the worker graph: the API must never consume jobs.',
      severity: 'error',
      from: { path: '^src/(main|api\\.module)\\.ts$' },
      to: { path: '\\.processor\\.ts$', reachable: true },
    },
    {
      name: 'no-test-code-in-src',
      comment: 'Nothing under src/ except specs imports test code.',
      severity: 'error',
      from: { path: '^src/', pathNot: '\\.spec[.-]' },
      to: { path: '^test/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|dist-bench|coverage|var)/|^test/fixtures/boundaries/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: path.join(__dirname, 'tsconfig.json') },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.mts', '.js', '.mjs', '.cjs', '.json', '.d.ts'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    skipAnalysisNotInRules: true,
  },
};
