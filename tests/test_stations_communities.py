"""One server, many stations, over HTTP: each community's enrolled tablet shows its own
community (home, classes, meetings, suggestions board) and has powers only there; a phone
chooses its community (a signed cookie with the slug) and gains no tablet powers; with one
community nobody chooses; a revoked tablet falls back to what any device sees."""

from datetime import timedelta

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import func, select

from muling_kiosk.communities.current import _CHOICE_SALT, CHOICE_COOKIE
from muling_kiosk.communities.services import retire_community
from muling_kiosk.database import utcnow
from muling_kiosk.extensions import db
from muling_kiosk.signups import services as signups
from muling_kiosk.stations import services as stations
from muling_kiosk.stations.current import _SALT as STATION_SALT
from muling_kiosk.stations.current import COOKIE as STATION_COOKIE
from muling_kiosk.votes.models import Ballot

from .factories_stations import enroll_station
from .factories_votes import option_id

HX = {"HX-Request": "true"}


def text(response) -> str:
    return response.get_data(as_text=True)


def ballots_of(poll) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(Ballot.id)).where(Ballot.poll_id == poll.id))


def week_of(starts_at) -> int:
    return (signups.local_day(starts_at) - signups.week_start(0, utcnow())).days // 7


@pytest.fixture
def world(app, community, make_community, make_class_session, make_course, make_meeting,
          make_suggestion):
    """胜利社区 (A, also MULING_COMMUNITY in the tests' config) and 永和社区 (B), each with a
    class, a coming meeting and a suggestion on the board."""
    a, b = community, make_community("yonghe", "永和社区", name_en="Yonghe Community")
    found = {}
    for key, place, course in ((a, "胜利", "剪纸"), (b, "永和", "太极")):
        session = make_class_session(course=make_course(community=key, title=f"{course}班"),
                                     starts_in=timedelta(hours=3))
        make_meeting(community=key, title=f"{place}议事会")
        make_suggestion(community=key, state="resolved", text=f"{place}小区的路灯坏了")
        found[key.slug] = session
    return a, b, found


def tablet_of(app, community, name="驿站平板 1"):
    """A new device enrolled as that community's tablet (as an admin's 设为本社区平板 does)."""
    client = app.test_client(as_station=False)
    station, cookie = enroll_station(app, community, name=name)
    client.set_cookie(STATION_COOKIE, cookie)
    return client, station


def tablet_station(app, client):
    token = URLSafeSerializer(app.secret_key, salt=STATION_SALT).loads(
        client.get_cookie(STATION_COOKIE).value)
    return stations.station_for_token(token)


def choose(client, slug: str, next_path: str = "/"):
    """Tap a community on the chooser page (its CSRF token: "/" may send to the chooser)."""
    return client.post_form("/community", {"community": slug, "next": next_path,
                                           "csrf_token": client.csrf_token("/community")})


def sees(client, mark: str, week: int) -> dict:
    """Whether each kiosk page of the client shows the mark (a community's own words)."""
    pages = {"home": "/", "classes": f"/classes/?week={week}", "meetings": "/vote/",
             "board": "/suggest/board"}
    return {name: mark in text(client.get(path)) for name, path in pages.items()}


def test_each_communitys_tablet_shows_its_own_community_from_one_server(app, world):
    a, b, sessions = world
    week = week_of(sessions["shengli"].starts_at)
    assert week == week_of(sessions["yonghe"].starts_at)
    tablet_a, _ = tablet_of(app, a)
    tablet_b, _ = tablet_of(app, b)
    everywhere = {"home": True, "classes": True, "meetings": True, "board": True}
    nowhere = dict.fromkeys(everywhere, False)
    # In turns, twice: a page one tablet's visit kept (pagecache) is never the other's.
    for _round in range(2):
        assert "欢迎来到胜利社区" in text(tablet_a.get("/"))
        assert "欢迎来到永和社区" in text(tablet_b.get("/"))
        assert sees(tablet_a, "剪纸班", week) == {**nowhere, "classes": True}
        assert sees(tablet_b, "太极班", week) == {**nowhere, "classes": True}
        assert sees(tablet_a, "胜利议事会", week) == {**nowhere, "meetings": True}
        assert sees(tablet_b, "永和议事会", week) == {**nowhere, "meetings": True}
        assert sees(tablet_a, "胜利小区的路灯坏了", week) == {**nowhere, "board": True}
        assert sees(tablet_b, "永和小区的路灯坏了", week) == {**nowhere, "board": True}
        assert sees(tablet_a, "永和", week) == nowhere
        assert sees(tablet_b, "胜利", week) == nowhere
    # Another community's class is not there at all for a tablet.
    assert tablet_a.get(f"/classes/{sessions['yonghe'].id}/").status_code == 404
    assert tablet_b.get(f"/classes/{sessions['yonghe'].id}/").status_code == 200


