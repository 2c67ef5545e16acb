#!/usr/bin/env bash
# Production: gunicorn on 127.0.0.1 behind nginx (Debian's nginx-light), which holds slow and
# idle clients so that they never take gunicorn's threads (README "In production").
#   MULING_HOST=0.0.0.0 MULING_PORT=8080 DATABASE_URL=… scripts/serve-production.sh
# Run scripts/setup.sh once before. nginx runs with its configuration, pid, logs and temporary
# files under instance/nginx/ (MULING_RUN_DIR), filled in from deploy/nginx.conf.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
host="${MULING_HOST:-127.0.0.1}"
port="${MULING_PORT:-5000}"
app_port="${MULING_APP_PORT:-5001}"      # gunicorn, reached only through nginx
run="${MULING_RUN_DIR:-$root/instance/nginx}"
nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"
[ -x "$nginx_bin" ] || { echo "nginx is missing: apt-get install nginx-light" >&2; exit 1; }

mkdir -p "$run/tmp"
user_line=""
if [ "$(id -u)" -eq 0 ]; then  # as root nginx's workers become nobody: let them write tmp
  user_line="user nobody nogroup;"
  chown -R nobody:nogroup "$run/tmp"
fi
sed -e "s|@RUN@|$run|g" -e "s|@LISTEN@|$host:$port|g" -e "s|@UPSTREAM@|127.0.0.1:$app_port|g" \
    -e "s|@PER_ADDRESS@|${MULING_CONNECTIONS_PER_ADDRESS:-64}|g" -e "s|@USER@|$user_line|g" \
    deploy/nginx.conf > "$run/nginx.conf"
"$nginx_bin" -q -t -p "$run" -e "$run/error.log" -c "$run/nginx.conf"

export FLASK_APP=app
export MULING_PROXY_COUNT=1  # nginx: the client's address and scheme come from its headers
.venv/bin/flask db upgrade
# Never the demo: no seeding here, and no start while its accounts or demo mode are on.
.venv/bin/flask check-production
case "${DATABASE_URL:-sqlite}" in
  postgresql*) workers="${MULING_WORKERS:-4}" ;;
  *) workers="${MULING_WORKERS:-1}" ;;
esac
# Each open TV stream still holds a thread (capped per meeting and per address in the app).
.venv/bin/gunicorn --workers "$workers" --threads "${MULING_THREADS:-256}" \
  --worker-class gthread --graceful-timeout 10 --bind "127.0.0.1:$app_port" \
  --access-logfile - --logger-class muling_kiosk.access_log.RedactingLogger app:app &
gunicorn_pid=$!
"$nginx_bin" -p "$run" -e "$run/error.log" -c "$run/nginx.conf" &
nginx_pid=$!
trap 'kill -TERM "$nginx_pid" "$gunicorn_pid" 2>/dev/null || true; wait' EXIT INT TERM
echo "» 睦邻驿站 kiosk on http://${host}:${port} (nginx → gunicorn on 127.0.0.1:${app_port})"
wait -n "$gunicorn_pid" "$nginx_pid"  # either one ending ends the other
