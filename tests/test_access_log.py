"""Access logs without the secret links (muling_kiosk/access_log.py for gunicorn, the
"muling_redacted" format of deploy/nginx.conf for nginx): a link that is its own key is
logged with "…" in place of the key, wherever it appears in a log line."""

import datetime
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests
from gunicorn.config import Config

from muling_kiosk.access_log import RedactingLogger, redact

ROOT = Path(__file__).resolve().parent.parent
SECRET = "Zq7Secret9x"
# Every link that is its own key, as a phone or a TV asks for it, and what the log keeps.
SECRET_LINKS = {
    f"/m/s/{SECRET}": "/m/s/…",
    f"/m/s/{SECRET}/confirm?screen=2": "/m/s/…/confirm?screen=2",
    f"/m/t/{SECRET}": "/m/t/…",
    f"/m/t/{SECRET}/photos/2": "/m/t/…/photos/2",
    f"/m/t/?code={SECRET}": "/m/t/?code=…",
    f"/m/v/{SECRET}?option=3": "/m/v/…?option=3",
    f"/vote/tv/{SECRET}": "/vote/tv/…",
    f"/vote/tv/{SECRET}/events?lang=en": "/vote/tv/…/events?lang=en",
    f"/vote/tv/{SECRET}/state?v=4": "/vote/tv/…/state?v=4",
}
# URL variables that are not keys: record numbers, or a key that works only in the browser
# whose session holds it (the sign-up's success screen).
NOT_SECRET = {"request_key", "image_format"}


@pytest.mark.parametrize("link", SECRET_LINKS)
def test_a_secret_link_is_logged_without_its_key(link):
    assert redact(link) == SECRET_LINKS[link]
    assert redact(f"http://kiosk.example{link}") == f"http://kiosk.example{SECRET_LINKS[link]}"


@pytest.mark.parametrize("link", ["/", "/classes/3/confirm", "/static/js/kiosk.js?v=ab12",
                                  "/suggest/board?category=parking&page=2", "/m/t/",
                                  "/staff/votes/7/minutes.csv"])
def test_other_links_are_logged_as_they_are(link):
    assert redact(link) == link


def test_every_url_variable_that_is_a_key_is_redacted(app):
    """A new secret link (a string in its path) must be added to access_log.py: each rule's
    string variables get a sample value, which must not survive redaction."""
    checked = set()
    for rule in app.url_map.iter_rules():
        names = [name for name, converter in rule._converters.items()
                 if type(converter).__name__ == "UnicodeConverter" and name not in NOT_SECRET]
        if not names:
            continue
        path = rule.rule
        for name in names:
            path = path.replace(f"<{name}>", SECRET)
        path = path.replace("<int:", "<").replace("<number>", "1")
        assert SECRET not in redact(path), f"{rule.rule} keeps its key in the access log"
        checked.add(rule.rule.split("<")[0])
    assert {"/m/s/", "/m/t/", "/m/v/", "/vote/tv/"} <= checked  # the check saw them


def test_gunicorn_writes_no_key_in_any_part_of_the_line():
    """The request line, the referer (the page that asked: a secret link itself), and the
    header and environ values a log format may name."""
    logger = RedactingLogger(Config())
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": f"/m%2Ft/{SECRET}?code={SECRET}",
               "PATH_INFO": f"/m/t/{SECRET}", "QUERY_STRING": f"code={SECRET}",
               "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "10.0.0.8",
               "HTTP_REFERER": f"http://kiosk/vote/tv/{SECRET}"}
    response = SimpleNamespace(status="200 OK", sent=12, headers=[("Content-Type", "text/html")])
    request = SimpleNamespace(headers=[("REFERER", f"http://kiosk/vote/tv/{SECRET}")])
    atoms = logger.atoms(response, request, environ, datetime.timedelta(milliseconds=3))
    assert atoms["r"] == "GET /m/t/…?code=… HTTP/1.1"
    assert atoms["f"] == "http://kiosk/vote/tv/…"
    assert not [key for key, value in atoms.items() if SECRET in str(value)]
    assert atoms["h"] == "10.0.0.8" and atoms["s"] == "200"


# nginx, for real: the configuration as serve-production.sh fills it in, its access log on in
# the redacted format, in front of a stand-in for gunicorn.

class _Upstream(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_nginx_logs_no_key():
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.path.exists(nginx):
        pytest.skip("nginx is not installed (apt-get install nginx-light)")
    upstream = ThreadingHTTPServer(("127.0.0.1", 0), _Upstream)
    upstream.daemon_threads = True
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    run = Path(tempfile.mkdtemp(prefix="muling-nginx-log-"))
    os.chmod(run, 0o755)  # noqa: S103 (nothing secret: a pid, logs, empty temp dirs)
    (run / "tmp").mkdir()
    if os.getuid() == 0:  # as serve-production.sh does: the workers are nobody
        shutil.chown(run / "tmp", "nobody", "nogroup")
    port = free_port()
    config = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    assert "access_log off;" in config
    config = (config.replace("@RUN@", str(run)).replace("@LISTEN@", f"127.0.0.1:{port}")
              .replace("@UPSTREAM@", f"127.0.0.1:{upstream.server_port}")
              .replace("@PER_ADDRESS@", "64").replace("@USER@", "")
              .replace("access_log off;", f"access_log {run}/access.log muling_redacted;"))
    (run / "nginx.conf").write_text(config, encoding="utf-8")
    process = subprocess.Popen([nginx, "-p", str(run), "-e", str(run / "error.log"),
                                "-c", str(run / "nginx.conf")], start_new_session=True,
                               stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 10
        while True:
            try:
                requests.get(f"{base}/", timeout=1)
                break
            except requests.RequestException:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(process.stderr.read().decode()) from None
                time.sleep(0.1)
        for link in SECRET_LINKS:
            requests.get(base + link, timeout=5,
                         headers={"Referer": f"{base}/vote/tv/{SECRET}"}).raise_for_status()
        requests.get(f"{base}//m//t/{SECRET}", timeout=5)  # nginx merges the slashes
        time.sleep(0.2)
        log = (run / "access.log").read_text(encoding="utf-8")
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
        process.stderr.close()
        upstream.shutdown()
        upstream.server_close()
        shutil.rmtree(run, ignore_errors=True)
    assert SECRET not in log
    for kept in SECRET_LINKS.values():
        kept = kept.replace("?code=…", "?…")  # nginx drops a query that holds a key whole
        assert f'"GET {kept} HTTP/1.1" 200' in log, (kept, log)
    assert '"GET /m/t/… HTTP/1.1" 200' in log
