"""Issue 16's rough edges in 长者学堂 at the console: each test fails without its fix."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from muling_kiosk.database import utcnow
from muling_kiosk.extensions import db
from muling_kiosk.signups import services
from muling_kiosk.signups.models import ClassSession
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
