#!/usr/bin/env bash
# Incremental build of the native addon (npm install does the first, full one through
# node-gyp-build). Configures only when gyp files changed or no Makefile exists yet.
set -euo pipefail
cd "$(dirname "$0")/.."
gyp=$(node -p "require.resolve('node-gyp/bin/node-gyp.js', {paths: [process.execPath + '/../../lib/node_modules/npm']})" 2>/dev/null || echo node-gyp)
run_gyp() { if [ -f "$gyp" ]; then node "$gyp" "$@"; else npx --no-install node-gyp "$@"; fi; }
if [ ! -f build/Makefile ] || [ binding.gyp -nt build/Makefile ] || [ native/sources.gypi -nt build/Makefile ]; then
  run_gyp configure
fi
run_gyp build -j 2