def test_a_tablet_of_b_unlocks_with_bs_pin_and_takes_ballots_for_bs_meeting_only(
        app, world, make_staff, make_poll):
    a, b, _sessions = world
    make_staff("facilitator", community=a, pin="135790")
    make_staff("facilitator", community=b, display_name="主持人 永和", pin="246802")
    poll_a = make_poll(community=a, title="胜利投票会")
    poll_b = make_poll(community=b, title="永和投票会")
    tablet_a, _ = tablet_of(app, a)
    tablet_b, station_b = tablet_of(app, b)

    # A's PIN opens nothing on B's tablet; B's does.
    wrong = tablet_b.post_form("/unlock", {"pin": "135790"})
    assert wrong.status_code == 422 and "工作人员模式" not in text(tablet_b.get("/"))
    assert tablet_b.post_form("/unlock", {"pin": "246802"}).status_code == 303
    assert "工作人员模式：主持人 永和" in text(tablet_b.get("/"))

    # A's poll is not B's to hand over, nor to open on B's tablet.
    assert tablet_b.post_form(f"/vote/run/polls/{poll_a.id}/hand-over").status_code == 404
    handed = tablet_b.post_form(f"/vote/run/polls/{poll_b.id}/hand-over")
    assert handed.status_code == 303 and handed.location.endswith(f"/vote/poll/{poll_b.id}")
    cast = tablet_b.post_form(f"/vote/poll/{poll_b.id}",
                              {"option_id": option_id(poll_b, "赞成")}, htmx=True)
    assert cast.status_code == 200 and "已记录" in text(cast)
    assert ballots_of(poll_b) == 1

    # Even armed for A's poll (as no hand-over of B's tablet could), B's tablet casts nothing
    # there: the poll is not of its community.
    stations.arm_ballot(station_b, poll_a.id)
    db.session.commit()
    assert tablet_b.get(f"/vote/poll/{poll_a.id}").status_code == 404
    stolen = tablet_b.post_form(f"/vote/poll/{poll_a.id}", {"option_id": option_id(poll_a, "赞成")})
    assert stolen.status_code == 404 and ballots_of(poll_a) == 0

    # A's own tablet, handed over, does take A's ballot.
    stations.arm_ballot(tablet_station(app, tablet_a), poll_a.id)
    db.session.commit()
    assert tablet_a.post_form(f"/vote/poll/{poll_a.id}",
                              {"option_id": option_id(poll_a, "反对")}).status_code == 303
    assert ballots_of(poll_a) == 1 and ballots_of(poll_b) == 1


@pytest.fixture
def no_default(app):
    """A production server: no MULING_COMMUNITY."""
    app.config["COMMUNITY"] = None


def test_a_phone_chooses_its_community_sees_it_and_gains_no_tablet_powers(
        app, world, no_default, make_staff, make_poll, make_location):
    a, b, sessions = world
    make_staff("facilitator", community=b, pin="246802")
    poll_b = make_poll(community=b, title="永和投票会")
    tablet_b, _ = tablet_of(app, b)
    tablet_b.post_form("/unlock", {"pin": "246802"})
    tablet_b.post_form(f"/vote/run/polls/{poll_b.id}/hand-over")  # B's tablet is handed over
    phone = app.test_client(as_station=False)
    week = week_of(sessions["yonghe"].starts_at)

    # Two communities and no default: kiosk pages send the phone to the chooser, and back.
    for path in ("/", f"/classes/?week={week}", "/vote/", "/suggest/", "/suggest/board",
                 f"/classes/{sessions['yonghe'].id}/", "/classes/mine", "/suggest/write"):
        sent = phone.get(path)
        assert sent.status_code == 303 and "/community?next=" in sent.location, path
    htmx = phone.get(f"/classes/?week={week}", headers=HX)
    assert htmx.status_code == 204 and "/community?next=" in htmx.headers["HX-Redirect"]
    chooser = phone.get(f"/community?next=/classes/?week%3D{week}")
    assert chooser.status_code == 200 and "请选择您的社区" in text(chooser)
    assert "胜利社区" in text(chooser) and "永和社区" in text(chooser)
    chosen = choose(phone, "yonghe", f"/classes/?week={week}")
    assert chosen.status_code == 303 and chosen.location.endswith(f"/classes/?week={week}")
    # The cookie holds the slug and nothing else, signed.
    cookie = phone.get_cookie(CHOICE_COOKIE)
    assert URLSafeSerializer(app.secret_key, salt=_CHOICE_SALT).loads(cookie.value) == "yonghe"
    assert cookie.expires is not None and cookie.http_only

    classes = text(phone.get(f"/classes/?week={week}"))
    assert "太极班" in classes and "剪纸班" not in classes
    home = text(phone.get("/"))
    assert "欢迎来到永和社区" in home and "换个社区" in home
    assert "永和小区的路灯坏了" in text(phone.get("/suggest/board"))
    assert phone.get(f"/classes/{sessions['shengli'].id}/").status_code == 404

    # No tablet powers: no PIN pad, no ballot, no 我的报名 by a number alone.
    assert phone.get("/unlock").status_code == 403
    assert phone.post_form("/unlock", {"pin": "246802"}).status_code == 403
    assert phone.get(f"/vote/poll/{poll_b.id}").status_code == 403
    assert phone.post_form(f"/vote/poll/{poll_b.id}",
                           {"option_id": option_id(poll_b, "赞成")}).status_code == 403
    assert ballots_of(poll_b) == 0
    assert "取消码" in text(phone.get("/classes/mine"))

    # A cookie it did not get from us chooses nothing.
    forged = app.test_client(as_station=False)
    forged.set_cookie(CHOICE_COOKIE, "yonghe")
    assert forged.get("/").status_code == 303
    # Links that carry their community work without a choice: a QR poster, the board by ?c=.
    fresh = app.test_client(as_station=False)
    location = make_location(community=a, name="胜利凉亭")
    assert fresh.get(f"/m/s/{location.token}").status_code == 200
    assert "胜利小区的路灯坏了" in text(fresh.get("/board?c=shengli"))


