"""长者学堂 rules, through the services, without HTTP."""

from datetime import time, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from muling_kiosk.audit.models import AuditEvent
from muling_kiosk.database import utcnow
from muling_kiosk.extensions import db
from muling_kiosk.signups import services
from muling_kiosk.signups.models import (
    CANCELLED,
    CLOSED,
    CONFIRMED,
    WAITING,
    WITHDRAWN,
    ClassSession,
    Course,
    Signup,
)
from muling_kiosk.validation import Invalid

from .factories_signups import phone_number


def statuses(session) -> list[tuple[str, str]]:
    db.session.expire_all()
    return [(s.name, s.status) for s in db.session.scalars(
        select(Signup).where(Signup.session_id == session.id).order_by(Signup.id))]


def join(session, name, n, key=None, **kwargs):
    result = services.sign_up(session.id, name, phone_number(n), key, **kwargs)
    db.session.commit()
    return result


# ---------- what people type ----------


@pytest.mark.parametrize(("raw", "expected"), [
    ("王秀英", "王秀英"), ("  王 秀英  ", "王 秀英"), ("李" * 20, "李" * 20),
    ("Mary Wang", "Mary Wang"), ("<script>x</script>", "<script>x</script>"),
])
def test_good_names_are_trimmed_and_kept_as_typed(raw, expected):
    assert services.check_name(raw) == expected


@pytest.mark.parametrize(("raw", "words"), [
    ("", "请写上您的名字"), ("    ", "请写上您的名字"),
    ("李" * 21, "最多 20 个字"), ("  " + "李" * 21 + "  ", "最多 20 个字"),
    ("王\x07秀英", "不能用的符号"), ("王\u200b秀英", "不能用的符号"),
    ("王\t秀英", "不能用的符号"), ("王秀英\u202e", "不能用的符号"),
])
def test_bad_names_get_a_message_for_the_name_field(app, raw, words):
    with pytest.raises(Invalid) as caught:
        services.check_name(raw)
    assert words in str(caught.value.errors["name"])


@pytest.mark.parametrize("raw", ["12812345678", "1381234567", "138123456789", "23812345678",
                                 "10012345678", "1381234567x"])
def test_numbers_that_are_not_mainland_mobiles_are_refused(app, raw):
    with pytest.raises(Invalid) as caught:
        services.check_phone(raw)
    assert "11 位数字" in str(caught.value.errors["phone"])


def test_both_fields_are_checked_at_once_and_spaces_in_numbers_are_fine(app):
    assert services.check_person(" 王秀英 ", "138 1234 5678") == ("王秀英", "13812345678")
    with pytest.raises(Invalid) as caught:
        services.check_person("", "")
    assert set(caught.value.errors) == {"name", "phone"}
    assert services.check_person("王秀英", "", phone_required=False) == ("王秀英", None)


# ---------- seats and the queue ----------


def test_places_fill_up_then_people_queue_in_arrival_order(make_class_session):
    session = make_class_session(capacity=2)
    results = [join(session, name, n) for n, name in enumerate(["甲", "乙", "丙", "丁"])]
    assert statuses(session) == [("甲", CONFIRMED), ("乙", CONFIRMED), ("丙", WAITING),
                                 ("丁", WAITING)]
    assert [services.queue_position(r.signup) for r in results] == [None, None, 1, 2]
    info = services.describe([session])[0]
    assert (info.confirmed, info.waiting, info.seats_left, info.state) == (2, 2, 0, "full")


def test_the_same_confirmation_twice_makes_one_sign_up(make_class_session):
    session = make_class_session()
    first = join(session, "王秀英", 1, key="k" * 22)
    second = join(session, "王秀英", 1, key="k" * 22)
    assert not first.replayed and second.replayed
    assert second.signup.id == first.signup.id
    assert len(statuses(session)) == 1


def test_one_number_holds_one_place_or_queue_place_per_session(make_class_session):
    session = make_class_session(capacity=1)
    join(session, "王秀英", 1)
    join(session, "李桂兰", 2)  # waiting
    for n in (1, 2):
        with pytest.raises(services.AlreadySignedUp) as caught:
            services.sign_up(session.id, "又一次", phone_number(n), None)
        assert caught.value.signup.phone == phone_number(n)
        db.session.rollback()
    other = make_class_session()
    assert join(other, "王秀英", 1).signup.status == CONFIRMED  # another session is fine


