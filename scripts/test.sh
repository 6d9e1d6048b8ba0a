#!/usr/bin/env bash
# Set up (if needed) and run the whole test suite: lint, types, tests (SQLite and PostgreSQL).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --dev
scripts/services.sh
echo "==> ruff"
.venv/bin/ruff check src tests benchmarks
.venv/bin/ruff format --check src tests benchmarks
echo "==> mypy"
.venv/bin/mypy
echo "==> extension (tsc + vitest)"
(cd extension && npm test --silent)
echo "==> pytest"
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
