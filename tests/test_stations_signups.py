"""Sign-ups from a device that is not the station tablet are limited per device and per
address, with a kind message; the enrolled tablet signs up a queue of residents."""

import re

from sqlalchemy import func, select

from muling_kiosk.extensions import db
from muling_kiosk.signups.models import Signup

KEY = re.compile(r'name="request_key" value="([^"]+)"')


def sign_up(client, sid: int, n: int):
    """One resident, the three screens: details, 请确认, 确认报名. The last answer."""
    token = client.csrf_token(f"/classes/{sid}/")
    details = client.post(f"/classes/{sid}/", data={"csrf_token": token, "name": f"居民{n}",
                                                    "phone": f"139{n:08d}"})
    if details.status_code != 303:
        return details
    confirm = client.get(f"/classes/{sid}/confirm").get_data(as_text=True)
    return client.post(f"/classes/{sid}/confirm",
                       data={"csrf_token": token, "request_key": KEY.search(confirm).group(1)})


def signups(sid) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(Signup.id)).where(Signup.session_id == sid))


def test_30_sign_ups_from_one_phone_are_mostly_refused_the_tablet_signs_up_30(
        make_app, community, make_class_session):
    app = make_app(RATELIMIT_ENABLED=True)
    sid = make_class_session(capacity=100).id
    phone = app.test_client(as_station=False)
    answers = [sign_up(phone, sid, n) for n in range(30)]
    done = [a for a in answers if a.status_code == 303]
    refused = [a for a in answers if a.status_code == 429]
    assert len(done) == 5 and len(refused) == 25
    assert "请稍后再报名" in refused[0].get_data(as_text=True)
    assert "分钟后再试" in refused[0].get_data(as_text=True)
    assert signups(sid) == 5
    tablet = app.test_client()  # the enrolled station tablet, on the same Wi-Fi address
    answers = [sign_up(tablet, sid, 100 + n) for n in range(30)]
    assert [a.status_code for a in answers] == [303] * 30
    assert signups(sid) == 35


def test_phones_on_one_address_share_a_limit(make_app, community, make_class_session):
    app = make_app(RATELIMIT_ENABLED=True, SIGNUP_ADDRESS_RATE_LIMIT="7 per hour")
    sid = make_class_session(capacity=100).id
    phones = [app.test_client(as_station=False) for _ in range(3)]
    statuses = [sign_up(phones[n % 3], sid, n).status_code for n in range(12)]
    assert statuses.count(303) == 7 and signups(sid) == 7
