#!/usr/bin/env bash
# Install everything the test suite needs and run it: lint, types, tests (SQLite and PostgreSQL).
# Usage: bash scripts/test.sh [extra pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests need: a PostgreSQL server for the storage tests.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  else
    echo "PostgreSQL server binaries missing: run 'sudo apt-get install postgresql' (storage tests need them)" >&2
  fi
fi

python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[dev]'

echo "== ruff"; .venv/bin/ruff check src tests benchmarks docs/examples
echo "== mypy --strict"; .venv/bin/mypy
# Both cores: a file's tests stay on one worker, so module fixtures (a computed evidence run...) are built once.
echo "== pytest"; .venv/bin/pytest -q -n "${CXCERT_TEST_WORKERS:-2}" --dist loadfile "$@"
