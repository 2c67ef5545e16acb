"""What only the community's enrolled station tablet may do, over HTTP: pass-the-tablet
ballots (and only while handed over), staff mode with a PIN, 我的报名 by a number alone.
Any other device gets a kind page; demo mode lets one browser try everything."""

import re

from sqlalchemy import func, select

from muling_kiosk.extensions import db
from muling_kiosk.staff.models import StaffSession
from muling_kiosk.votes.models import Ballot

from .factories_votes import option_id

HX = {"HX-Request": "true"}


def text(response) -> str:
    return response.get_data(as_text=True)


def ballots() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(Ballot.id)))


def key_of(html: str) -> str:
    return re.search(r'name="request_key" value="([^"]+)"', html).group(1)


def confirm_and_cast(client, poll, choice="赞成"):
    """A resident at the ballot: choose, then 确认 (with the form's own request key)."""
    confirm = client.get(f"/vote/poll/{poll.id}?option={option_id(poll, choice)}", headers=HX)
    if confirm.status_code != 200 or 'name="request_key"' not in text(confirm):
        data = {"option_id": option_id(poll, choice)}
    else:
        data = {"option_id": option_id(poll, choice), "request_key": key_of(text(confirm))}
    return client.post_form(f"/vote/poll/{poll.id}", data, htmx=True)


def test_a_phone_casts_no_tablet_ballot_in_100_tries(client, phone_client, make_poll,
                                                     hand_over):
    poll = make_poll()
    hand_over(client, poll)  # the real tablet is handed over: the phone still gets nothing
    yes = option_id(poll, "赞成")
    assert phone_client.get("/vote/").status_code == 200  # the board, not the ballot
    page = phone_client.get(f"/vote/poll/{poll.id}")
    assert page.status_code == 403 and "请到驿站的平板上操作" in text(page)
    assert "返回首页" in text(page)
    token = phone_client.csrf_token()
    answers = {phone_client.post(f"/vote/poll/{poll.id}", headers=HX,
                                 data={"csrf_token": token, "option_id": yes,
                                       "request_key": f"stuffing-{n:04d}-padding-xx"}).status_code
               for n in range(100)}
    nexts = phone_client.post(f"/vote/poll/{poll.id}/next", data={"csrf_token": token})
    assert answers == {403} and nexts.status_code == 403
    assert ballots() == 0
    assert text(confirm_and_cast(client, poll)).count("已记录") >= 1 and ballots() == 1


def test_the_tablet_takes_one_ballot_per_hand_over_and_per_next(client, make_poll, hand_over):
    poll = make_poll()
    before = client.get(f"/vote/poll/{poll.id}")
    assert before.status_code == 200 and "请等主持人把平板交给您" in text(before)
    assert "赞成" not in text(before)
    refused = client.post_form(f"/vote/poll/{poll.id}", {"option_id": option_id(poll, "赞成")})
    assert refused.status_code == 409 and ballots() == 0
    hand_over(client, poll)
    assert "已记录" in text(confirm_and_cast(client, poll))
    # No 下一位: a second ballot (a new request) is refused and counts nothing.
    second = confirm_and_cast(client, poll)
    assert second.status_code == 409 and ballots() == 1
    waiting = text(client.get(f"/vote/poll/{poll.id}"))
    assert "下一位" in waiting and "赞成" not in waiting
    assert "赞成" in text(client.post_form(f"/vote/poll/{poll.id}/next", htmx=True))
    assert "已记录" in text(confirm_and_cast(client, poll, "反对")) and ballots() == 2


def test_the_facilitators_hand_over_arms_the_tablet_and_unlocking_ends_it(
        client, make_poll, make_staff):
    make_staff("facilitator", pin="135790")
    poll = make_poll()
    client.post_form("/unlock", {"pin": "135790"})
    handed = client.post_form(f"/vote/run/polls/{poll.id}/hand-over")
    assert handed.status_code == 303 and handed.location.endswith(f"/vote/poll/{poll.id}")
    assert client.get("/vote/").location.endswith(f"/vote/poll/{poll.id}")
    assert "已记录" in text(confirm_and_cast(client, poll)) and ballots() == 1
    client.post_form("/unlock", {"pin": "135790"})  # the facilitator takes the tablet back
    client.post_form("/lock")
    assert confirm_and_cast(client, poll).status_code == 409 and ballots() == 1


