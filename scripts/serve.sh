#!/usr/bin/env bash
# Set up and serve the kiosk with demo data on the embedded SQLite in instance/, in demo mode.
#   MULING_HOST=0.0.0.0 ./scripts/serve.sh   to let phones on the station's Wi-Fi reach it
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export FLASK_APP=app
# Demo mode: every browser is the default community's station tablet (a "演示" mark in the
# bar), so a newcomer can try every screen from one browser. A real station enrolls its tablet.
export MULING_DEMO="${MULING_DEMO:-1}"
.venv/bin/flask db upgrade
.venv/bin/flask seed-demo
host="${MULING_HOST:-127.0.0.1}"
port="${MULING_PORT:-5000}"
echo "» 睦邻驿站 kiosk on http://${host}:${port}"
# SQLite: one process (its writers queue on one lock); PostgreSQL: several. Many threads:
# each TV display holds one while its event stream is open.
case "${DATABASE_URL:-sqlite}" in
  postgresql*) workers="${MULING_WORKERS:-4}" ;;
  *) workers="${MULING_WORKERS:-1}" ;;
esac
exec .venv/bin/gunicorn --workers "$workers" --threads "${MULING_THREADS:-256}" \
  --worker-class gthread --graceful-timeout 10 --bind "${host}:${port}" \
  --access-logfile - app:app
