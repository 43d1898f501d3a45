#!/usr/bin/env bash
# The whole test suite: types, lint, unit and e2e specs against the real PostgreSQL and Redis.
# Each run uses its own database and Redis prefix (see test/global-setup.js), never the dev data.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/services.sh
[ -d node_modules ] || npm ci --no-audit --no-fund
npx tsc -p tsconfig.json --noEmit
# e2e specs start the compiled worker (dist/worker.js) as a real separate process.
npm run build --silent
npx eslint --max-warnings=0 src test bench
# Import boundaries (.dependency-cruiser.cjs; the folder-cycle pass: .dependency-cruiser-folders.cjs).
npm run lint:deps --silent
results=$(mktemp)
status=0
NODE_OPTIONS="--experimental-vm-modules --no-warnings=ExperimentalWarning ${NODE_OPTIONS:-}" \
  npx jest --json --outputFile="$results" "$@" || status=$?
# The plain closing line CI reads, from Jest's own counts.
node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));
  console.log(`jest: ${r.numPassedTests} passed, ${r.numFailedTests + r.numRuntimeErrorTestSuites} failed, ${r.numPendingTests} skipped`)' "$results" || true
rm -f "$results"
exit "$status"
