#!/usr/bin/env bash
# The whole test suite: system packages, npm packages, type-check, lint, unit tests on real
# WebGPU (Dawn in Node), production build, browser tests (Playwright + Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-system.sh
[ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund
echo '== type-check' && npx tsc --noEmit -p tsconfig.json
echo '== lint' && npx biome ci .
echo '== unit tests (WebGPU on Dawn)' && npx vitest run
echo '== build' && npx vite build --logLevel warn
echo '== browser tests (Chromium)' && npx playwright test
