#!/usr/bin/env bash
# Browser libraries the dashboard serves itself (no CDN): npm ci in vendor/ (versions and
# integrity hashes pinned in vendor/package-lock.json), then copy the built files into
# src/clippy/web/static/vendor/ (gitignored). Idempotent and quick when done.
# Without npm the archive plays one-minute MP4 previews instead of the continuous stream.
set -euo pipefail
cd "$(dirname "$0")/.."

out=src/clippy/web/static/vendor
if ! command -v npm >/dev/null; then
  echo "setup_vendor.sh: npm not found; the archive falls back to one-minute previews" >&2
  exit 0
fi
cd vendor
lock_stamp="node_modules/.clippy-lock-$(sha256sum package-lock.json | cut -c1-16)"
if [[ ! -f "$lock_stamp" ]]; then
  echo "==> npm ci (dashboard vendor: hls.js)"
  npm ci --no-audit --no-fund --loglevel=error
  touch "$lock_stamp"
fi
cd ..
mkdir -p "$out"
# The light build: HLS video and audio without subtitles or alternate renditions.
cp -u vendor/node_modules/hls.js/dist/hls.light.min.js "$out/hls.min.js"
cp -u vendor/node_modules/hls.js/LICENSE "$out/hls.LICENSE"
