#!/usr/bin/env bash
# Install what the playground needs and serve it on http://localhost:5173 (override with PORT).
# Open that address in a browser with WebGPU (Chrome/Edge 113+, or Chromium with --enable-unsafe-webgpu).
# Some Chromium builds round GPU timestamps to 0.1 ms unless started with
# --enable-webgpu-developer-features (the browser tests pass it); a result's env.clockResolutionMs
# says which step the page saw.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v npm >/dev/null || { echo "Node.js 20+ with npm is needed: apt-get install -y nodejs npm" >&2; exit 1; }
[ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund
npx vite build --logLevel warn
echo "Structured-matrix playground: http://localhost:${PORT:-5173}/"
echo "(GPU times at full clock resolution: start Chromium with --enable-webgpu-developer-features)"
exec npx vite preview --host 0.0.0.0 --port "${PORT:-5173}" --strictPort
