"""A power cut in the middle of the meeting: the server is killed with SIGKILL while sign-ups
and ballots stream in, then started again. Every write a person saw confirmed must be there,
the database must be whole, and nothing may be half-written."""

import os
import re
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from muling_kiosk.extensions import db
from muling_kiosk.signups.models import Signup
from muling_kiosk.stations import services as station_services
from muling_kiosk.stations.current import COOKIE as STATION_COOKIE
from muling_kiosk.votes.models import Ballot, PollOption

from .factories_stations import enroll_station

ROOT = Path(__file__).resolve().parent.parent
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
SECRET_KEY = "crash-test"

pytestmark = pytest.mark.slow


def start_server(database_url: str, port: int) -> subprocess.Popen:
    """The app as deployed: gunicorn, gthread, one process."""
    env = {**os.environ, "DATABASE_URL": database_url, "MULING_SECRET_KEY": SECRET_KEY,
           "MULING_COMMUNITY": "shengli"}
    now = datetime.now(UTC).isoformat()  # the test's clock (see tests/clocked.py)
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "clocked.py"), now,
         "gunicorn", "--workers", "1", "--threads", "8",
         "--worker-class", "gthread", "--bind", f"127.0.0.1:{port}", "--log-level", "error",
         "app:app"], cwd=ROOT, env=env, start_new_session=True)
    for _ in range(100):
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok:
                return process
        except requests.RequestException:
            time.sleep(0.1)
    os.killpg(process.pid, signal.SIGKILL)
    raise RuntimeError("the server did not start")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Writer:
    """A tablet sending sign-ups and ballots until stopped; it keeps the request keys of
    the writes it saw confirmed."""

    def __init__(self, base: str, session_id: int, poll_id: int, option_ids: list[int],
                 station: str):
        self.base, self.session_id, self.poll_id = base, session_id, poll_id
        self.station = station  # the cookie of this tablet's enrollment
        self.option_ids = option_ids
        self.signups: list[str] = []
        self.ballots: list[str] = []

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                self.sign_up()
                self.vote()
            except (requests.RequestException, AttributeError):
                time.sleep(0.05)  # the server is gone, or answered half: try again

    def sign_up(self) -> None:
        browser = requests.Session()
        path = f"{self.base}/classes/{self.session_id}/"
        token = TOKEN.search(browser.get(path, timeout=5).text).group(1)
        phone = "139" + "".join(secrets.choice("0123456789") for _ in range(8))
        browser.post(path, data={"csrf_token": token, "name": "王秀英", "phone": phone},
                     allow_redirects=False, timeout=5)
        key = secrets.token_urlsafe(16)
        answer = browser.post(path + "confirm", data={"csrf_token": token, "request_key": key},
                              allow_redirects=False, timeout=5)
        if answer.status_code == 303 and "/classes/done/" in answer.headers["Location"]:
            self.signups.append(key)

    def vote(self) -> None:
        browser = requests.Session()
        browser.cookies.set(STATION_COOKIE, self.station)
        path = f"{self.base}/vote/poll/{self.poll_id}"
        token = TOKEN.search(browser.get(path, timeout=5).text).group(1)
        # 下一位: the ballot before this one (if any) was recorded, the tablet takes another.
        browser.post(path + "/next", data={"csrf_token": token}, timeout=5)
        key = secrets.token_urlsafe(16)
        answer = browser.post(path, data={"csrf_token": token, "request_key": key,
                                          "option_id": secrets.choice(self.option_ids)},
                              headers={"HX-Request": "true"}, timeout=5)
        if answer.status_code == 200 and "已记录" in answer.text:
            self.ballots.append(key)


def test_a_killed_server_keeps_every_confirmed_write(app, community, make_class_session,
                                                    make_poll, committed):
    session = make_class_session(capacity=200)
    poll = make_poll(channels=("pass",))
    option_ids = [o.id for o in poll.options]
    database_url = app.config["SQLALCHEMY_DATABASE_URI"]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    stations = [enroll_station(app, community, f"平板 {n}", secret_key=SECRET_KEY)
                for n in range(4)]
    for station, _cookie in stations:  # each handed over by the facilitator
        station_services.arm_ballot(station, poll.id)
    db.session.commit()
    writers = [Writer(base, session.id, poll.id, option_ids, cookie) for _s, cookie in stations]
    stop = threading.Event()
    server = start_server(database_url, port)
    threads = [threading.Thread(target=w.run, args=(stop,)) for w in writers]
    for thread in threads:
        thread.start()
    try:
        deadline = time.monotonic() + 20
        while sum(len(w.signups) + len(w.ballots) for w in writers) < 40:
            assert time.monotonic() < deadline, "the writers got nothing confirmed"
            time.sleep(0.05)
        os.killpg(server.pid, signal.SIGKILL)  # mid-stream: requests are in flight
        server.wait(timeout=10)
        before_restart = sum(len(w.signups) + len(w.ballots) for w in writers)
        time.sleep(0.3)
        server = start_server(database_url, port)
        deadline = time.monotonic() + 20
        while sum(len(w.signups) + len(w.ballots) for w in writers) < before_restart + 10:
            assert time.monotonic() < deadline, "the restarted server confirms nothing"
            time.sleep(0.05)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=20)
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)

    confirmed_signups = [key for w in writers for key in w.signups]
    confirmed_ballots = [key for w in writers for key in w.ballots]
    db_session = committed()
    stored_signups = set(db_session.scalars(
        select(Signup.request_key).where(Signup.session_id == session.id)))
    stored_ballots = set(db_session.scalars(
        select(Ballot.request_key).where(Ballot.poll_id == poll.id)))
    # Both kinds of write went through (a class that had begun would refuse every sign-up).
    assert confirmed_signups and confirmed_ballots
    assert set(confirmed_signups) <= stored_signups
    assert set(confirmed_ballots) <= stored_ballots
    assert len(confirmed_signups) == len(set(confirmed_signups))  # nothing counted twice
    # Nothing half-written: every sign-up whole, every ballot on an option of its poll,
    # no more places given than there are.
    halves = db_session.scalar(select(func.count(Signup.id)).where(
        Signup.session_id == session.id,
        (Signup.name == "") | (Signup.phone.is_(None)) | (Signup.status.is_(None))))
    assert halves == 0
    strays = db_session.scalar(select(func.count(Ballot.id)).join(
        PollOption, Ballot.option_id == PollOption.id).where(
        Ballot.poll_id == poll.id, PollOption.poll_id != poll.id))
    assert strays == 0
    confirmed_places = db_session.scalar(select(func.count(Signup.id)).where(
        Signup.session_id == session.id, Signup.status == "confirmed"))
    assert confirmed_places <= 200
    if db.engine.dialect.name == "sqlite":
        path = database_url.removeprefix("sqlite:///")
        with sqlite3.connect(path) as check:
            assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
