"""Ballots and taps sent at the same moment over real HTTP (a threaded server, one requests
session per phone or tablet): nothing is lost, nothing counts twice, and the close is a clean
line — every ballot is either counted before it or refused after it."""

import secrets
import threading

import pytest
import requests
from sqlalchemy import func, select

from muling_kiosk.votes import services
from muling_kiosk.votes.models import Ballot, HandCount, Poll

from .factories_votes import csrf_of, option_id

pytestmark = pytest.mark.slow


def run_together(jobs):
    """Start every job at the same moment (a barrier); their results in order."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(index, job):
        barrier.wait()
        results[index] = job()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


class Phone:
    """A resident's phone: opened the QR link once (device cookie and CSRF token)."""

    def __init__(self, base, poll):
        self.http = requests.Session()
        self.url = f"{base}/m/v/{poll.phone_token}"
        page = self.http.get(self.url, timeout=30)
        assert page.status_code == 200 and "muling_device" in self.http.cookies
        self.csrf = csrf_of(page.text)

    def vote(self, option, key=None):
        return self.http.post(self.url, data={
            "csrf_token": self.csrf, "option_id": option,
            "request_key": key or secrets.token_urlsafe(16)}, allow_redirects=False, timeout=60)


class Facilitator:
    """A signed-in facilitator; taps from several threads share the sign-in."""

    def __init__(self, base, staff, poll):
        self.base, self.poll = base, poll
        http = requests.Session()
        login = http.get(f"{base}/staff/login", timeout=30)
        signed_in = http.post(f"{base}/staff/login", data={
            "csrf_token": csrf_of(login.text), "username": staff.username,
            "password": "correct horse"}, allow_redirects=False, timeout=30)
        assert signed_in.status_code == 303
        page = http.get(f"{base}/vote/run/polls/{poll.id}", timeout=30)
        assert page.status_code == 200
        self.csrf, self.cookies = csrf_of(page.text), http.cookies.get_dict()

    def post(self, path, data):
        http = requests.Session()
        http.cookies.update(self.cookies)
        return http.post(f"{self.base}/vote/run/polls/{self.poll.id}/{path}",
                         data={"csrf_token": self.csrf, **data}, allow_redirects=False,
                         timeout=60)

    def tap(self, option, key=None):
        return self.post("tap", {"option_id": option,
                                 "request_key": key or secrets.token_urlsafe(16)})

    def close(self):
        return self.post("close", {})


def count(session, model):
    return session.scalar(select(func.count(model.id)))


def test_fifty_phone_ballots_and_fifty_taps_at_once_are_counted_exactly(
        live_server, make_poll, make_staff, committed):
    poll = make_poll()
    yes, no = option_id(poll, "赞成"), option_id(poll, "反对")
    phones = [Phone(live_server, poll) for _ in range(50)]
    facilitator = Facilitator(live_server, make_staff("facilitator"), poll)
    jobs = [lambda p=p, i=i: p.vote(yes if i % 3 else no) for i, p in enumerate(phones)]
    jobs += [lambda i=i: facilitator.tap(yes if i % 2 else no) for i in range(50)]
    results = run_together(jobs)

    assert [r.status_code for r in results] == [303] * 100
    session = committed()
    db_poll = session.get(Poll, poll.id)
    figures = services.live_tally(db_poll)
    assert (figures.phone, figures.hand, figures.pass_) == (50, 50, 0)
    by_option = {o.id: o for o in figures.options}
    assert (by_option[yes].phone, by_option[no].phone) == (33, 17)
    assert (by_option[yes].hand, by_option[no].hand) == (25, 25)
    assert count(session, Ballot) == 50 and count(session, HandCount) == 50
    assert db_poll.version == 100  # one step per accepted write


def test_ballots_racing_the_close_are_counted_before_it_or_refused_after_it(
        live_server, make_poll, make_staff, committed):
    poll = make_poll()
    yes = option_id(poll, "赞成")
    phones = [Phone(live_server, poll) for _ in range(40)]
    facilitator = Facilitator(live_server, make_staff("facilitator"), poll)
    jobs = [lambda p=p: p.vote(yes) for p in phones[:20]]
    jobs.append(facilitator.close)
    jobs += [lambda p=p: p.vote(yes) for p in phones[20:]]
    results = run_together(jobs)

    closing = results.pop(20)
    assert closing.status_code == 303
    accepted = [r for r in results if r.status_code == 303]
    refused = [r for r in results if r.status_code != 303]
    assert all(r.status_code == 409 and "投票已结束" in r.text for r in refused)
    session = committed()
    db_poll = session.get(Poll, poll.id)
    assert db_poll.status == "closed"
    # None counted after the close, none accepted before it lost:
    assert db_poll.figures["total"] == len(accepted) == count(session, Ballot)
    assert services.tally(db_poll).phone == len(accepted)
    latest = session.scalar(select(func.max(Ballot.created_at)))
    assert latest is None or latest <= db_poll.closed_at
    # And whoever was refused can still not vote: the poll stays closed.
    assert phones[-1].vote(yes).status_code in (303, 409)
    session = committed()
    assert count(session, Ballot) == len(accepted)


def test_a_double_tap_counts_once_and_a_phone_resubmitting_gets_its_ballot(
        live_server, make_poll, make_staff, committed):
    poll = make_poll()
    yes, no = option_id(poll, "赞成"), option_id(poll, "反对")
    facilitator = Facilitator(live_server, make_staff("facilitator"), poll)
    shaky = Phone(live_server, poll)
    tap_key, ballot_key = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    results = run_together(
        [lambda: facilitator.tap(yes, tap_key)] * 4
        + [lambda: shaky.vote(no, ballot_key)] * 3
        + [lambda: shaky.vote(yes)] * 3)  # the same phone, new keys: still one ballot
    assert [r.status_code for r in results] == [303] * 10
    session = committed()
    assert count(session, HandCount) == 1 and count(session, Ballot) == 1
    figures = services.live_tally(session.get(Poll, poll.id))
    assert (figures.hand, figures.phone) == (1, 1)
    page = shaky.http.get(shaky.url, timeout=30).text
    assert "您已投票" in page
