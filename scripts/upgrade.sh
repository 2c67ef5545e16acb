#!/usr/bin/env bash
# The upgrade in one go (docs/INSTALL.md "升级 / Upgrading"):
#   a backup → stop the kiosk → git pull --ff-only → scripts/setup.sh → flask db upgrade → start
# Run it as root on a box installed with deploy/muling-kiosk.service:
#   /opt/muling-kiosk/scripts/upgrade.sh
# The steps that touch the checkout, the virtual environment and the database run as the
# checkout's owner (the service's user), with the service's settings (/etc/muling-kiosk.env, or
# MULING_ENV_FILE). Without systemd (or to drive the service yourself): --no-service, after
# stopping the kiosk by hand; start it again once the script says "upgraded".
# It refuses a checkout with local changes to tracked files: a pull would mix them in.
# If a step fails the kiosk stays stopped and the script says how to go back.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
service=muling-kiosk
use_service=1
for arg in "$@"; do
  case "$arg" in
    --no-service) use_service=0 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "unknown option: $arg (see --help)" >&2; exit 2 ;;
  esac
done

env_file="${MULING_ENV_FILE:-/etc/muling-kiosk.env}"
if [ -r "$env_file" ]; then
  set -a; . "$env_file"; set +a   # KEY=value lines, as systemd reads them
fi
export FLASK_APP=app

# As root: git, pip and flask as the checkout's owner, so that every file stays theirs.
owner="$(stat -c %U "$root")"
as_owner() {
  if [ "$(id -u)" -eq 0 ] && [ "$owner" != root ]; then
    runuser -u "$owner" -- env PATH="$PATH" "$@"
  else
    "$@"
  fi
}

if [ -n "$(as_owner git status --porcelain --untracked-files=no)" ]; then
  echo "The checkout $root has local changes (git status): commit, stash or undo them first." >&2
  exit 1
fi
if [ "$use_service" = 1 ] && ! command -v systemctl >/dev/null; then
  echo "systemctl is missing: stop the kiosk by hand, then run: $0 --no-service" >&2
  exit 1
fi

before="$(as_owner git rev-parse HEAD)"
echo "» backup before the upgrade"
backup="$(as_owner scripts/backup.sh)"
echo "  $backup"

stopped=0
if [ "$use_service" = 1 ]; then
  echo "» stopping $service"
  systemctl stop "$service"
  stopped=1
fi
on_failure() {
  echo >&2
  echo "The upgrade failed; the kiosk is stopped. To go back to where it was:" >&2
  echo "  cd $root && git reset --hard $before && scripts/setup.sh" >&2
  echo "  .venv/bin/flask --app app restore $backup" >&2
  [ "$stopped" = 1 ] && echo "  systemctl start $service" >&2
  exit 1
}
trap on_failure ERR

echo "» git pull --ff-only"
as_owner git pull --ff-only
echo "» scripts/setup.sh"
as_owner scripts/setup.sh
echo "» flask db upgrade"
as_owner .venv/bin/flask db upgrade
trap - ERR

if [ "$use_service" = 1 ]; then
  echo "» starting $service"
  systemctl start "$service"
fi
echo "» upgraded $(as_owner git rev-parse --short "$before") → $(as_owner git rev-parse --short HEAD)"
