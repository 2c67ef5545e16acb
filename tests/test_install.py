"""A real installation, as a community office would do it (issue 14): a fresh database,
`flask setup` with flags, `flask check-production`, the production start (nginx in front of
gunicorn), then over HTTP the admin signs in, enrolls the tablet and adds a class, the tablet
signs a resident up, a backup is taken and restored and the sign-up is still there; and no
demo account anywhere. Also: check-production refuses the demo's accounts (and the production
start with it), setup refuses a database that is set up already, and the sign-in page says what
to do before setup.

Each test makes its own database: a SQLite file, or with MULING_TEST_DATABASE_URL a fresh
PostgreSQL database next to that one (dropped afterwards)."""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from muling_kiosk.communities.services import DEMO_COMMUNITIES, DEMO_SUBDISTRICT
from muling_kiosk.staff.demo import DEMO_STAFF
from tests.test_production import free_port, nginx_or_skip

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get("MULING_TEST_DATABASE_URL")
PASSWORD = "river-side-2026!"
SETUP = ["setup", "--subdistrict", "河畔街道", "--subdistrict-en", "Riverside Subdistrict",
         "--community", "hepan:河畔社区:Hepan Community", "--community", "qiaodong:桥东社区",
         "--admin-username", "hepan-chief", "--admin-name", "街道管理员 孙丽",
         "--admin-password", PASSWORD, "--admin-pin", "918273"]

pytestmark = pytest.mark.slow


@pytest.fixture
def fresh_database(tmp_path):
    """The URL of an empty database (no schema: setup builds it)."""
    if not POSTGRES_URL:
        yield f"sqlite:///{tmp_path / 'kiosk.sqlite3'}"
        return
    name = f"muling_install_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                "WHERE datname = :name"), {"name": name})
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def environment(database_url: str, **extra) -> dict:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("MULING_", "DATABASE_", "FLASK_"))}
    env.update({"DATABASE_URL": database_url, "MULING_SECRET_KEY": "install-test",
                # Until tablets choose their community themselves: the one this box serves.
                "MULING_COMMUNITY": "hepan", **extra})
    return env


def flask(database_url: str, *args: str, **extra) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=ROOT,
                          env=environment(database_url, **extra), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=120, check=False)


def rows(database_url: str, query: str) -> list[tuple]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(query))]
    finally:
        engine.dispose()


class Production:
    """scripts/serve-production.sh on a database, started and stopped like a service."""

    def __init__(self, database_url: str):
        self.database_url = database_url
        self.run_dir = tempfile.mkdtemp(prefix="muling-install-")  # workers may be "nobody"
        os.chmod(self.run_dir, 0o755)  # noqa: S103 (a pid, logs, empty temporary folders)
        self.port, self.app_port = free_port(), free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = None

    def start(self) -> "Production":
        env = environment(self.database_url, MULING_PORT=str(self.port),
                          MULING_APP_PORT=str(self.app_port), MULING_RUN_DIR=self.run_dir,
                          MULING_WORKERS="1", MULING_THREADS="16")
        self.process = subprocess.Popen([str(ROOT / "scripts" / "serve-production.sh")],
                                        cwd=ROOT, env=env, start_new_session=True,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{self.base}/healthz", timeout=1).ok:
                    return self
            except requests.RequestException:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                error = self.process.stderr.read().decode()[-2000:]
                self.stop()
                raise RuntimeError(f"the production start failed: {error}")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        self.process.stderr.close()
        self.process = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.run_dir, ignore_errors=True)


@pytest.fixture
def production():
    started = []

    def start(database_url):
        nginx_or_skip()
        server = Production(database_url)
        started.append(server)
        return server.start()

    yield start
    for server in started:
        server.close()


def csrf(page: requests.Response) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, f"no CSRF token on {page.url}"
    return match.group(1)


def post(browser: requests.Session, base: str, path: str, data: dict,
         form_page: str | None = None) -> requests.Response:
    """A form sent as a browser does: the page first (its token), then the POST."""
    page = browser.get(base + (form_page or path), timeout=10)
    assert page.status_code == 200, (form_page or path, page.status_code)
    fields = {"csrf_token": csrf(page), **data}
    if 'name="request_key"' in page.text:
        fields["request_key"] = re.search(r'name="request_key" value="([^"]+)"',
                                          page.text).group(1)
    return browser.post(base + path, data=fields, timeout=10, allow_redirects=False)


def sign_in(base: str, username: str, password: str) -> requests.Session:
    browser = requests.Session()
    answer = post(browser, base, "/staff/login", {"username": username, "password": password})
    browser.last_answer = answer
    return browser


