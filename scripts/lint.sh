#!/usr/bin/env bash
# The code checks CI runs before the tests: ruff (lint and formatting) and the import contracts
# that keep the floors apart (pyproject.toml [tool.importlinter]). Needs the test extras.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
echo "== ruff check"
ruff check . || status=1
echo "== ruff format --check"
ruff format --check . || status=1
echo "== lint-imports (the floors)"
lint-imports --no-cache || status=1
exit $status
