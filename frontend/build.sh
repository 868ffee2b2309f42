#!/usr/bin/env bash
# Install the pinned npm packages (package-lock.json) when needed and copy the browser files
# the pages use into src/hotline/web/static/vendor/, which the server serves at /static/vendor/.
# Usage: frontend/build.sh        (idempotent; runs `npm ci` only when the lock file changed)
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v npm >/dev/null 2>&1; then
  echo "frontend/build.sh: npm not found; install Node.js 18+ (the wallboard chart needs it)" >&2
  exit 2
fi
# npm ci leaves node_modules/.package-lock.json; older than the lock file means out of date.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
dest=../src/hotline/web/static/vendor
mkdir -p "$dest/uplot"
cp node_modules/uplot/dist/uPlot.esm.js node_modules/uplot/dist/uPlot.min.css \
  node_modules/uplot/LICENSE "$dest/uplot/"
echo "frontend: vendor files in src/hotline/web/static/vendor/ (uPlot $(node -p 'require("./node_modules/uplot/package.json").version'))"
