#!/usr/bin/env bash
# From a fresh clone to a running API and worker against the local PostgreSQL and Redis.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/services.sh
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run build --silent
node dist/database/migrate.main.js
seed=$(node dist/cli.js seed:demo --json)
field() { printf '%s' "$seed" | node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>console.log(JSON.parse(s).$1))"; }
key=$(field live_key)
test_key=$(field test_key)
template=$(field template_id)
port="${PORT:-3000}"

node dist/worker.js &
worker=$!
node dist/main.js &
api=$!
trap 'kill -TERM $api $worker 2>/dev/null; wait $api $worker 2>/dev/null' INT TERM EXIT

for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:${port}/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done
cat <<MSG

  Imtegrate is running.
    Swagger UI:  http://localhost:${port}/docs
    OpenAPI:     http://localhost:${port}/openapi.json
    Live key:    ${key}
    Test key:    ${test_key}   (renders carry a watermark)
    Demo template (Open Graph card, published v1): ${template}

  Try: curl -H "Authorization: Bearer ${key}" http://localhost:${port}/v1/images
       curl -H "Authorization: Bearer ${key}" -H 'Prefer: wait=10' -H 'Content-Type: application/json' \\
         -d '{"template_id":"${template}","modifications":[{"name":"headline","text":"Hello"}]}' \\
         http://localhost:${port}/v1/images
  Ctrl-C stops the API and the worker.

MSG
wait -n $api $worker
