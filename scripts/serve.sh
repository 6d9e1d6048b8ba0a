#!/usr/bin/env bash
# Set up (if needed) and run the Clippy server on http://127.0.0.1:8000 with SQLite,
# local-disk storage and offline speech recognition: no keys, no other servers.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/clippy serve "$@"
