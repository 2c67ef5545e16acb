"""The write benchmarks, as residents and a facilitator would send them (locust).

Each user class is one endpoint; bench/run.py runs them one at a time with the targets of
bench/prepare.py in BENCH_TARGETS (JSON). Redirects are not followed: what is timed is the
write itself. A response that is not the success the app gives a person is a failure.
"""

import itertools
import json
import os
import re
import secrets
from http.cookies import SimpleCookie

from locust import between, task  # noqa: F401 (between: for pacing when needed)
from locust.contrib.fasthttp import FastHttpUser
from requests.cookies import create_cookie

TARGETS = json.loads(os.environ.get("BENCH_TARGETS", "{}"))
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
HTMX = {"HX-Request": "true"}


def csrf_from(response) -> str:
    match = TOKEN.search(response.text or "")
    if not match:
        raise RuntimeError(f"no CSRF token in {response.status_code} {response.url}")
    return match.group(1)


_ballot_tablets = itertools.count()


def as_tablet(user, cookie: str) -> None:
    """Put a station tablet's cookie ("name=value") in this user's cookie jar, beside the
    session cookie the responses set."""
    for name, morsel in SimpleCookie(cookie).items():
        user.client.cookiejar.set_cookie(create_cookie(name, morsel.value,
                                                       domain=user.host.split("//")[1]
                                                       .split(":")[0]))


def phone() -> str:
    return "1" + secrets.choice("3456789") + "".join(secrets.choice("0123456789")
                                                     for _ in range(9))


class Hello(FastHttpUser):
    """The baseline: the same server's cheapest route, through the same tool."""

    @task
    def hello(self):
        self.client.get("/healthz", name="hello")


class SignUp(FastHttpUser):
    """长者学堂 at the station tablet: the details screen, then 确认报名 (the write)."""

    def on_start(self):
        as_tablet(self, TARGETS["station_cookie"])
        self.path = f"/classes/{TARGETS['class_session_id']}/"
        self.token = csrf_from(self.client.get(self.path, name="signup: page"))

    @task
    def sign_up(self):
        with self.client.post(self.path, data={"csrf_token": self.token, "name": "王秀英",
                                               "phone": phone()},
                              allow_redirects=False, name="signup: details",
                              catch_response=True) as answer:
            if answer.status_code != 303 or "/confirm" not in answer.headers.get("Location", ""):
                answer.failure(f"details: {answer.status_code}")
                return
        with self.client.post(self.path + "confirm",
                              data={"csrf_token": self.token,
                                    "request_key": secrets.token_urlsafe(16)},
                              allow_redirects=False, name="signup: confirm",
                              catch_response=True) as answer:
            if answer.status_code != 303 or "/classes/done/" not in answer.headers.get(
                    "Location", ""):
                answer.failure(f"confirm: {answer.status_code}")


class Ballot(FastHttpUser):
    """传递投票: one confirmed ballot on a station tablet handed over for the poll (htmx, as the
    kiosk sends it), then 下一位, which arms the tablet for the next voter. Each user is its
    own tablet: one tablet takes one ballot at a time."""

    def on_start(self):
        as_tablet(self, TARGETS["ballot_cookies"][next(_ballot_tablets)])
        self.path = f"/vote/poll/{TARGETS['poll_id']}"
        self.token = csrf_from(self.client.get(self.path, name="ballot: page"))

    @task
    def ballot(self):
        with self.client.post(self.path, data={
                "csrf_token": self.token, "option_id": secrets.choice(TARGETS["option_ids"]),
                "request_key": secrets.token_urlsafe(16)},
                headers=HTMX, name="ballot", catch_response=True) as answer:
            if answer.status_code != 200 or "已记录" not in answer.text:
                answer.failure(f"ballot: {answer.status_code}")
                return
        with self.client.post(self.path + "/next", data={"csrf_token": self.token},
                              headers=HTMX, name="ballot: next", catch_response=True) as answer:
            if answer.status_code != 200:
                answer.failure(f"next: {answer.status_code}")


class Tap(FastHttpUser):
    """举手计数: the facilitator's +1 on the tablet in staff mode (a session bench/prepare.py
    signed in, so the PIN check is not what is measured)."""

    def on_start(self):
        self.headers = {"Cookie": TARGETS["staff_cookie"], **HTMX}
        self.path = f"/vote/run/polls/{TARGETS['poll_id']}/tap"

    @task
    def tap(self):
        with self.client.post(self.path, data={
                "csrf_token": TARGETS["staff_csrf"],
                "option_id": secrets.choice(TARGETS["option_ids"]),
                "request_key": secrets.token_urlsafe(16)},
                headers=self.headers, name="+1 tap", catch_response=True) as answer:
            if answer.status_code != 200 or "举手" not in answer.text:
                answer.failure(f"tap: {answer.status_code}")


class Suggestion(FastHttpUser):
    """百姓畅言亭 from a phone, no photo: the form (a draft), then 确认提交 (the write)."""

    def on_start(self):
        self.path = f"/m/s/{TARGETS['location_token']}"
        self.token = csrf_from(self.client.get(self.path, name="suggestion: page"))

    @task
    def suggest(self):
        key = secrets.token_urlsafe(16)
        with self.client.post(self.path, data={
                "csrf_token": self.token, "request_key": key,
                "step_key": secrets.token_urlsafe(16), "category": "repairs",
                "text": "3号楼门口的路灯坏了，晚上看不清路，请尽快修理。"},
                allow_redirects=False, name="suggestion: form", catch_response=True) as answer:
            if answer.status_code != 303 or "/confirm" not in answer.headers.get("Location", ""):
                answer.failure(f"form: {answer.status_code}")
                return
        with self.client.post(self.path + "/confirm",
                              data={"csrf_token": self.token, "request_key": key},
                              allow_redirects=False, name="suggestion: confirm",
                              catch_response=True) as answer:
            if answer.status_code != 303 or "/done" not in answer.headers.get("Location", ""):
                answer.failure(f"confirm: {answer.status_code}")
