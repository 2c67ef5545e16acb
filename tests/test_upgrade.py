"""scripts/upgrade.sh on a checkout of its own (a clone of this one, whose upstream then gets
a new commit), with --no-service as on a box without systemd: a backup first, the new commit
pulled, the database at the newest migration with its data kept. A checkout with local changes
is refused before anything happens."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
GIT = ["git", "-c", "user.name=Upgrade test", "-c", "user.email=upgrade@test",
       "-c", "init.defaultBranch=main", "-c", "advice.detachedHead=false"]

pytestmark = pytest.mark.slow


def git(*args: str, cwd: Path) -> str:
    return subprocess.run([*GIT, *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout.strip()


@pytest.fixture
def box(tmp_path, database_url):
    """upstream: this checkout's files as they are now (uncommitted work included);
    box: a clone of it, sharing this checkout's virtual environment."""
    upstream = tmp_path / "upstream"
    shutil.copytree(ROOT, upstream, ignore=shutil.ignore_patterns(
        ".git", ".venv", "instance", "__pycache__", "*.mo", ".pytest_cache", ".ruff_cache",
        "test-results", "bench", "docs"))
    git("init", "-q", cwd=upstream)
    git("add", "-A", cwd=upstream)
    git("commit", "-qm", "the release installed", cwd=upstream)
    box = tmp_path / "box"
    git("clone", "-q", str(upstream), str(box), cwd=tmp_path)
    (box / ".venv").symlink_to(ROOT / ".venv")
    (box / "instance").mkdir(exist_ok=True)
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("MULING_", "DATABASE_", "FLASK_"))}
    env.update({"FLASK_APP": "app", "DATABASE_URL": database_url, "MULING_SECRET_KEY": "upgrade-test",
                "MULING_ENV_FILE": str(tmp_path / "no-such.env"),
                "MULING_BACKUP_DIR": str(tmp_path / "backups")})
    return upstream, box, env


def upgrade(box: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([str(box / "scripts" / "upgrade.sh"), "--no-service"], cwd=box,
                          env=env, capture_output=True, text=True, timeout=300, check=False)


def test_upgrade_pulls_migrates_and_keeps_the_data(box, app, make_community, tmp_path,
                                                   database_url):
    upstream, box, env = box
    make_community("kept", "留存社区")
    from muling_kiosk.extensions import db

    db.session.commit()
    engine = create_engine(database_url)
    with engine.begin() as connection:
        head = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    # The database one migration behind, as the new release's code would find it.
    subprocess.run([str(ROOT / ".venv" / "bin" / "flask"), "db", "downgrade"], cwd=box,
                   env=env, check=True, capture_output=True, timeout=120)
    with engine.begin() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() \
            != head
    (upstream / "RELEASE").write_text("next\n")
    git("add", "RELEASE", cwd=upstream)
    git("commit", "-qm", "the next release", cwd=upstream)

    result = upgrade(box, env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (box / "RELEASE").read_text() == "next\n"
    assert git("rev-parse", "HEAD", cwd=box) == git("rev-parse", "HEAD", cwd=upstream)
    backups = list((tmp_path / "backups").iterdir())
    assert len(backups) == 1 and str(backups[0]) in result.stdout
    with engine.begin() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() \
            == head
        assert connection.execute(text("SELECT name FROM community WHERE slug = 'kept'")) \
            .scalar() == "留存社区"
    engine.dispose()


def test_upgrade_refuses_a_checkout_with_local_changes(box, tmp_path):
    upstream, box, env = box
    (upstream / "RELEASE").write_text("next\n")
    git("add", "RELEASE", cwd=upstream)
    git("commit", "-qm", "the next release", cwd=upstream)
    with (box / "app.py").open("a") as handle:
        handle.write("# a local fix nobody committed\n")

    result = upgrade(box, env)
    assert result.returncode == 1
    assert "local changes" in result.stderr
    assert not (box / "RELEASE").exists()
    assert not (tmp_path / "backups").exists()
