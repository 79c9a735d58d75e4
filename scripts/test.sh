#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs, starts Elasticsearch and Redis, runs pytest.
# Extra arguments go to pytest (e.g. `bash scripts/test.sh -k rules`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
bash scripts/services.sh up
export WUZHA_TEST_REDIS_URL=${WUZHA_TEST_REDIS_URL:-redis://127.0.0.1:${WUZHA_TEST_REDIS_PORT:-6390}/0}
status=0
python3 -m pytest "$@" || status=$?
if [ "${WUZHA_KEEP_SERVICES:-}" != "1" ]; then bash scripts/services.sh down; fi
exit $status
