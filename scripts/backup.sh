#!/usr/bin/env bash
# One backup of the database now, then only the newest ones kept (deploy/muling-kiosk-backup.timer
# runs it every night; run it by hand before anything risky — scripts/upgrade.sh does).
#   MULING_BACKUP_DIR   where backups go (default instance/backups)
#   MULING_BACKUP_KEEP  how many to keep, newest first (default 14: two weeks of nights)
# Backups hold everyone's data: the folder is 0700 and each file 0600. Restore one with
#   .venv/bin/flask --app app restore instance/backups/muling-….sqlite3   (see docs/INSTALL.md)
set -euo pipefail
cd "$(dirname "$0")/.."
umask 077
dir="${MULING_BACKUP_DIR:-$(pwd)/instance/backups}"
keep="${MULING_BACKUP_KEEP:-14}"
case "$keep" in
  ''|*[!0-9]*|0) echo "MULING_BACKUP_KEEP must be a whole number of at least 1" >&2; exit 2 ;;
esac
case "${DATABASE_URL:-sqlite}" in
  postgresql*) kind=pgdump ;;
  *) kind=sqlite3 ;;
esac

mkdir -p "$dir"
chmod 700 "$dir"
# UTC to the nanosecond: names sort by time, and two backups never share one.
name="muling-$(date -u +%Y%m%dT%H%M%S.%NZ).$kind"
partial="$dir/.partial-$name"
trap 'rm -f -- "$partial"' EXIT
# Written under another name first: a failed backup never counts among the kept ones.
.venv/bin/flask --app app backup "$partial" >/dev/null
mv -- "$partial" "$dir/$name"
echo "$dir/$name"

mapfile -t newest_first < <(find "$dir" -maxdepth 1 -type f -name 'muling-*Z.*' -printf '%f\n' |
                            sort -r)
for old in "${newest_first[@]:keep}"; do
  rm -f -- "${dir:?}/$old"
done
