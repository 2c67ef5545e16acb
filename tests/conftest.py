"""Fixtures: an app with a fresh database per test, on SQLite or (MULING_TEST_DATABASE_URL)
on PostgreSQL, and a test client that carries the CSRF token like a browser does.

The `app` fixture keeps an application context open so a test can call services and
factories directly. Requests never share it: the test client runs each request in a clean
context, as a real server would, and afterwards ends the test's read transaction so the
test sees what the request committed. Browser tests read the database after
`db.session.rollback()` for the same reason (see `committed`).
"""

import contextvars
import itertools
import os
import random
import re
import shutil
import subprocess
import sys
import threading
import uuid
from datetime import datetime
from pathlib import Path

import pytest
import time_machine
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

from muling_kiosk import create_app, shutdown
from muling_kiosk.extensions import db
from muling_kiosk.stations.current import COOKIE as STATION_COOKIE

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get("MULING_TEST_DATABASE_URL")

# The suite's "now": every test starts at this instant (Asia/Shanghai, a Tuesday) and the clock
# runs on from there. No test may read the real date: the suite passes on any day.
# Checks that it does: MULING_TEST_NOW=2027-11-23T09:30+08:00 moves the suite's "now";
# MULING_WALL_CLOCK=2027-12-01T12:00+08:00 sets the machine's clock as Python code outside a
# test sees it (session fixtures, the servers tests start), as if the suite ran a year later.
TEST_NOW = datetime.fromisoformat(os.environ.get("MULING_TEST_NOW", "2026-11-24T09:30+08:00"))


def pytest_configure(config):
    if wall_clock := os.environ.get("MULING_WALL_CLOCK"):
        time_machine.travel(datetime.fromisoformat(wall_clock), tick=True).start()

pytest_plugins = ["tests.factories", "tests.factories_signups", "tests.factories_votes",
                  "tests.factories_suggestions", "tests.factories_stations", "tests.tv_displays"]


