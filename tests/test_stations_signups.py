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


CODE = re.compile(r"取消码：(\d{6})")


def test_a_phones_receipt_has_a_cancel_code_and_my_sign_ups_needs_it(
        phone_client, client, make_class_session, make_signup):
    mine_session, other_session = make_class_session(), make_class_session()
    done = sign_up(phone_client, mine_session.id, 7)
    assert done.status_code == 303
    receipt = phone_client.get(done.location).get_data(as_text=True)
    code = CODE.search(receipt).group(1)
    stored = db.session.scalar(select(Signup).where(Signup.session_id == mine_session.id))
    assert stored.cancel_code_hash and code not in stored.cancel_code_hash
    # The same number signed up at the tablet for another class: not on the phone's list.
    make_signup(session=other_session, name="居民7", phone="13900000007")
    token = phone_client.csrf_token("/classes/")
    mine_find = phone_client.get("/classes/mine").get_data(as_text=True)
    assert "取消码" in mine_find
    alone = phone_client.post("/classes/mine", data={"csrf_token": token,
                                                     "phone": "13900000007"})
    assert alone.status_code == 422 and "居民7" not in alone.get_data(as_text=True)
    wrong = phone_client.post("/classes/mine", data={
        "csrf_token": token, "phone": "13900000007",
        "code": "000000" if code != "000000" else "111111"})
    assert wrong.status_code == 422 and "号码或取消码不对" in wrong.get_data(as_text=True)
    right = phone_client.post("/classes/mine", data={"csrf_token": token,
                                                     "phone": "13900000007", "code": code})
    assert right.status_code == 303
    listed = phone_client.get("/classes/mine").get_data(as_text=True)
    assert mine_session.course.title in listed and other_session.course.title not in listed
    theirs = db.session.scalar(select(Signup.id).where(Signup.session_id == other_session.id))
    assert phone_client.get(f"/classes/mine/{theirs}/cancel").status_code == 404
    cancel = phone_client.post(f"/classes/mine/{stored.id}/cancel",
                               data={"csrf_token": token})
    assert cancel.status_code == 303
    db.session.refresh(stored)
    assert not stored.is_active
    # At the tablet no code is needed, and its sign-ups carry none.
    assert sign_up(client, other_session.id, 8).status_code == 303
    tablet_made = db.session.scalar(select(Signup).where(Signup.phone == "13900000008"))
    assert tablet_made.cancel_code_hash is None


def test_guessing_cancel_codes_on_a_phone_is_limited(make_app, community, make_class_session):
    app = make_app(RATELIMIT_ENABLED=True)
    make_class_session()
    phone = app.test_client(as_station=False)
    token = phone.csrf_token("/classes/")
    statuses = [phone.post("/classes/mine", data={"csrf_token": token, "phone": "13900000007",
                                                  "code": f"{n:06d}"}).status_code
                for n in range(15)]
    assert statuses.count(422) == 10 and statuses.count(429) == 5
