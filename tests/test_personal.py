"""Issue 15: retention (`flask purge`) and a person's data (find, export, forget), by the
services, the command line and the admin's console page."""

import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import JSON, String, Text, func, select

from muling_kiosk.audit.models import AuditEvent
from muling_kiosk.audit.services import record
from muling_kiosk.database import Base, utcnow
from muling_kiosk.extensions import db
from muling_kiosk.personal import services
from muling_kiosk.signups import services as signups
from muling_kiosk.signups.models import CONFIRMED, WAITING, Signup
from muling_kiosk.staff.models import StaffSession
from muling_kiosk.suggestions.models import SuggestionDraft

NUMBER = "13812345678"


def _audit(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


# ---------- retention ----------


@pytest.fixture
def old_and_new(make_class_session, make_signup, make_suggestion, make_staff):
    """A class session that ended 200 days ago and one 10 days ago, each with a place, a
    checked-in place, a walk-in and a queue place; a suggestion rated 200 days ago and one
    rated 10 days ago, each with a contact; audit rows with addresses of both ages."""
    now = utcnow()
    world = {}
    staff = make_staff("facilitator")
    for age in ("old", "new"):
        days = 200 if age == "old" else 10
        session = make_class_session(starts_in=-timedelta(days=days), capacity=2)
        make_signup(session=session)
        make_signup(session=session, attended_at=session.starts_at)
        make_signup(session=session, phone="", walk_in=True, attended_at=session.starts_at)
        make_signup(session=session, status=WAITING)
        when = now - timedelta(days=days)
        suggestion = make_suggestion(state="rated", contact_name="李秀英",
                                     contact_phone=f"1391111{days:04d}",
                                     text=f"请回电 1390000{days:04d}", rated_at=when,
                                     rating="good")
        suggestion.updated_at = when
        event = record("staff.login", None, staff=None, actor="test")
        event.at, event.client = when, "10.0.0.7"
        db.session.add(StaffSession(token_hash=f"{days:064d}", staff_id=staff.id, via="console",
                                    created_at=when, expires_at=when + timedelta(hours=8),
                                    client="10.0.0.8"))
        world[age] = (session, suggestion)
    db.session.commit()
    return world


def _figures(session):
    counts = signups.counts_for([session.id])[session.id]
    seen = signups.session_attendance(session)
    return (counts[CONFIRMED], counts[WAITING], seen.expected, seen.attended, seen.walk_ins,
            len(session.signups))


def test_purge_anonymises_what_is_past_its_period_and_keeps_the_figures(old_and_new):
    before = {age: _figures(session) for age, (session, _s) in old_and_new.items()}
    report = services.purge()
    db.session.commit()
    assert (report.signups, report.suggestions, report.audit_addresses) == (4, 1, 1)
    old_session, old_suggestion = old_and_new["old"]
    new_session, new_suggestion = old_and_new["new"]
    assert all(s.name == services.REMOVED_NAME and s.phone is None for s in old_session.signups)
    assert all(s.name != services.REMOVED_NAME and s.phone for s in new_session.signups
               if not s.walk_in)
    assert (old_suggestion.contact_name, old_suggestion.contact_phone) == ("", "")
    assert "13900000200" not in old_suggestion.text and old_suggestion.state == "rated"
    assert new_suggestion.contact_phone == "13911110010"
    assert "13900000010" in new_suggestion.text
    clients = {e.at.date(): e.client for e in _audit("staff.login")}
    assert sorted(clients.values()) == ["", "10.0.0.7"]
    # Places, queue places, attendance and walk-ins are counted as before.
    assert {age: _figures(session) for age, (session, _s) in old_and_new.items()} == before
    [purged] = _audit("personal.purge")
    assert purged.after == {"signups": 4, "suggestions": 1, "audit_addresses": 1,
                            "staff_sessions": 1, "login_throttles": 0}
    assert [s.client for s in db.session.scalars(select(StaffSession))] == ["10.0.0.8"]


def test_a_dry_run_counts_and_changes_nothing(old_and_new, runner):
    result = runner.invoke(args=["purge", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "would anonymise 4 signups" in result.output
    assert "would anonymise 1 suggestions" in result.output
    assert "would anonymise 1 audit addresses" in result.output
    db.session.rollback()
    assert db.session.scalar(select(func.count(Signup.id)).where(
        Signup.name == services.REMOVED_NAME)) == 0
    assert old_and_new["old"][1].contact_phone == "13911110200"
    assert not _audit("personal.purge")
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0 and "anonymised 4 signups" in result.output
    db.session.rollback()
    assert db.session.scalar(select(func.count(Signup.id)).where(
        Signup.name == services.REMOVED_NAME)) == 4
    assert len(_audit("personal.purge")) == 1


def test_the_periods_come_from_the_configuration(app, old_and_new):
    app.config["RETAIN_SIGNUP_DAYS"] = 5
    assert services.purge(dry_run=True).signups == 8


# ---------- a person's data ----------


@pytest.fixture
def person(make_class_session, make_signup, make_suggestion, community):
    """NUMBER's place, queue place, walk-in and cancelled sign-up under two names, a
    suggestion with it as the contact, one with it typed in the text, a draft; and someone
    else's sign-up and suggestion."""
    session = make_class_session(capacity=1)
    place = make_signup(session=session, name="王秀英", phone=NUMBER)
    make_signup(session=make_class_session(), name="王秀英", phone=NUMBER, status=WAITING)
    make_signup(session=make_class_session(), name="王 秀英", phone=NUMBER, status="cancelled",
                cancel_code_hash="x")
    walk_in = make_signup(session=make_class_session(), name="王秀英", phone=NUMBER,
                          walk_in=True, attended_at=utcnow())
    other = make_signup(session=session, name="赵建国", phone="13987654321")
    contact = make_suggestion(contact_name="王秀英", contact_phone=NUMBER, text="路灯坏了。")
    in_text = make_suggestion(text="楼道堵了，请打 138-1234-5678 找我。", rating_comment="")
    stranger = make_suggestion(contact_name="赵建国", contact_phone="13987654321")
    db.session.add(SuggestionDraft(request_key="k" * 20, community_id=community.id,
                                   source="kiosk", text="还没提交", contact_name="王秀英",
                                   contact_phone=NUMBER))
    # The number also went into an agenda item copied from the text, and an audit row.
    record("suggestions.bring_to_meeting", in_text, staff=None, actor="test",
           after={"title": "楼道堵了 13812345678"})
    db.session.commit()
    return {"place": place, "walk_in": walk_in, "other": other, "contact": contact,
            "in_text": in_text, "stranger": stranger}


def test_a_number_finds_its_sign_ups_walk_ins_queue_places_and_suggestions(person):
    found = services.find_person("138 1234 5678")
    assert len(found.signups) == 4 and person["walk_in"] in found.signups
    assert person["other"] not in found.signups
    assert {s.id for s in found.suggestions} == {person["contact"].id, person["in_text"].id}
    assert len(found.drafts) == 1
    assert found.names == ["王秀英", "王 秀英"]


def test_the_export_is_a_spreadsheet_of_those_records(person, runner, tmp_path):
    out = tmp_path / "copy.xlsx"
    result = runner.invoke(args=["person", "export", "138-1234-5678", "--out", str(out)])
    assert result.exit_code == 0, result.output
    sheet = load_workbook(out).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 4 + 2 + 1
    text = "\n".join(" ".join(str(v) for v in row if v) for row in rows)
    assert text.count(NUMBER) == 4 + 1 + 1 and "138-1234-5678" in text
    assert "赵建国" not in text and "13987654321" not in text
    assert "confirmed" not in text and "waiting" not in text  # words, not codes
    db.session.rollback()
    [exported] = _audit("personal.export")
    assert NUMBER not in str(exported.after) + exported.target_id
    assert exported.target_id == "138****5678"


def _every_text_value():
    """Every value of every text and JSON column of every table, as text."""
    for table in Base.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, String | Text | JSON)]
        if columns:
            for row in db.session.execute(select(*columns)):
                yield from (str(v) for v in row if v is not None)


def test_forget_leaves_no_trace_of_the_number_and_keeps_the_figures(person, runner):
    assert any(NUMBER in v for v in _every_text_value())
    session = person["place"].session
    before = _figures(session)
    result = runner.invoke(args=["person", "forget", NUMBER, "--yes"])
    assert result.exit_code == 0, result.output
    db.session.rollback()
    values = list(_every_text_value())
    assert not [v for v in values if NUMBER in v or "138-1234-5678" in v]
    assert not [v for v in values if "王秀英" in v and "赵建国" not in v]
    assert _figures(session) == before
    assert person["other"].phone == "13987654321" and person["other"].name == "赵建国"
    assert person["stranger"].contact_phone == "13987654321"
    assert person["in_text"].text == "楼道堵了，请打 *** 找我。"
    [forgotten] = _audit("personal.forget")
    assert forgotten.after["number"] == "138****5678" and forgotten.after["signups"] == 4
    assert not services.find_person(NUMBER)


def test_forget_asks_first_on_the_command_line(person, runner):
    result = runner.invoke(args=["person", "forget", NUMBER], input="n\n")
    assert result.exit_code != 0
    db.session.rollback()
    assert person["place"].phone == NUMBER


# ---------- the console ----------


@pytest.mark.parametrize("role", ["facilitator", "volunteer"])
def test_only_admins_open_a_persons_data(client, make_staff, sign_in, person, role):
    sign_in(client, make_staff(role))
    assert client.get("/staff/personal/").status_code == 403
    for url in ("/staff/personal/", "/staff/personal/export", "/staff/personal/forget"):
        assert client.post_form(url, {"number": NUMBER, "confirm": "yes"}).status_code == 403
    db.session.rollback()
    assert person["place"].phone == NUMBER


def test_an_admin_finds_exports_and_erases_after_confirming(client, make_staff, sign_in,
                                                            person):
    sign_in(client, make_staff("admin"))
    page = client.post_form("/staff/personal/", {"number": "138 1234 5678"})
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and person["place"].session.title in body
    assert person["contact"].code[:5] in body and "赵建国" not in body
    download = client.post_form("/staff/personal/export", {"number": NUMBER})
    assert download.status_code == 200 and download.headers["Cache-Control"] == "no-store"
    rows = list(load_workbook(io.BytesIO(download.data)).active.iter_rows(values_only=True))
    assert len(rows) == 1 + 7
    asked = client.post_form("/staff/personal/forget", {"number": NUMBER})
    assert asked.status_code == 200 and 'name="confirm" value="yes"' in asked.get_data(
        as_text=True)
    db.session.rollback()
    assert person["place"].phone == NUMBER  # not before the confirmation
    done = client.post_form("/staff/personal/forget", {"number": NUMBER, "confirm": "yes"})
    assert done.status_code == 303
    db.session.rollback()
    assert not services.find_person(NUMBER)
    assert _audit("personal.forget")[0].staff_id is not None


def test_the_console_refuses_a_write_without_csrf(client, make_staff, sign_in, person):
    sign_in(client, make_staff("admin"))
    response = client.post("/staff/personal/forget", data={"number": NUMBER, "confirm": "yes"})
    assert response.status_code in (400, 403)
    db.session.rollback()
    assert person["place"].phone == NUMBER


def _page(client, url: str) -> str:
    """The page without what changes on every request (CSRF tokens, one-off keys)."""
    body = client.get(url).get_data(as_text=True)
    body = re.sub(r'(name="(?:csrf_token|request_key)" value=")[^"]+"', r"\1", body)
    return re.sub(r'"X-CSRFToken": ?"[^"]+"', "", body)


def test_the_figures_on_the_staff_pages_stay_the_same(client, make_staff, sign_in,
                                                       old_and_new):
    sign_in(client, make_staff("admin"))
    old_course = old_and_new["old"][0].course_id
    urls = ("/staff/classes/", f"/staff/classes/{old_course}", "/staff/suggestions/",
            "/staff/suggestions/?state=", "/staff/")
    before = {url: _page(client, url) for url in urls}
    services.purge()
    db.session.commit()
    for url in urls:
        assert _page(client, url) == before[url], url
