#!/usr/bin/env bash
# Shared by serve.sh and test.sh: a virtual environment with the project installed, and the
# translations compiled. Re-running is cheap: pip runs again only when pyproject.toml changed.
set -euo pipefail
cd "$(dirname "$0")/.."

extras="${1:-}"   # "test" for the test tools
python="${PYTHON:-python3}"

if [ ! -x .venv/bin/python ]; then
  echo "» creating .venv"
  "$python" -m venv .venv
fi
hash=$(sha256sum pyproject.toml | cut -c1-16)
stamp=".venv/.installed-${hash}${extras:+-$extras}"
# The test install includes everything serving needs.
if [ ! -e "$stamp" ] && { [ -n "$extras" ] || [ ! -e ".venv/.installed-${hash}-test" ]; }; then
  echo "» installing dependencies${extras:+ (with $extras)}"
  log=$(mktemp)
  if ! .venv/bin/python -m pip install --quiet --editable ".${extras:+[$extras]}" >"$log" 2>&1; then
    grep -v "is ignored" "$log" >&2
    exit 1
  fi
  rm -f "$log" .venv/.installed-*
  touch "$stamp"
fi
.venv/bin/python scripts/i18n.py compile
# instance/ holds the secret key, the SQLite database and the backups: its owner's only.
# (As root, nginx's workers run as nobody and must still reach instance/nginx/tmp: 0711.)
mkdir -p instance
if [ "$(id -u)" -eq 0 ]; then chmod 711 instance; else chmod 700 instance; fi
