"""Seats under pressure, over real HTTP against a live server: many tablets and phones at once,
each a browser of its own (its own cookies and CSRF token). Runs on SQLite and PostgreSQL."""

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import select

from muling_kiosk.audit.models import AuditEvent
from muling_kiosk.signups.models import CONFIRMED, WAITING, WITHDRAWN, Signup
from muling_kiosk.stations.current import COOKIE as STATION_COOKIE

from .factories_signups import phone_number
from .factories_stations import enroll_station

pytestmark = pytest.mark.slow


def token_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def key_of(html: str) -> str:
    return re.search(r'name="request_key" value="([^"]+)"', html).group(1)


class Tablet:
    """One browser: its own cookies, its own CSRF token."""

    def __init__(self, base: str, station: str | None = None):
        """station: the cookie of an enrolled station tablet (tests.factories_stations)."""
        self.base = base
        self.http = requests.Session()
        if station:
            self.http.cookies.set(STATION_COOKIE, station)
        self.token = token_of(self.http.get(base + "/classes/", timeout=30).text)

    def get(self, path: str) -> requests.Response:
        return self.http.get(self.base + path, timeout=60)

    def post(self, path: str, data: dict) -> requests.Response:
        return self.http.post(self.base + path, data={"csrf_token": self.token, **data},
                              headers={"HX-Request": "true"}, timeout=60)

    def confirm_page(self, session_id: int, name: str, phone: str) -> str:
        """Screens 2 and 3: the details typed, the confirmation on screen."""
        answer = self.post(f"/classes/{session_id}/", {"name": name, "phone": phone})
        assert answer.status_code == 204, answer.text
        assert answer.headers["HX-Redirect"] == f"/classes/{session_id}/confirm"
        return self.get(f"/classes/{session_id}/confirm").text


def run_together(jobs):
    """Start every job at the same moment (a barrier), return their results in job order."""
    barrier = threading.Barrier(len(jobs))

    def run(job):
        prepared = job[0]()
        barrier.wait(timeout=60)
        return job[1](prepared)

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(run, jobs))


def test_twenty_sign_ups_at_once_for_five_places(live_server, make_class_session,
                                                 committed):
    session = make_class_session(capacity=5)
    sid = session.id

    def person(n):
        tablet = Tablet(live_server)

        def prepare():
            return tablet, key_of(tablet.confirm_page(sid, f"居民{n}", phone_number(n)))

        def confirm(prepared):
            tablet, key = prepared
            answer = tablet.post(f"/classes/{sid}/confirm", {"request_key": key})
            assert answer.status_code == 204, answer.text
            done = tablet.get(answer.headers["HX-Redirect"])
            assert done.status_code == 200
            return n, done.text

        return prepare, confirm

    screens = dict(run_together([person(n) for n in range(20)]))

    db = committed()
    rows = list(db.scalars(select(Signup).where(Signup.session_id == sid).order_by(Signup.id)))
    assert len(rows) == 20 and len({r.phone for r in rows}) == 20  # none lost, none twice
    assert [r.status for r in rows] == [CONFIRMED] * 5 + [WAITING] * 15  # arrival order
    assert [r.created_at for r in rows] == sorted(r.created_at for r in rows)
    # What each person was told matches what was stored.
    told_places = {}
    for row in rows:
        n = int(row.name.removeprefix("居民"))
        screen = screens[n]
        if row.status == CONFIRMED:
            assert "报名成功" in screen and "候补第" not in screen
        else:
            place = int(re.search(r"您排在候补第 (\d+) 位", screen).group(1))
            told_places[n] = place
    assert sorted(told_places.values()) == list(range(1, 16))
    waiting = [int(r.name.removeprefix("居民")) for r in rows if r.status == WAITING]
    assert [told_places[n] for n in waiting] == list(range(1, 16))


def test_the_same_confirmation_sent_twice_at_once_makes_one_sign_up(
        live_server, make_class_session, committed):
    session = make_class_session(capacity=5)
    sid = session.id
    first = Tablet(live_server)
    key = key_of(first.confirm_page(sid, "王秀英", "13812345678"))
    # A resend after a dropped connection: the same browser, the same form, twice at once.
    second = Tablet.__new__(Tablet)
    second.base, second.token = live_server, first.token
    second.http = requests.Session()
    second.http.cookies.update(first.http.cookies)

    def send(tablet):
        return (lambda: tablet), (lambda t: t.post(f"/classes/{sid}/confirm",
                                                   {"request_key": key}))

    answers = run_together([send(first), send(second)])
    assert [a.status_code for a in answers] == [204, 204]
    assert answers[0].headers["HX-Redirect"] == answers[1].headers["HX-Redirect"]
    rows = list(committed().scalars(select(Signup).where(Signup.session_id == sid)))
    assert len(rows) == 1 and rows[0].request_key == key


@pytest.mark.parametrize("round_", range(3))
def test_two_cancellations_racing_each_move_exactly_one_person_up(
        app, community, live_server, make_class_session, make_signup, committed, round_):
    session = make_class_session(capacity=2)
    station = enroll_station(app, community)[1]  # 我的报名 by number: the station tablet
    leaving = [make_signup(session=session, phone=phone_number(100 + i)) for i in range(2)]
    waiting = [make_signup(session=session, status=WAITING, phone=phone_number(200 + i))
               for i in range(3)]

    title = session.course.title
    people = [(s.id, s.phone) for s in leaving]  # plain values: the threads have no app context

    def cancel(signup_id, phone):
        def prepare():
            tablet = Tablet(live_server, station)
            assert tablet.post("/classes/mine", {"phone": phone}).status_code == 204
            assert title in tablet.get("/classes/mine").text
            return tablet

        def confirm(tablet):
            answer = tablet.post(f"/classes/mine/{signup_id}/cancel", {})
            assert answer.status_code == 204 and answer.headers["HX-Redirect"] == "/classes/mine"
            return answer

        return prepare, confirm

    run_together([cancel(*person) for person in people])

    db = committed()
    status = {r.id: r.status for r in db.scalars(
        select(Signup).where(Signup.session_id == session.id))}
    leaving, waiting = [db.get(Signup, s.id) for s in leaving], [db.get(Signup, s.id)
                                                                 for s in waiting]
    assert [status[s.id] for s in leaving] == [WITHDRAWN, WITHDRAWN]
    assert [status[s.id] for s in waiting] == [CONFIRMED, CONFIRMED, WAITING]
    assert list(status.values()).count(CONFIRMED) == session.capacity
    promotions = list(db.scalars(select(AuditEvent.target_id).where(
        AuditEvent.action == "signups.promote")))
    assert sorted(promotions) == sorted([str(waiting[0].id), str(waiting[1].id)])
