#!/usr/bin/env bash
# Set up and run every test: lint, unit and flow tests, and the browser tests in Debian's
# Chromium (installed here if missing, as is nginx-light for the production setup's test).
# MULING_TEST_DATABASE_URL=postgresql+psycopg://… runs the same suite on PostgreSQL. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test

if [ ! -x /usr/bin/chromium ]; then
  echo "» installing Debian's chromium for the browser tests"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
fi
if [ ! -x /usr/sbin/nginx ]; then
  echo "» installing Debian's nginx-light for the production setup's test"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq nginx-light >/dev/null
fi

.venv/bin/ruff check .
# A skipped browser suite is a failure, not a pass.
export MULING_REQUIRE_BROWSER=1
export MULING_REQUIRE_NGINX=1  # and so is a skipped production setup (tests/test_production.py)
exec .venv/bin/python -m pytest "$@"
