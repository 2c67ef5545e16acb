#!/usr/bin/env bash
# The benchmarks in one command (bench/README.md). Arguments go to bench/run.py, e.g.
#   bench/run.sh                      SQLite, factor 1: reads, writes, live, page weight, burst
#   bench/run.sh --growth --only reads
#   bench/run.sh --postgres           PostgreSQL, 4 workers, Redis rate limits
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
.venv/bin/python -m pip install --quiet --editable ".[test,bench]" 2>&1 | grep -v "is ignored" || true
if ! command -v wrk >/dev/null; then
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get install -y -qq wrk chromium >/dev/null
fi
exec .venv/bin/python bench/run.py "$@"
