#!/usr/bin/env bash
# Make sure the PostgreSQL server the tests use (127.0.0.1:5432, trust auth, database
# "test") is up; start it if it is installed but stopped, install it if it is missing.
set -euo pipefail
PG_DSN=${CLIPPY_TEST_PG_DSN:-postgresql://postgres@127.0.0.1:5432/test}

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }

if ! command -v pg_isready >/dev/null; then
  echo "==> installing PostgreSQL"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
if ! pg_up; then
  echo "==> starting PostgreSQL"
  for v in $(ls /etc/postgresql 2>/dev/null); do
    pg_ctlcluster --skip-systemctl-redirect "$v" main start || true
  done
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
fi
pg_up || { echo "PostgreSQL is not reachable on 127.0.0.1:5432" >&2; exit 1; }
if ! psql "$PG_DSN" -qtAc 'select 1' >/dev/null 2>&1; then
  # Fresh cluster: allow the trust login and create the test database.
  su postgres -c "psql -qtAc \"select 1 from pg_database where datname='test'\"" | grep -q 1 \
    || su postgres -c "createdb test"
fi
psql "$PG_DSN" -qtAc 'select 1' >/dev/null || { echo "cannot connect to $PG_DSN" >&2; exit 1; }
echo "==> PostgreSQL is up"
