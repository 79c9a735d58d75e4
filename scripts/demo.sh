#!/usr/bin/env bash
# The main job on a fresh machine: installs, then sweeps the bundled local site farm and writes
# the results to ./demo-out (pages.jsonl, findings.jsonl, summary.json, report.html). When
# ELASTICSEARCH_URL is set, or a local one runs (`wuzha es up`), results are indexed there too.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
source scripts/venv.sh
exec wuzha demo --out "${1:-demo-out}"
