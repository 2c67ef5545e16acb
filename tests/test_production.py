"""The production setup (scripts/serve-production.sh: nginx in front of gunicorn) over real
HTTP: clients that open a connection and send their headers slowly, or never, are held by
nginx, so that pages still answer. (Without nginx each of them holds one of gunicorn's
threads: bench/connections.py measures both.)"""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def nginx_or_skip() -> None:
    if shutil.which("nginx") or os.path.exists("/usr/sbin/nginx"):
        return
    if os.environ.get("MULING_REQUIRE_NGINX"):  # scripts/test.sh installs it
        pytest.fail("nginx is missing")
    pytest.skip("nginx is not installed (apt-get install nginx-light)")


@pytest.fixture
def production(database_url):
    """scripts/serve-production.sh on this test's database; yields nginx's address."""
    nginx_or_skip()
    run_dir = tempfile.mkdtemp(prefix="muling-nginx-")  # nginx's workers may be "nobody"
    os.chmod(run_dir, 0o755)  # noqa: S103 (nothing secret: a pid, logs, empty temp dirs)
    port, app_port = free_port(), free_port()
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("MULING_", "DATABASE_"))}
    env.update({"DATABASE_URL": database_url, "MULING_SECRET_KEY": "production-test",
                "MULING_COMMUNITY": "shengli", "MULING_PORT": str(port),
                "MULING_APP_PORT": str(app_port), "MULING_RUN_DIR": run_dir,
                # One process: the TV caps are counted per process.
                "MULING_WORKERS": "1", "MULING_THREADS": "32"})
    process = subprocess.Popen([str(ROOT / "scripts" / "serve-production.sh")], cwd=ROOT,
                               env=env, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"{base}/healthz", timeout=1).ok:
                    break
            except requests.RequestException:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the production setup did not start: "
                                   f"{process.stderr.read().decode()[-2000:]}")
            time.sleep(0.2)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
        process.stderr.close()
        shutil.rmtree(run_dir, ignore_errors=True)


def test_a_page_answers_while_a_hundred_clients_send_their_headers_slowly(
        production, community, committed):
    port = int(production.rsplit(":", 1)[1])
    slow = []
    try:
        for _ in range(100):  # more than gunicorn's 32 threads here
            connection = socket.create_connection(("127.0.0.1", port), timeout=5)
            connection.sendall(b"GET / HTTP/1.1\r\nHost: kiosk\r\n")  # and never the end
            slow.append(connection)
        time.sleep(0.5)

        started = time.monotonic()
        page = requests.get(f"{production}/", timeout=5)
        assert page.status_code == 200 and "胜利社区" in page.text
        assert time.monotonic() - started < 5
        # The slow clients are still connected: nginx holds them, not gunicorn.
        slow[0].sendall(b"\r\n")
        assert slow[0].recv(64).startswith(b"HTTP/1.1 200")
    finally:
        for connection in slow:
            connection.close()


def test_tv_streams_pass_through_and_are_capped_by_the_address_nginx_saw(
        production, make_poll, displays):
    """The event stream is not buffered (its first event arrives at once); nginx replaces
    X-Forwarded-For and the app trusts one proxy (MULING_PROXY_COUNT=1), so a client that
    sends its own header is still counted at its own address."""
    token = make_poll().item.meeting.display_token
    four = [displays(production, token, headers={"X-Forwarded-For": f"10.9.9.{n}"})
            for n in range(4)]
    assert all(display.is_open and "event: display" in display.first_event
               for display in four)
    fifth = displays(production, token, headers={"X-Forwarded-For": "10.9.9.99"})
    assert not fifth.is_open and "event: display" in fifth.first_event
    assert displays(production, token, address="127.0.0.2").is_open
