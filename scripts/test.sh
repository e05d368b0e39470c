#!/usr/bin/env bash
# The whole suite, on SQLite and then on PostgreSQL (the README's `make test`).
# PostgreSQL: BILIM_TEST_POSTGRES_URL if set; otherwise a throwaway cluster when the server binaries are
# installed. In CI (CI=true) a missing PostgreSQL is a failure, not a skip.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
status=0
started_pg=""

cleanup() { [ -n "$started_pg" ] && bash scripts/pg_throwaway.sh stop "$started_pg"; }
trap cleanup EXIT

echo "=== Bilim tests on SQLite ==="
BILIM_DATABASE_URL="sqlite:///var/test.sqlite3" $PY -m pytest "$@" || status=1

if [ -z "${BILIM_TEST_POSTGRES_URL:-}" ]; then
  dir=$(mktemp -d /tmp/bilim-pg.XXXXXX)
  if out=$(bash scripts/pg_throwaway.sh start "$dir"); then
    eval "$out"; started_pg=$dir
  else
    rm -rf "$dir"
    if [ "${CI:-}" = "true" ]; then echo "PostgreSQL is required in CI and could not be started" >&2; exit 1; fi
    echo "=== PostgreSQL run skipped: no PostgreSQL server here (install the Debian package postgresql) ==="
    exit $status
  fi
fi

echo "=== Bilim tests on PostgreSQL (${BILIM_TEST_POSTGRES_URL%%@*}@…) ==="
BILIM_DATABASE_URL="$BILIM_TEST_POSTGRES_URL" $PY -m pytest "$@" || status=1
exit $status