def test_the_database_itself_refuses_a_second_active_place_for_a_number(make_signup):
    signup = make_signup()
    for status in (CONFIRMED, WAITING):
        db.session.add(Signup(session_id=signup.session_id, name="重复", phone=signup.phone,
                              status=status, request_key=f"dup-{status}-0123456789"))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
    # A cancelled sign-up does not hold the number: it may sign up again.
    signup = db.session.get(Signup, signup.id)
    signup.status = WITHDRAWN
    db.session.add(Signup(session_id=signup.session_id, name="再报", phone=signup.phone,
                          status=CONFIRMED, request_key="again-0123456789abc"))
    db.session.commit()


def test_a_cancelled_sign_up_can_sign_up_again(make_class_session):
    session = make_class_session()
    first = join(session, "王秀英", 1)
    services.cancel_signup(first.signup.id)
    db.session.commit()
    again = join(session, "王秀英", 1)
    assert again.signup.id != first.signup.id and again.signup.status == CONFIRMED


@pytest.mark.parametrize(("change", "reason"), [
    ({"status": CANCELLED}, "cancelled"),
    ({"status": CLOSED}, "closed"),
    ({"starts_in": -timedelta(minutes=1)}, "started"),
    ({"starts_in": -timedelta(days=3)}, "started"),
])
def test_past_cancelled_or_closed_sessions_cannot_be_joined(make_class_session, change, reason):
    session = make_class_session(**change)
    with pytest.raises(services.NotJoinable) as caught:
        services.sign_up(session.id, "王秀英", phone_number(1), None)
    assert caught.value.reason == reason
    assert caught.value.message  # said in words
    db.session.rollback()
    assert statuses(session) == []
    assert services.describe([session])[0].state == reason


def test_walk_ins_do_not_take_places(make_class_session):
    session = make_class_session(capacity=1, starts_in=-timedelta(minutes=5))
    services.add_walk_in(session.id, "临时来", "", None)
    db.session.commit()
    assert services.seats_taken(session.id) == 0
    assert services.describe([session])[0].confirmed == 0


# ---------- cancelling and moving up ----------


def test_cancelling_a_place_moves_the_first_person_waiting_up(make_class_session):
    session = make_class_session(capacity=1)
    first = join(session, "甲", 1).signup
    join(session, "乙", 2)
    join(session, "丙", 3)
    signup, promoted = services.cancel_signup(first.id)
    db.session.commit()
    assert signup.status == WITHDRAWN and signup.cancelled_at is not None
    assert [p.name for p in promoted] == ["乙"]
    assert statuses(session) == [("甲", WITHDRAWN), ("乙", CONFIRMED), ("丙", WAITING)]
    moved = db.session.scalar(select(Signup).where(Signup.name == "乙"))
    assert moved.promoted_at is not None
    assert services.queue_position(db.session.scalar(select(Signup).where(Signup.name == "丙"))) == 1


def test_leaving_the_queue_moves_nobody_and_cancelling_twice_changes_nothing(make_class_session):
    session = make_class_session(capacity=1)
    join(session, "甲", 1)
    waiting = join(session, "乙", 2).signup
    join(session, "丙", 3)
    assert services.cancel_signup(waiting.id)[1] == []
    db.session.commit()
    assert services.cancel_signup(waiting.id)[1] == []
    db.session.commit()
    assert statuses(session) == [("甲", CONFIRMED), ("乙", WITHDRAWN), ("丙", WAITING)]
    assert services.queue_position(db.session.scalar(select(Signup).where(Signup.name == "丙"))) == 1


def test_a_started_class_cannot_be_cancelled_on_the_kiosk_but_staff_can(make_signup,
                                                                       make_class_session):
    session = make_class_session(starts_in=-timedelta(minutes=10))
    signup = make_signup(session=session)
    with pytest.raises(services.TooLate):
        services.cancel_signup(signup.id)
    db.session.rollback()
    signup, _ = services.cancel_signup(signup.id, allow_started=True)
    assert signup.status == WITHDRAWN