def test_without_a_choice_a_phone_sees_mulings_default_community(app, world):
    phone = app.test_client(as_station=False)
    home = text(phone.get("/"))
    assert "欢迎来到胜利社区" in home and "换个社区" in home  # MULING_COMMUNITY, changeable
    choose(phone, "yonghe")
    assert "欢迎来到永和社区" in text(phone.get("/"))


def test_with_one_community_nobody_chooses(app, community, no_default, make_class_session):
    make_class_session(starts_in=timedelta(hours=3))
    phone = app.test_client(as_station=False)
    home = phone.get("/")
    assert home.status_code == 200 and "欢迎来到胜利社区" in text(home)
    assert "换个社区" not in text(home)
    assert phone.get("/classes/").status_code == 200


def test_a_revoked_tablet_falls_back_to_what_any_device_sees(app, world, no_default, make_staff):
    _a, b, _sessions = world
    make_staff("facilitator", community=b, pin="246802")
    tablet_b, station_b = tablet_of(app, b)
    assert "欢迎来到永和社区" in text(tablet_b.get("/"))
    assert tablet_b.get("/unlock").status_code == 200
    stations.revoke(station_b)
    db.session.commit()
    assert tablet_b.get("/").location.endswith("/community?next=/")
    assert tablet_b.get("/unlock").status_code == 403
    # MULING_COMMUNITY set: there it falls back, still without powers.
    app.config["COMMUNITY"] = "shengli"
    assert "欢迎来到胜利社区" in text(tablet_b.get("/"))
    assert tablet_b.post_form("/unlock", {"pin": "246802"}).status_code == 403


def test_demo_mode_shows_the_demo_community_except_on_an_enrolled_tablet(make_app):
    app = make_app(DEMO=True, COMMUNITY=None)
    assert app.config["COMMUNITY"] == app.config["DEMO_COMMUNITY"] == "shengli"
    with app.app_context():
        from muling_kiosk.communities.services import ensure_community, ensure_subdistrict

        subdistrict = ensure_subdistrict("tuanjie-xilu", "团结西路街道")
        ensure_community(subdistrict, "shengli", "胜利社区")
        yonghe = ensure_community(subdistrict, "yonghe", "永和社区")
        db.session.commit()
        browser = app.test_client(as_station=False)
        chose = app.test_client(as_station=False)
        choose(chose, "yonghe")
        tablet_b, _ = tablet_of(app, yonghe)
        assert "欢迎来到胜利社区" in text(browser.get("/"))
        assert "欢迎来到胜利社区" in text(chose.get("/"))  # the demo: everyone is 胜利's tablet
        assert "欢迎来到永和社区" in text(tablet_b.get("/"))


def test_staff_on_an_office_pc_check_in_their_own_communitys_classes(
        app, world, make_staff, sign_in):
    _a, b, sessions = world
    sessions["yonghe"].starts_at = utcnow() + timedelta(minutes=20)
    sessions["yonghe"].ends_at = sessions["yonghe"].starts_at + timedelta(minutes=90)
    db.session.commit()
    volunteer = make_staff("volunteer", community=b)
    pc = sign_in(app.test_client(as_station=False), volunteer)  # MULING_COMMUNITY is 胜利
    page = pc.get("/classes/checkin/")
    assert page.status_code == 200 and "太极班" in text(page) and "剪纸班" not in text(page)


def test_a_retired_community_is_no_longer_offered_and_its_choosers_choose_again(
        app, world, no_default, make_community):
    a, b, _sessions = world
    phone = app.test_client(as_station=False)
    choose(phone, "yonghe")
    assert "永和社区" in text(phone.get("/"))
    make_community("hepan", "河畔社区")
    retire_community(b)
    db.session.commit()
    sent = phone.get("/")  # the phone that chose it is asked again, and B is not offered
    assert sent.status_code == 303 and "/community?next=" in sent.location
    chooser = text(phone.get("/community?next=/"))
    assert "胜利社区" in chooser and "河畔社区" in chooser and "永和社区" not in chooser
    retire_community(a)
    db.session.commit()
    # One community left serving: nobody needs to choose.
    assert "河畔社区" in text(app.test_client(as_station=False).get("/"))
