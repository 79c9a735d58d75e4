#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs, checks the code (ruff, the import contracts
# of the floors: scripts/lint.sh), starts Elasticsearch and Redis, runs pytest.
# Extra arguments go to pytest (e.g. `bash scripts/test.sh tests/rules -q`; the code checks then
# are skipped).
#
# Where a Java 21+ JDK is present (Temurin 25 on most machines here), the Elasticsearch tests run
# a second time against a 9.x server, so the mappings and the 8.x client are checked against both
# majors the office may run. WUZHA_TEST_ES9=0 skips that second run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
source scripts/venv.sh
status=0
if [ $# -eq 0 ]; then bash scripts/lint.sh || status=$?; fi
bash scripts/services.sh up
export WUZHA_TEST_REDIS_URL=${WUZHA_TEST_REDIS_URL:-redis://127.0.0.1:${WUZHA_TEST_REDIS_PORT:-6390}/0}
python3 -m pytest "$@" || status=$?

ES9_JDK=${WUZHA_ES9_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
if [ "$status" -eq 0 ] && [ $# -eq 0 ] && [ "${WUZHA_TEST_ES9:-1}" != "0" ] \
   && [ -z "${ELASTICSEARCH_URL:-}" ] && [ -x "$ES9_JDK/bin/java" ]; then
  echo "== Elasticsearch tests again, against Elasticsearch 9 on $ES9_JDK"
  es9=(env WUZHA_STATE_DIR="${WUZHA_ES9_STATE_DIR:-/tmp/wuzha-es9}" WUZHA_ES_VERSION=9.5.4
       WUZHA_ES_PORT=9201 WUZHA_ES_JAVA_HOME="$ES9_JDK")
  # A 9.x server that already runs there is someone else's: used, and left running.
  es9_ours=1
  if "${es9[@]}" wuzha es status >/dev/null 2>&1; then es9_ours=0; fi
  if "${es9[@]}" wuzha es up; then
    ELASTICSEARCH_URL=http://127.0.0.1:9201 python3 -m pytest -q -m elasticsearch \
      tests/indexer tests/review tests/crawler/test_registry.py tests/crawler/test_pipelines.py \
      || status=$?
  else
    status=1
  fi
  if [ "$es9_ours" = 1 ]; then "${es9[@]}" wuzha es down || true; fi
fi

if [ "${WUZHA_KEEP_SERVICES:-}" != "1" ]; then bash scripts/services.sh down; fi
exit $status