class KioskClient(FlaskClient):
    """A test client that sends the CSRF token the pages it fetched carry.

    It is the kiosk community's enrolled station tablet: as soon as that community exists, a
    station is enrolled for it (as an admin would) and the client keeps its cookie. A client
    made with `app.test_client(as_station=False)` (the `phone_client` fixture) is any other device."""

    as_station = True

    def __init__(self, *args, as_station: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.as_station = as_station
        if as_station:
            contextvars.Context().run(self._enroll_if_possible)
            _end_read_transaction()  # the test's session sees the new station

    def ensure_station(self) -> None:
        """Enroll this client now if the kiosk's community exists and it is not yet."""
        if self.as_station and self.get_cookie(STATION_COOKIE) is None:
            contextvars.Context().run(self._enroll_if_possible)
            _end_read_transaction()

    def open(self, *args, **kwargs):
        self.ensure_station()
        # A fresh contextvars context: Flask would otherwise reuse the test's app context
        # (and its g, its locale and its database session) for the request.
        response = contextvars.Context().run(self._open_and_settle, *args, **kwargs)
        _end_read_transaction()
        return response

    def _open_and_settle(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        if response.mimetype == "text/event-stream":
            # An event stream never ends: close it here, in the context that opened it
            # (tests that read one use live_server and real HTTP).
            response.close()
        return response

    def _enroll_if_possible(self) -> None:
        from muling_kiosk.communities.services import community_by_slug
        from tests.factories_stations import enroll_quietly

        with self.application.app_context():
            community = community_by_slug(self.application.config["COMMUNITY"])
            if community is not None:
                self.set_cookie(STATION_COOKIE, enroll_quietly(self.application, community))
            db.session.remove()

    def csrf_token(self, path: str = "/") -> str:
        # Followed: "/" sends a device without a community to the chooser (its token is as good).
        page = self.get(path, follow_redirects=True).get_data(as_text=True)
        match = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def post_form(self, url: str, data: dict | None = None, htmx: bool = False, **kwargs):
        data = dict(data or {})
        if "csrf_token" not in data:  # fetched only when needed: the home page it comes
            data["csrf_token"] = self.csrf_token()  # from forgets the person_ session keys
        headers = kwargs.pop("headers", {})
        if htmx:
            headers = {"HX-Request": "true", **headers}
        return self.post(url, data=data, headers=headers, **kwargs)


def _end_read_transaction() -> None:
    """Let the test's own session see what requests committed (it holds no pending work)."""
    from flask import has_app_context

    if has_app_context():
        session = db.session()
        if not (session.new or session.dirty or session.deleted):
            session.rollback()


@pytest.fixture(autouse=True)
def clock():
    """The clock every test runs on: TEST_NOW, ticking. `clock.move_to(when)` or
    `clock.shift(timedelta)` to travel; the server threads of a live server follow it too."""
    with time_machine.travel(TEST_NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _fresh_factory_numbers():
    """Factories number what they make from 1 in every test, so names (and screenshots) do
    not depend on which tests ran before."""
    from tests import factories, factories_signups, factories_suggestions

    for module in (factories, factories_signups, factories_suggestions):
        module._numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def _repeatable_tokens(request, monkeypatch):
    """Link tokens and tracking codes drawn from a generator seeded by the test's name: the same
    in every run, so a screenshot with a code or a TV address compares with the approved one."""
    from muling_kiosk import tokens

    monkeypatch.setattr(tokens, "generator", random.Random(request.node.nodeid))


@pytest.fixture
def committed():
    """Call before reading what another thread (a live server) committed."""
    def refresh():
        db.session.rollback()
        return db.session

    return refresh


def test_config(database_url: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "tests-only-" + uuid.uuid4().hex,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "RATELIMIT_ENABLED": False,
        "COMMUNITY": "shengli",
        "PUBLIC_BASE_URL": "http://kiosk.test",
        # Fast hashes: the tests sign in hundreds of times.
        "STAFF_PASSWORD_HASH": "pbkdf2:sha256:1000",
        "STAFF_PIN_HASH": "pbkdf2:sha256:1000",
    }


def _migrate(database_url: str) -> None:
    """Build the schema the way production does: through the migrations."""
    from flask_migrate import upgrade

    app = create_app(test_config(database_url))
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session", autouse=True)
def compiled_translations():
    subprocess.run([sys.executable, str(ROOT / "scripts" / "i18n.py"), "compile"], check=True)


@pytest.fixture(scope="session")
def schema_template(tmp_path_factory, compiled_translations):
    """SQLite: a migrated database file, copied for each test. PostgreSQL: one migrated
    database for the session (each test empties it afterwards)."""
    if POSTGRES_URL:
        name = f"muling_test_{uuid.uuid4().hex[:10]}"
        admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
        _migrate(url)
        yield url
        with admin.connect() as connection:
            connection.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"
            ), {"name": name})
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()
    else:
        path = tmp_path_factory.mktemp("schema") / "template.sqlite3"
        _migrate(f"sqlite:///{path}")
        yield path


@pytest.fixture
def database_url(schema_template, tmp_path):
    if POSTGRES_URL:
        yield schema_template
        _empty_postgres(schema_template)
    else:
        path = tmp_path / "kiosk.sqlite3"
        shutil.copyfile(schema_template, path)
        yield f"sqlite:///{path}"


def _empty_postgres(url: str) -> None:
    from muling_kiosk.database import Base

    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def make_app(database_url):
    """Build an app on this test's database, with extra settings."""
    apps = []

    def build(**overrides):
        app = create_app({**test_config(database_url), **overrides})
        app.test_client_class = KioskClient
        apps.append(app)
        return app

    yield build
    for app in apps:
        shutdown(app)


@pytest.fixture
def app(make_app):
    app = make_app()
    with app.app_context():
        yield app


@pytest.fixture
def live_server(app):
    """The test's app served over real HTTP on a free port, in threads (browser tests,
    concurrency tests)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def client(app) -> KioskClient:
    return app.test_client()


@pytest.fixture
def phone_client(app) -> KioskClient:
    """A resident's phone (or any device that is not the enrolled station tablet)."""
    return app.test_client(as_station=False)


@pytest.fixture
def runner(app):
    return app.test_cli_runner()
