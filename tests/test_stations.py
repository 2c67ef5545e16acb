"""Station tablets: an admin enrolls the device in hand, lists and revokes tablets; the
cookie is checked against the record on every request; PIN sessions cannot do it."""

from sqlalchemy import select

from muling_kiosk.audit.models import AuditEvent
from muling_kiosk.extensions import db
from muling_kiosk.stations.current import COOKIE
from muling_kiosk.stations.models import Station

PASSWORD = "correct horse"


def sign_in_with_password(client, staff):
    client.post_form("/staff/login", {"username": staff.username, "password": PASSWORD})
    return client


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_an_admin_enrolls_the_device_in_hand_as_the_communitys_tablet(phone_client, make_staff,
                                                                       community):
    admin = make_staff("admin", display_name="站长 王芳")
    sign_in_with_password(phone_client, admin)
    answer = phone_client.post_form("/staff/stations", {"name": " 驿站平板  1 ",
                                                        "community_id": str(community.id)})
    assert answer.status_code == 303
    cookie = answer.headers.getlist("Set-Cookie")
    station_cookie = next(c for c in cookie if c.startswith(COOKIE + "="))
    assert "HttpOnly" in station_cookie and "SameSite=Lax" in station_cookie
    assert "Max-Age=" in station_cookie
    station = db.session.scalar(select(Station).where(Station.name == "驿站平板 1"))
    assert station.community_id == community.id and station.enrolled_by_id == admin.id
    assert station.token_hash not in station_cookie  # the cookie holds the token, not its hash
    page = phone_client.get("/staff/stations").get_data(as_text=True)
    assert "驿站平板 1（这台设备）" in page or "驿站平板 1 (这台设备)" in page
    assert "站长 王芳" in page
    assert "station.enroll" in actions()


def test_an_enrollment_needs_a_name_and_a_community_the_admin_holds(phone_client, make_staff,
                                                                     make_community):
    other = make_community("elsewhere", "别处社区")
    sign_in_with_password(phone_client, make_staff("admin"))
    empty = phone_client.post_form("/staff/stations", {"name": " "})
    assert empty.status_code == 422 and "请给这台平板起个名字" in empty.get_data(as_text=True)
    # A community admin's own community is used; another community is never chosen.
    phone_client.post_form("/staff/stations", {"name": "平板", "community_id": str(other.id)})
    assert db.session.scalar(select(Station.community_id)) != other.id


def _is_tablet(app, client, community) -> bool:
    from flask import g

    from muling_kiosk.stations.current import is_station_tablet

    cookie = client.get_cookie(COOKIE).value
    with app.test_request_context(headers={"Cookie": f"{COOKIE}={cookie}"}):
        g.pop("current_station", None)
        return is_station_tablet(community)


def test_revoking_ends_the_tablets_powers_at_the_next_request(phone_client, client, make_staff,
                                                              make_station, app):
    station = make_station(client)
    assert _is_tablet(app, client, station.community)
    admin = make_staff("admin")
    sign_in_with_password(phone_client, admin)
    answer = phone_client.post_form(f"/staff/stations/{station.id}/revoke")
    assert answer.status_code == 303
    db.session.refresh(station)
    assert station.revoked_at is not None and station.revoked_by_id == admin.id
    assert not _is_tablet(app, client, station.community)
    page = phone_client.get("/staff/stations").get_data(as_text=True)
    assert "已撤销" in page
    assert "station.revoke" in actions()


def test_another_communitys_admin_cannot_revoke_our_tablet(phone_client, make_staff,
                                                           make_community, make_station):
    station = make_station()
    other = make_community("elsewhere", "别处社区")
    sign_in_with_password(phone_client, make_staff("admin", community=other))
    assert phone_client.post_form(f"/staff/stations/{station.id}/revoke").status_code == 404
    db.session.refresh(station)
    assert station.revoked_at is None


def test_a_forged_station_cookie_is_no_tablet(app, community):
    from flask import g

    from muling_kiosk.stations.current import is_station_tablet

    with app.test_request_context(headers={"Cookie": f"{COOKIE}=forged.value"}):
        g.pop("current_station", None)
        assert not is_station_tablet(community)


def test_a_pin_session_is_asked_for_the_password(client, make_staff, sign_in):
    admin = make_staff("admin", pin="135790")
    sign_in(client, admin, via="tablet")
    page = client.get("/staff/stations")
    assert page.status_code == 403
    text = page.get_data(as_text=True)
    assert "请用密码登录" in text and "/staff/login" in text
    assert client.post_form("/staff/stations", {"name": "x"}).status_code == 403


def test_demo_mode_marks_every_page_bar(make_app, community):
    demo = make_app(DEMO=True).test_client(as_station=False)
    assert "演示" in demo.get("/").get_data(as_text=True)
    assert "演示" in demo.get("/classes/").get_data(as_text=True)


def test_without_demo_mode_there_is_no_mark(phone_client, community):
    assert 'class="demo-mark"' not in phone_client.get("/").get_data(as_text=True)


def test_demo_mode_comes_from_the_environment_only(monkeypatch, tmp_path):
    from flask import Flask

    from muling_kiosk.config import load_config

    plain = Flask("plain", instance_path=str(tmp_path))
    load_config(plain, None)
    assert plain.config["DEMO"] is False
    monkeypatch.setenv("MULING_DEMO", "1")
    demo = Flask("demo", instance_path=str(tmp_path))
    load_config(demo, None)
    assert demo.config["DEMO"] is True
