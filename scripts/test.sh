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
NODE_OPTIONS="--experimental-vm-modules --no-warnings=ExperimentalWarning ${NODE_OPTIONS:-}" npx jest "$@"