def test_a_fresh_install_serves_a_tablet_and_survives_a_backup_and_restore(
        fresh_database, production, tmp_path):
    done = flask(fresh_database, *SETUP)
    assert done.returncode == 0, done.stderr
    assert "河畔社区 (hepan)" in done.stdout
    check = flask(fresh_database, "check-production")
    assert check.returncode == 0 and "ready for production" in check.stdout, check.stderr
    server = production(fresh_database)
    base = server.base

    # The admin signs in with the password, on the tablet that will stay at the station.
    tablet = sign_in(base, "hepan-chief", PASSWORD)
    assert tablet.last_answer.status_code == 303
    [(hepan_id,)] = rows(fresh_database, "SELECT id FROM community WHERE slug = 'hepan'")
    enrolled = post(tablet, base, "/staff/stations", {"name": "驿站平板 1",
                                                      "community_id": str(hepan_id)})
    assert enrolled.status_code == 303 and "muling_station" in tablet.cookies

    # A class with one session, in the console (far ahead: the server runs on the real clock).
    added = post(tablet, base, "/staff/classes/new", {
        "title": "智能手机入门", "teacher": "志愿者 何老师", "place": "河畔社区活动室",
        "category": "other", "capacity": "12", "description": "", "community_id": hepan_id})
    assert added.status_code == 303, added.text[-800:]
    course_id = re.search(r"/staff/classes/(\d+)/sessions/new", added.headers["Location"])[1]
    sessions = post(tablet, base, f"/staff/classes/{course_id}/sessions/new", {
        "day": "2099-03-03", "start": "09:30", "minutes": "90", "weeks": "1", "capacity": "12"})
    assert sessions.status_code == 303, sessions.text[-800:]
    [(session_id,)] = rows(fresh_database, "SELECT id FROM class_session")

    # The staff member signs out; a resident signs up on the tablet in three screens.
    post(tablet, base, "/staff/logout", {}, form_page="/staff/")
    details = post(tablet, base, f"/classes/{session_id}/",
                   {"name": "居民 钱桂兰", "phone": "13912345678"})
    assert details.status_code == 303 and details.headers["Location"].endswith("/confirm")
    confirmed = post(tablet, base, f"/classes/{session_id}/confirm", {},
                     form_page=f"/classes/{session_id}/confirm")
    assert confirmed.status_code == 303 and "/classes/done/" in confirmed.headers["Location"]
    assert "报名成功" in tablet.get(base + confirmed.headers["Location"], timeout=10).text
    signed_up = "SELECT name FROM signup"
    assert rows(fresh_database, signed_up) == [("居民 钱桂兰",)]

    # A backup while serving; something after it; the restore brings back the backup's state.
    backup = tmp_path / "backups" / "kiosk.backup"
    taken = flask(fresh_database, "backup", str(backup))
    assert taken.returncode == 0 and backup.is_file(), taken.stderr
    console = sign_in(base, "hepan-chief", PASSWORD)
    later = post(console, base, "/staff/communities/", {"name": "备份之后社区", "slug": "later"})
    assert later.status_code == 303
    server.stop()
    restored = flask(fresh_database, "restore", "--yes", str(backup))
    assert restored.returncode == 0, restored.stderr
    server.start()
    console = sign_in(base, "hepan-chief", PASSWORD)
    roster = console.get(f"{base}/staff/classes/sessions/{session_id}", timeout=10)
    assert roster.status_code == 200 and "居民 钱桂兰" in roster.text
    communities = console.get(f"{base}/staff/communities/", timeout=10).text
    assert "河畔社区" in communities and "备份之后社区" not in communities

    # No demo account, no demo name, anywhere; the demo's passwords open nothing.
    assert rows(fresh_database, "SELECT username FROM staff") == [("hepan-chief",)]
    names = {name for (name,) in rows(fresh_database, "SELECT name FROM community")}
    names |= {name for (name,) in rows(fresh_database, "SELECT name FROM subdistrict")}
    assert names == {"河畔街道", "河畔社区", "桥东社区"}
    assert not names & {DEMO_SUBDISTRICT[1], *(row[1] for row in DEMO_COMMUNITIES)}
    for username, _name, _role, _community, password, _pin in DEMO_STAFF:
        assert sign_in(base, username, password).last_answer.status_code == 422
    assert flask(fresh_database, "check-production").returncode == 0


