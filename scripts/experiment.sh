#!/usr/bin/env bash
# npm run experiment -- <config.json> [--out <result.json>]: build the CLI bundle when a source is
# newer than it, then run it from the folder npm was called in (relative paths work as typed).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bundle="$root/dist-cli/experiment.mjs"
if [ ! -f "$bundle" ] || [ -n "$(find "$root/src" "$root/shaders" "$root/package.json" "$root/vite.cli.config.ts" -newer "$bundle" -print -quit)" ]; then
  (cd "$root" && npx vite build --config vite.cli.config.ts --logLevel warn) >&2
fi
cd "${INIT_CWD:-$PWD}"
exec node "$bundle" "$@"
