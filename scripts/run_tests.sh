#!/usr/bin/env bash
# The whole test run: static checks, then the suite on SQLite and on a real PostgreSQL 15.
#   scripts/run_tests.sh            # everything
#   scripts/run_tests.sh sqlite     # checks + SQLite only
#   scripts/run_tests.sh postgres   # checks + PostgreSQL only
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
which=${1:-all}
export VERACITY_ENV=test
export VERACITY_DATA_DIR=${VERACITY_DATA_DIR:-$(mktemp -d /tmp/veracity-test-data.XXXXXX)}

echo "== static checks"
$BIN/ruff check .
$BIN/lint-imports --no-cache
$BIN/python manage.py makemigrations --check --dry-run >/dev/null || {
  echo "Model changes without a migration: run 'veracity makemigrations'." >&2; exit 1; }
$BIN/python manage.py check --fail-level WARNING
VERACITY_ENV=production VERACITY_SECRET_KEY="check-deploy-$(head -c 32 /dev/urandom | base64)" \
  VERACITY_ALLOWED_HOSTS=crm.example.com $BIN/python manage.py check --deploy --fail-level WARNING

# Browser tests drive Debian's chromium; install it when it is missing.
if ! command -v chromium >/dev/null 2>&1; then
  echo "== installing Debian's chromium for the browser tests"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

PYTEST_ARGS=(-q -n 2 --dist loadfile -m "not slow")  # slow: exhaustive fuzzing, scale checks

if [ "$which" = "all" ] || [ "$which" = "sqlite" ]; then
  echo "== test suite on SQLite"
  unset VERACITY_DATABASE_URL
  $BIN/pytest "${PYTEST_ARGS[@]}"
fi

if [ "$which" = "all" ] || [ "$which" = "postgres" ]; then
  echo "== test suite on PostgreSQL 15 (throwaway cluster)"
  pgdir=$(mktemp -d /tmp/veracity-pg.XXXXXX)
  trap 'bash scripts/pg_throwaway.sh stop "$pgdir"' EXIT
  VERACITY_DATABASE_URL=$(bash scripts/pg_throwaway.sh start "$pgdir")
  export VERACITY_DATABASE_URL
  $BIN/pytest "${PYTEST_ARGS[@]}"
fi
