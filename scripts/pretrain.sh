#!/usr/bin/env bash
# npm run pretrain [-- <out dir>]: train the base recipe (src/nn/recipe.ts) on WebGPU (Dawn) and
# write public/models/<name>.safetensors + <name>.json.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
npx vite build --config vite.pretrain.config.ts --logLevel warn >&2
exec node dist-pretrain/pretrain.mjs "$@"
