"""No personal data in cookies (PIPL): signing up and 我的报名, on the station tablet and on a
phone, set no cookie that holds the name or any run of the number's digits. What the person
typed is kept on the server under a random key, and goes with the idle reset."""

import base64
import contextlib
import json
import re
import zlib

from sqlalchemy import func, select

from muling_kiosk.extensions import db
from muling_kiosk.signups.models import PersonDraft

NAME = "柏玉珍"
PHONE = "13957246801"
RUNS = {PHONE[i:i + 4] for i in range(len(PHONE) - 3)}
KEY = re.compile(r'name="request_key" value="([^"]+)"')
CODE = re.compile(r"取消码：(\d{6})")


class CookieWatch:
    """Every Set-Cookie value a client received, as readable text where it can be decoded."""

    def __init__(self, app, client):
        self.app, self.client, self.seen = app, client, []

    def __call__(self, response):
        for header in response.headers.getlist("Set-Cookie"):
            name, _, rest = header.partition("=")
            self.seen.append((name, self._readable(name, rest.split(";")[0])))
        return response

    def _readable(self, name: str, value: str) -> str:
        if name == self.app.config.get("SESSION_COOKIE_NAME", "session"):
            data = self.app.session_interface.get_signing_serializer(self.app).loads(value)
            data.pop("csrf_token", None)  # random, and not the person's
            return json.dumps(data, ensure_ascii=False)
        texts = [value]
        for part in value.split("."):  # itsdangerous: payload.signature, maybe compressed
            raw = part.lstrip(".")
            try:
                decoded = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
            except ValueError:
                continue
            for attempt in (lambda b: b, zlib.decompress):
                with contextlib.suppress(zlib.error):
                    texts.append(attempt(decoded).decode("utf-8", "replace"))
        return " ".join(texts)

    def leaks(self) -> list[tuple[str, str]]:
        return [(name, text) for name, text in self.seen
                if NAME in text or any(run in text for run in RUNS)]


def watch(app, client) -> CookieWatch:
    """Look at the Set-Cookie headers of every answer the client gets (the session cookie is
    written after the app's own after-request hooks, so the client is where to look)."""
    watcher, send = CookieWatch(app, client), client.open

    def open_and_look(*args, **kwargs):
        return watcher(send(*args, **kwargs))

    client.open = open_and_look
    return watcher


def sign_up(client, sid: int):
    token = client.csrf_token(f"/classes/{sid}/")
    details = client.post(f"/classes/{sid}/", data={"csrf_token": token, "name": NAME,
                                                    "phone": PHONE})
    assert details.status_code == 303
    confirm = client.get(f"/classes/{sid}/confirm").get_data(as_text=True)
    assert NAME in confirm, "the confirmation screen shows what was typed"
    done = client.post(f"/classes/{sid}/confirm",
                       data={"csrf_token": token, "request_key": KEY.search(confirm).group(1)})
    assert done.status_code == 303
    return client.get(done.headers["Location"]).get_data(as_text=True), token


def drafts() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(PersonDraft))


def test_signing_up_and_my_sign_ups_on_the_tablet_set_no_cookie_with_the_person(
        app, client, make_class_session):
    watcher = watch(app, client)
    class_session = make_class_session()
    sid, title = class_session.id, class_session.course.title
    done, token = sign_up(client, sid)
    assert NAME in done
    # Signing up again: the "already" screen, then 我的报名 by number at the tablet.
    again = client.post(f"/classes/{sid}/", data={"csrf_token": token, "name": NAME,
                                                  "phone": PHONE})
    assert "/already" in again.headers["Location"]
    found = client.post("/classes/mine", data={"csrf_token": token, "phone": PHONE})
    assert found.status_code == 303
    mine = client.get("/classes/mine").get_data(as_text=True)
    assert title in mine, "我的报名 shows the person's sign-up"
    assert any("person_key" in text for _, text in watcher.seen), "only a key rides along"
    assert watcher.leaks() == []
    assert drafts() == 1, "what the person typed is on the server"

    client.get("/")  # 返回首页: the next person starts clean, on the server too
    assert drafts() == 0
    assert title not in client.get("/classes/mine").get_data(as_text=True)

    client.post(f"/classes/{sid}/", data={"csrf_token": token, "name": NAME, "phone": PHONE})
    assert drafts() == 1
    client.post("/reset", data={"csrf_token": token})  # the idle reset, the same
    assert drafts() == 0


def test_a_phones_sign_up_and_its_receipt_code_set_no_cookie_with_the_person(
        make_app, community, make_class_session):
    app = make_app()
    phone = app.test_client(as_station=False)
    watcher = watch(app, phone)
    class_session = make_class_session()
    sid, title = class_session.id, class_session.course.title
    receipt, token = sign_up(phone, sid)
    code = CODE.search(receipt).group(1)
    found = phone.post("/classes/mine", data={"csrf_token": token, "phone": PHONE,
                                              "code": code})
    assert found.status_code == 303
    assert title in phone.get("/classes/mine").get_data(as_text=True)
    assert any("person_key" in text for _, text in watcher.seen), "only a key rides along"
    assert watcher.leaks() == []
