"""Communities in the console (/staff/communities): only an admin of the whole subdistrict,
signed in with the password, lists, adds, renames, retires and restores them; every change is
audited; every bad input gets its message (Chinese and English); a retired community keeps its
records and takes no new tablet."""

import pytest
from sqlalchemy import select

from muling_kiosk.audit.models import AuditEvent
from muling_kiosk.communities.models import Community
from muling_kiosk.extensions import db
from muling_kiosk.signups.models import ClassSession

URL = "/staff/communities/"


@pytest.fixture
def chief(make_staff, sign_in, client):
    """The subdistrict admin, signed in with the password on `client`."""
    chief = make_staff("admin", community=None, display_name="街道 李主任")
    sign_in(client, chief)
    return chief


def community_named(name):
    return db.session.scalar(select(Community).where(Community.name == name))


def events(action):
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_the_subdistrict_admin_adds_a_community_and_finds_it_listed(client, chief, community):
    page = client.get(URL).get_data(as_text=True)
    assert "胜利社区" in page and "shengli" in page
    answer = client.post_form(URL, {"name": " 河畔  社区 ", "name_en": "Hepan", "slug": "hepan"})
    assert answer.status_code == 303
    added = community_named("河畔 社区")
    assert added.slug == "hepan" and added.name_en == "Hepan"
    assert added.subdistrict_id == community.subdistrict_id and not added.is_retired
    assert "河畔 社区" in client.get(URL).get_data(as_text=True)
    [event] = events("community.create")
    assert event.staff_id == chief.id and event.community_id == added.id
    assert event.after["slug"] == "hepan"


@pytest.mark.parametrize("form, field_message", [
    ({"name": "", "slug": "new"}, "请输入名称。"),
    ({"name": "胜利社区", "slug": "new"}, "已有社区叫这个名字。"),
    ({"name": "新社区", "slug": "shengli"}, "shengli 已被另一个社区使用。"),
    ({"name": "新社区", "slug": ""}, "请输入用于网址的简称"),
    ({"name": "新社区", "slug": "Has Space"}, "1 到 40 个小写字母"),
    ({"name": "长" * 61, "slug": "new"}, "最多 60 个字"),
    ({"name": "新社区", "slug": "new", "name_en": "x" * 81}, "最多 80 个字"),
])
def test_bad_input_is_refused_with_its_message_and_kept(client, chief, community, form,
                                                       field_message):
    before = db.session.scalar(select(db.func.count(Community.id)))
    answer = client.post_form(URL, form)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422 and field_message in page
    assert db.session.scalar(select(db.func.count(Community.id))) == before
    if form["name"]:
        assert f'value="{form["name"]}"' in page  # what was typed is still there


def test_the_messages_are_in_english_too(client, chief, community):
    client.set_cookie("lang", "en")
    page = client.post_form(URL, {"name": "胜利社区", "slug": "shengli"}).get_data(as_text=True)
    assert "Another community already has this name." in page
    assert "Another community already uses shengli." in page


def test_renaming_keeps_the_slug_and_is_audited(client, chief, community):
    url = f"{URL}{community.id}"
    assert "胜利社区" in client.get(url).get_data(as_text=True)
    answer = client.post_form(url, {"name": "胜利新村社区", "name_en": "Shengli New Village"})
    assert answer.status_code == 303
    db.session.refresh(community)
    assert (community.name, community.slug) == ("胜利新村社区", "shengli")
    [event] = events("community.rename")
    assert event.before["name"] == "胜利社区" and event.after["name"] == "胜利新村社区"
    empty = client.post_form(url, {"name": "  "})
    assert empty.status_code == 422 and "请输入名称。" in empty.get_data(as_text=True)


def test_retiring_keeps_the_records_and_stops_new_tablets_and_restoring_undoes_it(
        client, chief, community, make_community, make_class_session):
    other = make_community("yonghe-test", "永和测试社区")
    session = make_class_session()  # a class of the community that is retired
    answer = client.post_form(f"{URL}{community.id}/retire")
    assert answer.status_code == 303
    db.session.refresh(community)
    assert community.is_retired
    assert db.session.get(ClassSession, session.id) is not None  # its data stays
    assert "已停用" in client.get(URL).get_data(as_text=True)
    # No new tablet for it: not offered, and refused when sent anyway.
    stations = client.get("/staff/stations").get_data(as_text=True)
    assert f'value="{other.id}"' in stations and f'value="{community.id}"' not in stations
    refused = client.post_form("/staff/stations", {"name": "平板", "community_id": community.id})
    assert refused.status_code == 422
    # A second retire changes nothing; restore brings it back.
    client.post_form(f"{URL}{community.id}/retire")
    assert len(events("community.retire")) == 1
    client.post_form(f"{URL}{community.id}/restore")
    db.session.refresh(community)
    assert not community.is_retired and len(events("community.restore")) == 1
    assert f'value="{community.id}"' in client.get("/staff/stations").get_data(as_text=True)


@pytest.mark.parametrize("role", ["admin", "facilitator", "volunteer"])
def test_anyone_but_the_subdistrict_admin_is_refused(client, make_staff, sign_in, community,
                                                     role):
    sign_in(client, make_staff(role))
    assert client.get(URL).status_code == 403
    assert client.post_form(URL, {"name": "新社区", "slug": "new"}).status_code == 403
    assert client.post_form(f"{URL}{community.id}/retire").status_code == 403
    db.session.refresh(community)
    assert community_named("新社区") is None and not community.is_retired
    assert "/staff/communities" not in client.get("/staff/").get_data(as_text=True)


def test_signed_out_and_pin_sessions_are_sent_to_the_password(client, make_staff, sign_in,
                                                              community):
    answer = client.get(URL)
    assert answer.status_code in (302, 303) and "/staff/login" in answer.headers["Location"]
    sign_in(client, make_staff("admin", community=None, pin="918273"), via="tablet")
    assert client.get(URL).status_code == 403


def test_writes_need_the_csrf_token(client, chief, community):
    answer = client.post(URL, data={"name": "新社区", "slug": "new"})
    assert answer.status_code == 400 and community_named("新社区") is None
    client.post(f"{URL}{community.id}/retire", data={})
    db.session.refresh(community)
    assert not community.is_retired


def test_another_subdistricts_community_does_not_exist_here(client, chief, make_community):
    elsewhere = make_community("far", "远方社区", subdistrict_slug="far-away")
    assert client.get(f"{URL}{elsewhere.id}").status_code == 404
    assert client.post_form(f"{URL}{elsewhere.id}/retire").status_code == 404
    db.session.refresh(elsewhere)
    assert not elsewhere.is_retired
    assert "远方社区" not in client.get(URL).get_data(as_text=True)


def test_the_console_links_the_page_for_the_subdistrict_admin(client, chief, community):
    assert 'href="/staff/communities/"' in client.get("/staff/").get_data(as_text=True)