def test_more_places_move_people_up_and_fewer_than_taken_are_refused(make_class_session):
    session = make_class_session(capacity=1)
    for n, name in enumerate(["甲", "乙", "丙"]):
        join(session, name, n)
    values = _session_values(session, capacity="2")
    services.update_session(session.id, values)
    db.session.commit()
    assert statuses(session) == [("甲", CONFIRMED), ("乙", CONFIRMED), ("丙", WAITING)]
    with pytest.raises(Invalid) as caught:
        services.update_session(session.id, _session_values(session, capacity="1"))
    assert "不能少于 2 个" in str(caught.value.errors["capacity"])


def _session_values(session, **changes):
    start = session.starts_at.astimezone(services.local_zone())
    values = {"day": start.date().isoformat(), "start": start.strftime("%H:%M"),
              "minutes": str(int((session.ends_at - session.starts_at).total_seconds() // 60)),
              "capacity": str(session.capacity), "status": session.status}
    values.update(changes)
    return values


def test_closing_sign_up_keeps_places_and_the_session_can_be_moved(make_class_session):
    session = make_class_session(capacity=3)
    join(session, "甲", 1)
    new_day = (utcnow() + timedelta(days=5)).astimezone(services.local_zone()).date()
    services.update_session(session.id, _session_values(
        session, status=CLOSED, day=new_day.isoformat(), start="14:30", minutes="60"))
    db.session.commit()
    session = db.session.get(ClassSession, session.id)
    local = session.starts_at.astimezone(services.local_zone())
    assert (local.date(), local.strftime("%H:%M")) == (new_day, "14:30")
    assert session.ends_at - session.starts_at == timedelta(minutes=60)
    assert statuses(session) == [("甲", CONFIRMED)]
    with pytest.raises(services.NotJoinable):
        services.sign_up(session.id, "乙", phone_number(2), None)


def test_a_cancelled_session_has_a_call_list_and_moves_nobody_up(make_class_session):
    session = make_class_session(capacity=1)
    first = join(session, "甲", 1).signup
    join(session, "乙", 2)
    services.cancel_session(session.id, "老师生病")
    db.session.commit()
    assert [(s.name, s.phone) for s in services.call_list(session)] == [
        ("甲", phone_number(1)), ("乙", phone_number(2))]
    assert session.cancel_reason == "老师生病" and session.cancelled_at is not None
    services.cancel_signup(first.id, allow_started=True)
    assert statuses(session)[1] == ("乙", WAITING)
    with pytest.raises(Invalid):
        services.update_session(session.id, _session_values(session))


# ---------- courses and weekly series ----------


def test_a_course_needs_a_unique_title_a_place_and_a_sensible_capacity(app, community):
    good = {"title": " 书法 ", "teacher": "王德明", "place": "睦邻驿站", "category": "calligraphy",
            "description": "", "capacity": "15"}
    course = services.create_course(community.id, good)
    db.session.commit()
    assert (course.title, course.capacity) == ("书法", 15)
    with pytest.raises(Invalid) as caught:
        services.create_course(community.id, good)
    assert "已经有同名的课程" in str(caught.value.errors["title"])
    with pytest.raises(Invalid) as caught:
        services.create_course(community.id, {"title": "", "place": "", "category": "x",
                                              "capacity": "0"})
    assert set(caught.value.errors) == {"title", "place", "category", "capacity"}
    services.update_course(course, {**good, "title": "书法", "capacity": "12"})
    assert course.capacity == 12  # its own title is not a duplicate


def test_a_weekly_series_meets_on_the_same_weekday_and_local_time(make_course):
    course = make_course(capacity=12)
    first = (utcnow() + timedelta(days=3)).astimezone(services.local_zone()).date()
    added = services.add_sessions(course, {"day": first.isoformat(), "start": "09:00",
                                           "minutes": "90", "weeks": "8", "capacity": ""})
    db.session.commit()
    assert len(added) == 8
    starts = [s.starts_at.astimezone(services.local_zone()) for s in added]
    assert [s.date() for s in starts] == [first + timedelta(weeks=w) for w in range(8)]
    assert {s.strftime("%H:%M") for s in starts} == {"09:00"}
    assert {s.capacity for s in added} == {12}
    assert all(s.ends_at - s.starts_at == timedelta(minutes=90) for s in added)
    # Sent twice (a double click): nothing new, and it says so.
    with pytest.raises(Invalid) as caught:
        services.add_sessions(course, {"day": first.isoformat(), "start": "09:00",
                                       "minutes": "90", "weeks": "8", "capacity": "12"})
    assert "没有添加新的课" in str(caught.value.errors["day"])


def test_a_series_cannot_start_in_the_past_or_run_forever(make_course):
    course = make_course()
    with pytest.raises(Invalid) as caught:
        services.add_sessions(course, {"day": "2020-01-07", "start": "09:00", "minutes": "90",
                                       "weeks": "99", "capacity": "10"})
    assert set(caught.value.errors) == {"day", "weeks"}
    with pytest.raises(Invalid) as caught:
        services.add_sessions(course, {"day": "", "start": "9点", "minutes": "5", "weeks": "1"})
    assert set(caught.value.errors) == {"day", "start", "minutes"}


# ---------- the class list ----------


def test_the_week_shows_todays_classes_first_and_pages_by_week(make_course, make_class_session):
    course = make_course()
    now = utcnow()
    today = services.local_day(now)
    monday = today - timedelta(days=today.weekday())

    def at(day, hour):
        return services.local_datetime(day, time(hour, 0))

    sunday_late = make_class_session(course=course, starts_at=at(monday + timedelta(days=6), 23),
                                     minutes=59)
    later_today = make_class_session(course=course, starts_at=now + timedelta(minutes=1))
    next_monday = make_class_session(course=course, starts_at=at(monday + timedelta(weeks=1), 9))
    over = make_class_session(course=course, starts_at=now - timedelta(hours=3), minutes=60)
    running = make_class_session(course=course, starts_at=now - timedelta(minutes=10))
    _, days = services.week_of_sessions(course.community_id, 0, now)
    shown = [info.session.id for _day, infos in days for info in infos]
    assert over.id not in shown and next_monday.id not in shown
    if services.local_day(running.starts_at) == today:
        assert days[0][0] == today and shown[0] == running.id
        assert services.describe([running], now)[0].state == "started"
    if services.local_day(later_today.starts_at) == today:  # not at midnight on a Sunday
        assert shown.index(later_today.id) < shown.index(sunday_late.id)
    monday_1, days_1 = services.week_of_sessions(course.community_id, 1, now)
    assert monday_1 == monday + timedelta(weeks=1)
    assert [info.session.id for _d, infos in days_1 for info in infos] == [next_monday.id]


def test_a_numbers_sign_ups_are_its_own_and_in_its_community(make_class_session, make_signup,
                                                            make_community, make_course):
    mine = make_signup(phone=phone_number(7))
    make_signup(phone=phone_number(8))
    elsewhere = make_course(community=make_community())
    make_signup(session=make_class_session(course=elsewhere), phone=phone_number(7))
    found = services.signups_of(mine.session.community_id, phone_number(7))
    assert [s.id for s in found] == [mine.id]
    assert services.signup_of(mine.id, phone_number(8), mine.session.community_id) is None
    assert services.signup_of(mine.id, phone_number(7), mine.session.community_id).id == mine.id


# ---------- check-in and attendance ----------


def test_check_in_is_a_state_not_a_toggle_and_walk_ins_are_counted(make_class_session,
                                                                  make_signup):
    session = make_class_session(capacity=4, starts_in=-timedelta(minutes=5))
    a, b = make_signup(session=session), make_signup(session=session)
    waiting = make_signup(session=session, status=WAITING)
    services.set_attendance(a, True)
    first_time = a.attended_at
    services.set_attendance(a, True)  # the same tap again
    assert a.attended_at == first_time
    services.set_attendance(b, True)
    services.set_attendance(b, False)
    assert b.attended_at is None
    with pytest.raises(Invalid):
        services.set_attendance(waiting, True)
    walk_in, on_list = services.add_walk_in(session.id, "临时来", "", None)
    assert walk_in.walk_in and walk_in.attended_at and not on_list
    # A waiting person who comes is checked in with a place.
    came, on_list = services.add_walk_in(session.id, waiting.name, waiting.phone, None)
    assert came.id == waiting.id and on_list and came.status == CONFIRMED and came.attended_at
    db.session.commit()
    result = services.session_attendance(session)
    assert (result.expected, result.attended, result.walk_ins) == (3, 2, 1)
    actions = list(db.session.scalars(select(AuditEvent.action)))
    assert actions.count("signups.check_in") == 3 and "signups.undo_check_in" in actions


def test_check_in_opens_on_the_day_of_the_class(make_class_session):
    assert services.checkin_problem(make_class_session(starts_in=timedelta(days=2))) == "not_yet"
    assert services.checkin_problem(make_class_session(starts_in=-timedelta(hours=1))) is None
    assert services.checkin_problem(make_class_session(
        starts_in=-timedelta(hours=1), status=CANCELLED)) == "cancelled"


def test_attendance_rate_of_a_course_counts_held_sessions_only(make_course, make_class_session,
                                                               make_signup):
    course = make_course()
    held = make_class_session(course=course, starts_in=-timedelta(days=7))
    held_too = make_class_session(course=course, starts_in=-timedelta(days=14))
    cancelled = make_class_session(course=course, starts_in=-timedelta(days=21),
                                   status=CANCELLED)
    coming = make_class_session(course=course, starts_in=timedelta(days=2))
    for session, came in ((held, [True, True, False]), (held_too, [True, False]),
                          (cancelled, [False]), (coming, [False, False])):
        for attended in came:
            make_signup(session=session, attended_at=utcnow() if attended else None)
    db.session.expire_all()
    rate = services.course_attendance(db.session.get(Course, course.id))
    assert (rate.attended, rate.expected) == (3, 5) and rate.rate == pytest.approx(0.6)


# ---------- records ----------


def test_resident_writes_are_audited_without_personal_data(make_class_session):
    session = make_class_session(capacity=1)
    first = join(session, "王秀英", 1).signup
    join(session, "李桂兰", 2)
    services.cancel_signup(first.id)
    db.session.commit()
    events = list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    assert [e.action for e in events] == ["signups.sign_up", "signups.sign_up",
                                          "signups.cancel", "signups.promote"]
    for event in events:
        text = f"{event.before} {event.after} {event.actor}"
        assert "王秀英" not in text and phone_number(1) not in text
        assert event.community_id == session.community_id


def test_on_behalf_sign_ups_record_who(make_class_session, make_staff):
    volunteer = make_staff("volunteer")
    result = join(make_class_session(), "王秀英", 1, staff=volunteer)
    assert result.signup.created_by_staff_id == volunteer.id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "signups.sign_up"))
    assert event.staff_id == volunteer.id and event.after["on_behalf"] is True


