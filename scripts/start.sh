#!/usr/bin/env bash
# Install what the playground needs and serve it on http://localhost:5173 (override with PORT).
# Open that address in a browser with WebGPU (Chrome/Edge 113+, or Chromium with --enable-unsafe-webgpu).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v npm >/dev/null || { echo "Node.js 20+ with npm is needed: apt-get install -y nodejs npm" >&2; exit 1; }
[ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund
npx vite build --logLevel warn
echo "Structured-matrix playground: http://localhost:${PORT:-5173}/"
exec npx vite preview --host 0.0.0.0 --port "${PORT:-5173}" --strictPort
