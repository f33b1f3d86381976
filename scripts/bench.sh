#!/usr/bin/env bash
# Benchmarks in headless Chromium: build the bench page (bench/, vite.bench.config.ts) into
# dist-bench/, serve it on localhost, run every registered bench in it, print a table and write
# bench-results/bench-<date>.json.   npm run bench -- [--filter gemm] [--quick] [--rounds N]
# Env: SMX_CHROMIUM (browser), SMX_REAL_GPU=1 (real GPU instead of SwiftShader), SMX_BENCH_PORT.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-system.sh
npx vite build -c vite.bench.config.ts
node bench/run.mjs "$@"
