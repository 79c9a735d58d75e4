#!/usr/bin/env bash
# Starts (`up`) or stops (`down`) the services the tests need: a local Elasticsearch (unless
# ELASTICSEARCH_URL names one) and a Redis on 127.0.0.1:6390 (WUZHA_TEST_REDIS_PORT).
#
# `down` stops only what `up` started itself. A Redis already answering on the port, or an
# Elasticsearch `wuzha es up` had already started, is used and left running: `up` records the
# pid of each server it starts in WUZHA_SERVICES_DIR (one folder per checkout), and `down` stops
# a server only when that pid is still the server on that port.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh
REDIS_PORT=${WUZHA_TEST_REDIS_PORT:-6390}
OWN=${WUZHA_SERVICES_DIR:-${TMPDIR:-/tmp}/wuzha-services-$(id -u)-$(pwd | cksum | cut -d' ' -f1)}
mkdir -p "$OWN"

# The pid of the local Elasticsearch `wuzha es up` runs, when its state file names one that
# answers; nothing otherwise.
es_pid() {
  python3 - <<'PY'
import json
from ground.settings import get_settings
from indexer.localstate import LocalServer, health, local_url
settings = get_settings()
url = local_url(settings)
if url and health(url):
    print(json.loads(LocalServer.from_settings(settings).state_file.read_text())["pid"])
PY
}

# Whether pid $1 is a redis-server serving port $2.
is_our_redis() {
  [ -r "/proc/$1/cmdline" ] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -q "redis-server.*:$2\b"
}

case "${1:-up}" in
  up)
    if [ -z "${ELASTICSEARCH_URL:-}" ]; then
      running=$(es_pid)
      if [ -n "$running" ]; then
        echo "Elasticsearch already running (pid $running): used, not started here; \`down\` leaves it alone"
        rm -f "$OWN/es.pid"
      else
        wuzha es up
        es_pid >"$OWN/es.pid"
      fi
    fi
    if redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
      echo "Redis already answers on 127.0.0.1:$REDIS_PORT: used, not started here; \`down\` leaves it alone"
      rm -f "$OWN/redis.pid"
    else
      redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --daemonize yes --save "" \
        --appendonly no --dir "$OWN" --pidfile "$OWN/redis.pid" --logfile "$OWN/redis.log"
      for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
    fi
    echo "Redis is up: redis://127.0.0.1:$REDIS_PORT/0"
    ;;
  down)
    pid=$(cat "$OWN/redis.pid" 2>/dev/null || true)
    if [ -n "$pid" ] && is_our_redis "$pid" "$REDIS_PORT"; then
      kill "$pid"
      for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      echo "Stopped the Redis on 127.0.0.1:$REDIS_PORT (pid $pid)."
    else
      echo "Redis on 127.0.0.1:$REDIS_PORT was not started by scripts/services.sh: left alone."
    fi
    rm -f "$OWN/redis.pid"
    if [ -z "${ELASTICSEARCH_URL:-}" ]; then
      started=$(cat "$OWN/es.pid" 2>/dev/null || true)
      if [ -n "$started" ] && [ "$started" = "$(es_pid)" ]; then
        wuzha es down || true
      else
        echo "Elasticsearch was not started by scripts/services.sh: left alone."
      fi
      rm -f "$OWN/es.pid"
    fi
    ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
