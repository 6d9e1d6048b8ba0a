#!/usr/bin/env bash
# Install what the browser extension needs and build it (idempotent, quick when done):
# Debian's chromium for the e2e tests, the npm packages, and extension/dist/ (load unpacked).
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ ! -x /usr/lib/chromium/chromium ]]; then
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  echo "==> installing Debian chromium (for the extension e2e tests)"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi

# Vite 7 needs Node 20.19+; Debian 12's own nodejs is 18, so it is not installed from apt here.
if ! command -v npm >/dev/null || ! node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>20||(a===20&&b>=19)?0:1)'; then
  echo "setup_extension.sh: the extension needs Node.js >= 20.19 with npm (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi

cd extension
lock_stamp="node_modules/.clippy-lock-$(sha256sum package-lock.json | cut -c1-16)"
if [[ ! -f "$lock_stamp" ]]; then
  echo "==> npm ci (extension)"
  npm ci --no-audit --no-fund --loglevel=error
  touch "$lock_stamp"
fi

# Rebuild only when a source or build file is newer than the last build.
if [[ ! -f dist/manifest.json ]] || [[ -n "$(find src public package-lock.json vite.config.ts vite.content.config.ts tsconfig.json -newer dist/manifest.json -print -quit)" ]]; then
  echo "==> building the extension (extension/dist)"
  npm run build --silent >/dev/null
  touch dist/manifest.json
fi
# The zip the server hands out for "Load unpacked" (Dashboard -> Get the extension).
if [[ ! -f clippy-extension.zip ]] || [[ -n "$(find dist -newer clippy-extension.zip -print -quit)" ]]; then
  echo "==> zipping the extension (extension/clippy-extension.zip)"
  PYTHONPATH=../src python3 -m clippy.extension dist clippy-extension.zip >/dev/null
fi
