"""scripts/backup.sh as the nightly timer runs it: a process of its own on the configured
database, files only their owner can read, the oldest dropped beyond MULING_BACKUP_KEEP, and
`flask restore` of the newest one gives the data back. The SQLite database itself is 0600."""

import os
import stat
import subprocess
from pathlib import Path

from sqlalchemy import select

from muling_kiosk.communities.models import Community
from muling_kiosk.extensions import db

ROOT = Path(__file__).resolve().parent.parent


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def kiosk_env(database_url: str, **more: str) -> dict:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("MULING_", "DATABASE_", "FLASK_"))}
    env.update({"DATABASE_URL": database_url, "MULING_SECRET_KEY": "backup-test",
                "PATH": f"{ROOT / '.venv' / 'bin'}:{env.get('PATH', '')}", **more})
    return env


def run(command: list[str], env: dict) -> str:
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_backups_rotate_are_private_and_restore(app, database_url, make_community, tmp_path):
    make_community("kept", "留存社区")
    db.session.commit()
    folder = tmp_path / "backups"
    env = kiosk_env(database_url, MULING_BACKUP_DIR=str(folder), MULING_BACKUP_KEEP="3")
    # The umask of a careless shell: the script must not rely on the caller's.
    written = [run(["bash", "-c", "umask 022 && scripts/backup.sh"], env).strip()
               for _ in range(5)]

    files = sorted(folder.iterdir())
    assert [str(f) for f in files] == written[2:]  # the three newest, nothing else
    assert all(mode(f) == 0o600 for f in files), [oct(mode(f)) for f in files]
    assert mode(folder) == 0o700

    make_community("later", "后来社区")
    db.session.commit()
    run([str(ROOT / ".venv" / "bin" / "flask"), "--app", "app", "restore", "--yes",
         written[-1]], env)
    db.session.rollback()
    slugs = set(db.session.scalars(select(Community.slug)))
    assert "kept" in slugs and "later" not in slugs


def test_a_failed_backup_leaves_the_kept_ones_alone(database_url, tmp_path):
    folder = tmp_path / "backups"
    good = kiosk_env(database_url, MULING_BACKUP_DIR=str(folder), MULING_BACKUP_KEEP="1")
    kept = run(["scripts/backup.sh"], good).strip()
    broken = dict(good, DATABASE_URL=f"sqlite:///{tmp_path}/gone/nothing.sqlite3"
                  if database_url.startswith("sqlite")
                  else "postgresql+psycopg://postgres@127.0.0.1:9/nothing")
    result = subprocess.run(["scripts/backup.sh"], cwd=ROOT, env=broken, capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode != 0
    assert [str(f) for f in folder.iterdir()] == [kept]


def test_keep_must_be_a_number(database_url, tmp_path):
    folder = tmp_path / "backups"
    env = kiosk_env(database_url, MULING_BACKUP_DIR=str(folder), MULING_BACKUP_KEEP="0")
    result = subprocess.run(["scripts/backup.sh"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode == 2 and not folder.exists()


def test_the_sqlite_database_is_private(make_app, tmp_path):
    path = tmp_path / "fresh.sqlite3"
    old = os.umask(0o022)  # a careless shell's
    try:
        make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}")
    finally:
        os.umask(old)
    assert mode(path) == 0o600
