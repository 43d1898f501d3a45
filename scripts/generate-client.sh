#!/usr/bin/env bash
# Regenerates the typed client's types from the committed openapi.json (run after openapi:emit).
# Usage: scripts/generate-client.sh [output file]   (default clients/typescript/src/schema.ts)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-clients/typescript/src/schema.ts}"
npx --no-install openapi-typescript openapi.json --output "$out" >/dev/null
