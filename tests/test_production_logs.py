"""The production start's access log (scripts/serve-production.sh: gunicorn's, on stdout)
keeps no secret link: a TV's token never reaches it (muling_kiosk/access_log.py)."""

import os
import shutil
import signal
import subprocess
import tempfile
import time

import pytest
import requests

from muling_kiosk.extensions import db

from .test_production import ROOT, free_port, nginx_or_skip

pytestmark = pytest.mark.slow


def test_the_access_log_keeps_no_tv_token(database_url, make_poll, tmp_path):
    """A TV opens its link, its stream and asks for its state: gunicorn's access log (stdout,
    the journal under systemd) says so, without the token."""
    nginx_or_skip()
    token = make_poll().item.meeting.display_token
    db.session.commit()
    log = tmp_path / "access.log"
    run_dir = tempfile.mkdtemp(prefix="muling-nginx-")
    os.chmod(run_dir, 0o755)  # noqa: S103 (nothing secret: a pid, logs, empty temp dirs)
    port, app_port = free_port(), free_port()
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("MULING_", "DATABASE_"))}
    env.update({"DATABASE_URL": database_url, "MULING_SECRET_KEY": "production-test",
                "MULING_PORT": str(port), "MULING_APP_PORT": str(app_port),
                "MULING_RUN_DIR": run_dir, "MULING_WORKERS": "1", "MULING_THREADS": "8"})
    with log.open("wb") as out:
        process = subprocess.Popen([str(ROOT / "scripts" / "serve-production.sh")], cwd=ROOT,
                                   env=env, start_new_session=True, stdout=out,
                                   stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while not _answers(f"{base}/readyz"):
            assert process.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        assert requests.get(f"{base}/vote/tv/{token}", timeout=5).status_code == 200
        assert requests.get(f"{base}/vote/tv/{token}/state?v=0", timeout=5).status_code == 200
        with requests.get(f"{base}/vote/tv/{token}/events", stream=True, timeout=5) as stream:
            assert stream.status_code == 200
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
        shutil.rmtree(run_dir, ignore_errors=True)
    written = log.read_text(encoding="utf-8")
    assert token not in written
    assert '"GET /vote/tv/… HTTP/1.1" 200' in written
    assert '"GET /vote/tv/…/state?v=0 HTTP/1.1" 200' in written


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=1).ok
    except requests.RequestException:
        return False