def test_seed_demo_is_realistic_and_idempotent(runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    counts = [db.session.scalar(select(func.count()).select_from(m))
              for m in (Course, ClassSession, Signup)]
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert [db.session.scalar(select(func.count()).select_from(m))
            for m in (Course, ClassSession, Signup)] == counts
    titles = set(db.session.scalars(select(Course.title)))
    assert {"智能手机入门", "书法", "太极拳", "健康讲座", "合唱", "剪纸"} <= titles
    places = set(db.session.scalars(select(Course.place)))
    assert any("睦邻驿站" in p for p in places) and any("实成·幸福里" in p for p in places)
    now = utcnow()
    upcoming = list(db.session.scalars(select(ClassSession).where(
        ClassSession.starts_at > now, ClassSession.starts_at < now + timedelta(days=8))))
    infos = services.describe(upcoming, now)
    assert any(i.state == "full" and i.waiting for i in infos)
    assert any(i.state == "open" for i in infos)
    for info in infos:  # the queue never holds people while places are free
        assert info.waiting == 0 or info.confirmed >= info.session.capacity
    names = set(db.session.scalars(select(Signup.name)))
    assert not names & {"王治清", "李长发", "马桂芳"}
    assert all(len(p) == 11 for p in db.session.scalars(select(Signup.phone)))