def test_a_hand_over_from_a_device_that_is_not_the_tablet_arms_nothing(
        client, phone_client, make_poll, make_staff):
    facilitator = make_staff("facilitator", pin="135790")
    poll = make_poll()
    phone_client.post_form("/staff/login", {"username": facilitator.username,
                                            "password": "correct horse"})
    assert phone_client.post_form(f"/vote/run/polls/{poll.id}/hand-over").status_code == 403
    assert confirm_and_cast(client, poll).status_code == 409 and ballots() == 0


def test_only_the_tablet_unlocks_staff_mode_with_a_pin(client, phone_client, make_staff):
    make_staff("facilitator", display_name="主持人 陈静", pin="135790")
    page = phone_client.get("/unlock")
    assert page.status_code == 403 and "请到驿站的平板上操作" in text(page)
    assert phone_client.post_form("/unlock", {"pin": "135790"}).status_code == 403
    assert "工作人员模式" not in text(phone_client.get("/"))
    assert db.session.scalar(select(func.count(StaffSession.id))) == 0
    assert client.post_form("/unlock", {"pin": "135790"}).status_code == 303
    assert "工作人员模式：主持人 陈静" in text(client.get("/"))


def test_a_revoked_tablet_cannot_unlock_at_once(client, make_staff, app):
    from .factories_stations import station_of_client

    make_staff("facilitator", pin="135790")
    assert client.get("/unlock").status_code == 200
    from muling_kiosk.stations import services

    services.revoke(station_of_client(app, client))
    db.session.commit()
    assert client.get("/unlock").status_code == 403
    assert client.post_form("/unlock", {"pin": "135790"}).status_code == 403


def test_my_sign_ups_by_number_alone_is_the_tablets(client, phone_client, make_signup):
    signup = make_signup(name="李桂兰", phone="13812345678")
    token = phone_client.csrf_token("/classes/")
    found = phone_client.post("/classes/mine", data={"csrf_token": token,
                                                     "phone": "13812345678"})
    assert found.status_code == 422  # a phone also needs the receipt's cancel code
    assert "李桂兰" not in text(found) and signup.session.course.title not in text(found)
    page = phone_client.get("/classes/mine")
    assert "李桂兰" not in text(page) and signup.session.course.title not in text(page)
    assert phone_client.get(f"/classes/mine/{signup.id}/cancel").status_code == 404
    token = client.csrf_token("/classes/")
    client.post("/classes/mine", data={"csrf_token": token, "phone": "13812345678"})
    assert signup.session.course.title in text(client.get("/classes/mine"))


def test_a_number_typed_on_a_phone_reveals_no_name(client, phone_client, make_signup):
    signup = make_signup(name="李桂兰", phone="13812345678")
    sid = signup.session_id
    token = phone_client.csrf_token(f"/classes/{sid}/")
    typed = phone_client.post(f"/classes/{sid}/", data={"csrf_token": token, "name": "张三",
                                                        "phone": "138 1234 5678"})
    assert typed.status_code == 303 and typed.location.endswith(f"/classes/{sid}/already")
    already = text(phone_client.get(f"/classes/{sid}/already"))
    assert "这个号码已经报过名了" in already
    assert "李桂兰" not in already and "张三" not in already and "5678" not in already
    # At the tablet, staff are at hand: the screen shows whose place it is, as before.
    token = client.csrf_token(f"/classes/{sid}/")
    client.post(f"/classes/{sid}/", data={"csrf_token": token, "name": "李桂兰",
                                          "phone": "13812345678"})
    assert "李桂兰" in text(client.get(f"/classes/{sid}/already"))


def test_demo_mode_lets_one_browser_try_everything(make_app, community, make_staff,
                                                   make_poll, make_signup):
    demo = make_app(DEMO=True).test_client(as_station=False)
    make_staff("facilitator", pin="135790")
    poll = make_poll()
    signup = make_signup(name="李桂兰", phone="13812345678")
    assert "演示" in text(demo.get("/"))
    assert demo.post_form("/unlock", {"pin": "135790"}).status_code == 303
    assert demo.post_form(f"/vote/run/polls/{poll.id}/hand-over").status_code == 303
    assert "已记录" in text(confirm_and_cast(demo, poll)) and ballots() == 1
    token = demo.csrf_token("/classes/")
    demo.post("/classes/mine", data={"csrf_token": token, "phone": "13812345678"})
    assert signup.session.course.title in text(demo.get("/classes/mine"))
