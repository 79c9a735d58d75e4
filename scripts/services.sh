#!/usr/bin/env bash
# Starts (`up`) or stops (`down`) the services the tests need: a local Elasticsearch (unless
# ELASTICSEARCH_URL names one) and a Redis on 127.0.0.1:6390. Source-safe: prints exports.
set -euo pipefail
cd "$(dirname "$0")/.."
REDIS_PORT=${WUZHA_TEST_REDIS_PORT:-6390}
STATE=${TMPDIR:-/tmp}/wuzha-test-redis
case "${1:-up}" in
  up)
    if [ -z "${ELASTICSEARCH_URL:-}" ]; then wuzha es up; fi
    mkdir -p "$STATE"
    if ! redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
      redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --daemonize yes --save "" \
        --appendonly no --dir "$STATE" --pidfile "$STATE/redis.pid" --logfile "$STATE/redis.log"
      for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
    fi
    echo "Redis is up: redis://127.0.0.1:$REDIS_PORT/0"
    ;;
  down)
    redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
    if [ -z "${ELASTICSEARCH_URL:-}" ]; then wuzha es down || true; fi
    ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
