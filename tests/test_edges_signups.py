"""Issue 16's rough edges in 长者学堂 at the console: each test fails without its fix."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from muling_kiosk.audit.models import AuditEvent
from muling_kiosk.database import utcnow
from muling_kiosk.extensions import db
from muling_kiosk.i18n import format_when
from muling_kiosk.signups import services
from muling_kiosk.signups.models import CONFIRMED, WAITING, WITHDRAWN, ClassSession
from muling_kiosk.validation import Invalid


def page(response) -> str:
    return response.get_data(as_text=True)


def post(client, url, data=None, htmx=False):
    data = {"csrf_token": client.csrf_token("/classes/"), **(data or {})}
    return client.post(url, data=data, headers={"HX-Request": "true"} if htmx else {})


def sessions_of(course) -> int:
    return db.session.scalar(select(func.count(ClassSession.id))
                             .where(ClassSession.course_id == course.id))


def first_day(days=3) -> str:
    return (utcnow() + timedelta(days=days)).astimezone(services.local_zone()).date().isoformat()


# ---------- adding sessions that exist already ----------


def test_adding_only_existing_sessions_is_refused_and_partly_existing_ones_are_counted(
        make_course):
    course = make_course()
    form = {"day": first_day(), "start": "09:00", "minutes": "90", "weeks": "2", "capacity": ""}
    assert len(services.add_sessions(course, form)) == 2
    with pytest.raises(Invalid) as caught:
        services.add_sessions(course, form)
    assert "这些课都已经有了" in str(caught.value.errors["day"])
    more = services.add_sessions(course, {**form, "weeks": "3"})
    assert len(more) == 1 and more.skipped == 2
    assert sessions_of(course) == 3


def test_the_console_says_nothing_was_added_when_the_sessions_exist(client, make_staff, sign_in,
                                                                     make_course):
    course = make_course()
    sign_in(client, make_staff("facilitator"))
    url = f"/staff/classes/{course.id}/sessions/new"
    form = {"day": first_day(), "start": "09:00", "minutes": "90", "weeks": "1", "capacity": "10"}
    assert post(client, url, form, htmx=True).status_code == 204
    again = post(client, url, form, htmx=True)
    assert again.status_code == 422 and "这些课都已经有了，没有添加新的课。" in page(again)
    assert "已添加 0 节课" not in page(again)
    partly = post(client, url, {**form, "weeks": "2"})
    assert partly.status_code == 303
    status = page(client.get(partly.location))
    assert "已添加 1 节课。另有 1 节已经有了，保持不变。" in status
    assert sessions_of(course) == 2


# ---------- the roster's and the course list's columns ----------


def test_the_roster_shows_when_and_how_each_person_signed_up(client, make_staff, sign_in,
                                                            make_signup):
    signed_at = utcnow().replace(microsecond=0) - timedelta(days=1, hours=2)
    signup = make_signup(name="王秀英", created_at=signed_at)
    sign_in(client, make_staff("volunteer"))
    roster = page(client.get(f"/staff/classes/sessions/{signup.session_id}"))
    header = roster.split("<thead>")[1].split("</thead>")[0]
    assert "报名时间" in header and "报名方式" in header
    row = next(r for r in roster.split("<tr>") if "王秀英" in r)
    cells = [c.split("</td>")[0].strip() for c in row.split("<td")[1:]]
    assert cells[3].endswith(format_when(signed_at))  # the time under 报名时间
    assert cells[4].endswith("本人在平板上报名")  # how, under 报名方式


def test_the_course_list_counts_sessions_under_a_count_header(client, make_staff, sign_in,
                                                             make_class_session):
    session = make_class_session()
    make_class_session(course=session.course, starts_in=timedelta(days=9))
    sign_in(client, make_staff("volunteer"))
    listing = page(client.get("/staff/classes/"))
    courses_table = listing.split("<h2>课程</h2>")[1]
    header = courses_table.split("</thead>")[0]
    assert "节数" in header and "上课时间" not in header
    row = next(r for r in courses_table.split("<tr>") if session.course.title in r)
    assert "<td>2</td>" in row


# ---------- taking someone off the list asks first ----------


def test_taking_someone_off_asks_first_naming_the_person_the_session_and_who_moves_up(
        client, make_staff, sign_in, make_class_session, make_signup):
    session = make_class_session(capacity=1)
    first = make_signup(session=session, name="王秀英")
    second = make_signup(session=session, name="李桂兰", status=WAITING)
    sign_in(client, make_staff("facilitator"))
    roster = page(client.get(f"/staff/classes/sessions/{session.id}"))
    url = f"/staff/classes/signups/{first.id}/cancel"
    assert f'href="{url}"' in roster  # a link to the question, not a one-click form
    question = page(client.get(url))
    assert f"将王秀英从{session.title}的名单中移出？" in question
    assert format_when(session.starts_at) in question
    assert "候补第一位李桂兰将转为正式报名" in question
    unconfirmed = post(client, url, {})  # an old one-click form: asks instead of acting
    assert unconfirmed.status_code == 200 and "移出？" in page(unconfirmed)
    db.session.expire_all()
    assert (first.status, second.status) == (CONFIRMED, WAITING)
    done = post(client, url, {"confirm": "yes"})
    assert done.status_code == 303
    assert "李桂兰 从候补转为正式报名" in page(client.get(done.location))
    db.session.expire_all()
    assert (first.status, second.status) == (WITHDRAWN, CONFIRMED)
    again = post(client, url, {"confirm": "yes"})
    assert "王秀英已经不在名单上了" in page(client.get(again.location))


def test_a_volunteer_cannot_open_the_question(client, make_staff, sign_in, make_signup):
    signup = make_signup()
    sign_in(client, make_staff("volunteer"))
    assert client.get(f"/staff/classes/signups/{signup.id}/cancel").status_code == 403


# ---------- a course's new number of places reaches its sessions to come ----------


@pytest.fixture
def four_sessions(make_course, make_class_session, make_signup):
    """A course of 2 places: one full session to come with one person waiting, one to come
    holding 3 people in 4 places, one that has started and one cancelled."""
    course = make_course(capacity=2)
    full = make_class_session(course=course, capacity=2, starts_in=timedelta(days=2))
    make_signup(session=full, name="王秀英")
    make_signup(session=full, name="张建国")
    waiting = make_signup(session=full, name="李桂兰", status=WAITING)
    roomy = make_class_session(course=course, capacity=4, starts_in=timedelta(days=9))
    for name in ("赵一", "钱二", "孙三"):
        make_signup(session=roomy, name=name)
    started = make_class_session(course=course, capacity=2, starts_in=timedelta(hours=-1))
    cancelled = make_class_session(course=course, capacity=2, starts_in=timedelta(days=4),
                                   status="cancelled")
    return course, full, roomy, started, cancelled, waiting


def test_a_new_course_capacity_applies_to_sessions_to_come_never_below_places_taken(
        four_sessions):
    course, full, roomy, started, cancelled, waiting = four_sessions
    change = services.update_course_and_sessions(
        course, {**services.course_values(course), "capacity": "3"})
    db.session.commit()
    assert (full.capacity, roomy.capacity, started.capacity, cancelled.capacity) == (3, 3, 2, 2)
    assert change.changed == [full, roomy] and change.kept == []
    assert [p.name for p in change.promoted] == ["李桂兰"] and waiting.status == CONFIRMED
    fewer = services.update_course_and_sessions(
        course, {**services.course_values(course), "capacity": "1"})
    db.session.commit()
    assert course.capacity == 1 and (full.capacity, roomy.capacity) == (3, 3)
    assert fewer.kept == [(full, 3), (roomy, 3)] and fewer.changed == []
    same = services.update_course_and_sessions(course, {**services.course_values(course),
                                                        "teacher": "李文静"})
    assert same.changed == same.kept == same.promoted == []


def test_editing_the_course_capacity_says_what_changed(client, make_staff, sign_in,
                                                       four_sessions):
    course, full, roomy, *_rest = four_sessions
    sign_in(client, make_staff("facilitator"))
    form = {**services.course_values(course), "capacity": "3"}
    saved = post(client, f"/staff/classes/{course.id}/edit", form)
    assert saved.status_code == 303
    said = page(client.get(saved.location))
    assert saved.location.endswith(f"/staff/classes/{course.id}/moved-up")
    assert "已保存。新的名额已用于以后的 2 节课。1 人从候补转为正式报名：李桂兰。" in said
    fewer = post(client, f"/staff/classes/{course.id}/edit", {**form, "capacity": "2"})
    said = page(client.get(fewer.location))
    assert (f"{format_when(full.starts_at)}的课保留 3 个名额：已有 3 人报上名。" in said
            and f"{format_when(roomy.starts_at)}的课保留 3 个名额" in said)


# ---------- adding places says who moved up and leads to the call list ----------


def test_more_places_in_a_session_return_who_moved_up_and_they_are_on_the_call_list(
        make_class_session, make_signup):
    session = make_class_session(capacity=1)
    make_signup(session=session, name="王秀英")
    waiting = make_signup(session=session, name="李桂兰", status=WAITING)
    make_signup(session=session, name="周明", status=WAITING)
    values = {**services.session_values(session), "capacity": "2"}
    changed, promoted = services.update_session(session.id, values)
    db.session.commit()
    assert changed.capacity == 2 and promoted == [waiting]
    assert [s.name for s in services.moved_up(session.course, utcnow())] == ["李桂兰"]
    assert services.moved_up(session.course, session.starts_at) == []  # once it has started


def test_adding_places_names_who_moved_up_and_opens_the_call_list(
        client, make_staff, sign_in, make_class_session, make_signup):
    session = make_class_session(capacity=1)
    make_signup(session=session, name="王秀英")
    make_signup(session=session, name="李桂兰", phone="13912345678", status=WAITING)
    sign_in(client, make_staff("facilitator"))
    values = {**services.session_values(session), "capacity": "2"}
    saved = post(client, f"/staff/classes/sessions/{session.id}/edit", values)
    assert saved.status_code == 303
    assert saved.location.endswith(f"/staff/classes/{session.course_id}/moved-up")
    listing = page(client.get(saved.location))
    assert "1 人从候补转为正式报名：李桂兰。请打电话告诉他们（名单在下面）。" in listing
    table = listing.split("<tbody>")[1]
    assert "李桂兰" in table and "139 1234 5678" in table and "王秀英" not in table
    course_page = page(client.get(f"/staff/classes/{session.course_id}"))
    assert f'href="/staff/classes/{session.course_id}/moved-up"' in course_page
    actions = list(db.session.scalars(select(AuditEvent.action)))
    assert "signups.call_list" in actions and "signups.promote" in actions
    unchanged = post(client, f"/staff/classes/sessions/{session.id}/edit", values)
    assert unchanged.location.endswith(f"/staff/classes/sessions/{session.id}")