def test_check_production_and_the_production_start_refuse_the_demo_accounts(
        fresh_database, production):
    assert flask(fresh_database, *SETUP).returncode == 0
    assert flask(fresh_database, "seed-demo").returncode == 0  # someone ran the demo on it
    check = flask(fresh_database, "check-production")
    assert check.returncode == 1
    assert "jiedao, admin, zhuchi, gege" in check.stderr
    assert "flask --app app remove-demo-accounts" in check.stderr
    with pytest.raises(RuntimeError, match="remove-demo-accounts"):
        production(fresh_database)

    removed = flask(fresh_database, "remove-demo-accounts")
    assert removed.returncode == 0 and "jiedao, admin, zhuchi, gege" in removed.stdout
    assert flask(fresh_database, "check-production").returncode == 0
    closed = rows(fresh_database, "SELECT username, active, pin_hash FROM staff WHERE username "
                  "IN ('jiedao', 'admin', 'zhuchi', 'gege') ORDER BY id")
    assert [(name, bool(active), pin) for name, active, pin in closed] == [
        ("jiedao", False, None), ("admin", False, None), ("zhuchi", False, None),
        ("gege", False, None)]
    assert rows(fresh_database, "SELECT count(*) FROM audit_event "
                "WHERE action = 'staff.remove_demo'") == [(4,)]
    # The demo's seeding again does not open them again.
    assert flask(fresh_database, "seed-demo").returncode == 0
    assert flask(fresh_database, "check-production").returncode == 0


def test_a_real_account_called_admin_is_not_a_demo_account(fresh_database):
    assert flask(fresh_database, "setup", *SETUP[1:SETUP.index("--admin-username")],
                 "--admin-username", "admin", "--admin-password", PASSWORD,
                 "--admin-pin", "918273").returncode == 0
    assert flask(fresh_database, "check-production").returncode == 0


def test_demo_mode_is_refused_in_production(fresh_database):
    assert flask(fresh_database, *SETUP).returncode == 0
    check = flask(fresh_database, "check-production", MULING_DEMO="1")
    assert check.returncode == 1 and "MULING_DEMO" in check.stderr


def test_setup_on_a_database_that_is_set_up_changes_nothing(fresh_database):
    assert flask(fresh_database, *SETUP).returncode == 0
    again = flask(fresh_database, "setup", "--subdistrict", "另一街道", "--community",
                  "other:另一社区", "--admin-username", "second", "--admin-password", PASSWORD,
                  "--admin-pin", "572816")
    assert again.returncode == 1
    assert "already set up" in again.stderr and "Nothing was changed" in again.stderr
    assert rows(fresh_database, "SELECT username FROM staff") == [("hepan-chief",)]
    assert rows(fresh_database, "SELECT count(*) FROM subdistrict") == [(1,)]
    assert rows(fresh_database, "SELECT count(*) FROM community") == [(2,)]


def test_setup_says_what_is_missing_or_wrong_and_keeps_nothing(fresh_database):
    missing = flask(fresh_database, "setup", "--subdistrict", "河畔街道")
    assert missing.returncode == 2
    assert "--community, --admin-username, --admin-password, --admin-pin" in missing.stderr
    wrong = flask(fresh_database, "setup", "--subdistrict", "河畔街道",
                  "--community", "Bad Slug:河畔社区", "--community", "q:桥东社区",
                  "--community", "q:桥东社区", "--admin-username", "chief",
                  "--admin-password", "short", "--admin-pin", "123456")
    assert wrong.returncode == 1
    for message in ("community 1 slug: 1 到 40 个小写字母", "community 3 name: 已有社区叫这个名字",
                    "community 3 slug: q 已被另一个社区使用", "admin password: 至少要 8 个字符",
                    "admin pin: 这个 PIN 太容易被猜到"):
        assert message in wrong.stderr
    assert rows(fresh_database, "SELECT count(*) FROM subdistrict") == [(0,)]
    assert rows(fresh_database, "SELECT count(*) FROM staff") == [(0,)]
    assert flask(fresh_database, *SETUP).returncode == 0  # and then it works


def test_the_sign_in_page_says_to_run_setup_until_someone_can_sign_in(client, make_staff):
    page = client.get("/staff/login").get_data(as_text=True)
    assert "flask --app app setup" in page and 'name="password"' not in page
    make_staff("admin", community=None)
    page = client.get("/staff/login").get_data(as_text=True)
    assert "flask --app app setup" not in page and 'name="password"' in page


def test_without_an_admin_the_others_still_find_the_sign_in_form(client, make_staff):
    """The last admin deactivated is not a fresh install: a facilitator still signs in."""
    from muling_kiosk.extensions import db
    from muling_kiosk.staff.services import set_active

    admin = make_staff("admin", community=None)
    make_staff("facilitator")
    set_active(admin, False)
    db.session.commit()
    page = client.get("/staff/login").get_data(as_text=True)
    assert 'name="password"' in page and "flask --app app setup" not in page
