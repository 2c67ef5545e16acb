"""A course's sessions as staff plan them at the console: one session or a weekly series,
changing one, and 停课 (cancelling one, with a call list)."""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...audit.services import record, snapshot
from ...database import utcnow
from ...extensions import db
from ...i18n import local_zone
from ...privacy import clean_name
from ...validation import Invalid, parse_day
from ..models import CANCELLED, CLOSED, OPEN, ClassSession, Course, Signup
from .base import (
    CAPACITY_MAX,
    MINUTES_MAX,
    MINUTES_MIN,
    SESSION_FIELDS,
    WEEKS_MAX,
    int_in,
    local_datetime,
    local_day,
    lock_session,
)
from .courses import update_course
from .rosters import call_list
from .seats import seats_taken
from .signing import fill_from_queue


def new_sessions_values(course: Course) -> dict:
    """What the form to add sessions holds before staff type anything."""
    return {"start": "09:00", "minutes": 90, "weeks": 8, "capacity": course.capacity}


def session_values(session: ClassSession) -> dict:
    """A session as its edit form shows it: the day and time where the community lives."""
    start = session.starts_at.astimezone(local_zone())
    return {"day": start.date().isoformat(), "start": start.strftime("%H:%M"),
            "minutes": int((session.ends_at - session.starts_at).total_seconds() // 60),
            "capacity": session.capacity, "status": session.status}


def _parse_time(raw) -> time | None:
    try:
        return time.fromisoformat(str(raw or "").strip()[:5])
    except ValueError:
        return None


def _schedule_values(values: dict, now: datetime) -> tuple[datetime, int]:
    """The first start (aware) and the length in minutes from a form, or Invalid."""
    errors = {}
    day, at = parse_day(values.get("day")), _parse_time(values.get("start"))
    minutes = int_in(values.get("minutes"), MINUTES_MIN, MINUTES_MAX)
    if day is None:
        errors["day"] = _l("Please choose a date.")
    if at is None:
        errors["start"] = _l("Please give a start time, like 09:00.")
    if minutes is None:
        errors["minutes"] = _l("From %(low)s to %(high)s minutes.", low=MINUTES_MIN,
                               high=MINUTES_MAX)
    starts_at = local_datetime(day, at) if day and at else None
    if starts_at is not None and starts_at <= now:
        errors["day"] = _l("This time has passed. Please choose a time to come.")
    if errors:
        raise Invalid(errors)
    return starts_at, minutes


class AddedSessions(list):
    """The sessions added, and how many of those asked for existed already (`skipped`)."""

    skipped = 0


def add_sessions(course: Course, values: dict, now: datetime | None = None
                 ) -> AddedSessions:
    """One session, or a weekly series ("every Tuesday 9:00 for 8 weeks"): the same weekday
    and wall-clock time each week. A session already at that time is not added twice; when
    every one asked for exists already, Invalid says that nothing was added."""
    now = now or utcnow()
    errors = {}
    weeks = int_in(values.get("weeks") or 1, 1, WEEKS_MAX)
    capacity = int_in(values.get("capacity") or course.capacity, 1, CAPACITY_MAX)
    if weeks is None:
        errors["weeks"] = _l("From 1 to %(max)s weeks.", max=WEEKS_MAX)
    if capacity is None:
        errors["capacity"] = _l("A number of places from 1 to %(max)s.", max=CAPACITY_MAX)
    try:
        first, minutes = _schedule_values(values, now)
    except Invalid as invalid:
        errors.update(invalid.errors)
    if errors:
        raise Invalid(errors)
    first_local = first.astimezone(local_zone())
    existing = set(db.session.scalars(select(ClassSession.starts_at)
                                      .where(ClassSession.course_id == course.id)))
    added = AddedSessions()
    for week in range(weeks):
        starts_at = local_datetime(first_local.date() + timedelta(weeks=week),
                                   first_local.timetz().replace(tzinfo=None))
        if starts_at in existing:
            added.skipped += 1
            continue
        session = ClassSession(course=course, community_id=course.community_id,
                               starts_at=starts_at,
                               ends_at=starts_at + timedelta(minutes=minutes),
                               capacity=capacity, status=OPEN)
        db.session.add(session)
        added.append(session)
    if not added:
        raise Invalid({"day": _l("Every one of these sessions exists already: nothing was "
                                 "added.")})
    db.session.flush()
    for session in added:
        record("signups.add_session", session, after=snapshot(session, SESSION_FIELDS))
    return added


def update_session(session_id: int, values: dict, now: datetime | None = None, staff=None
                   ) -> tuple[ClassSession, list[Signup]]:
    """New time, length, places or sign-up open/closed. Fewer places than people already
    signed up is refused; more places let the first people waiting move up (returned)."""
    now = now or utcnow()
    session = lock_session(session_id)
    errors = {}
    if session.status == CANCELLED:
        raise Invalid({"status": _l("A cancelled class cannot be changed.")})
    capacity = int_in(values.get("capacity"), 1, CAPACITY_MAX)
    status = values.get("status")
    if capacity is None:
        errors["capacity"] = _l("A number of places from 1 to %(max)s.", max=CAPACITY_MAX)
    elif capacity < (taken := seats_taken(session.id)):
        errors["capacity"] = _l("%(count)s people have a place already: at least %(count)s "
                                "places.", count=taken)
    if status not in (OPEN, CLOSED):
        errors["status"] = _l("Please choose open or closed.")
    starts_at = session.starts_at
    shown = session_values(session)
    minutes = shown["minutes"]
    changed_time = (values.get("day") != shown["day"]
                    or (values.get("start") or "")[:5] != shown["start"]
                    or str(values.get("minutes")) != str(minutes))
    if changed_time:
        try:
            starts_at, minutes = _schedule_values(values, now)
        except Invalid as invalid:
            errors.update(invalid.errors)
    if errors:
        raise Invalid(errors)
    before = snapshot(session, SESSION_FIELDS)
    session.starts_at = starts_at
    session.ends_at = starts_at + timedelta(minutes=minutes)
    session.capacity = capacity
    session.status = status
    db.session.flush()
    record("signups.update_session", session, before=before,
           after=snapshot(session, SESSION_FIELDS))
    return session, fill_from_queue(session, now, staff)


@dataclass
class CapacityChange:
    """What a course's new 每节课名额 did to its sessions to come."""

    changed: list[ClassSession] = field(default_factory=list)  # now hold the new number
    kept: list[tuple[ClassSession, int]] = field(default_factory=list)  # (session, places)
    promoted: list[Signup] = field(default_factory=list)  # moved up from the waiting list


def update_course_and_sessions(course: Course, values: dict, staff=None,
                               now: datetime | None = None) -> CapacityChange:
    """Save a course; a new number of places applies to its sessions that have not started
    (not cancelled ones). A session never gets fewer places than people holding one: it keeps
    that many (`kept`). Places that open let the first people waiting move up."""
    now = now or utcnow()
    old_capacity = course.capacity
    update_course(course, values)
    change = CapacityChange()
    if course.capacity == old_capacity:
        return change
    to_come = db.session.scalars(
        select(ClassSession.id).where(ClassSession.course_id == course.id,
                                      ClassSession.status != CANCELLED,
                                      ClassSession.starts_at > now)
        .order_by(ClassSession.starts_at)).all()
    for session_id in to_come:
        session = lock_session(session_id)
        places = max(course.capacity, seats_taken(session.id))
        if places != course.capacity:
            change.kept.append((session, places))
        if places == session.capacity:
            continue
        before = snapshot(session, SESSION_FIELDS)
        session.capacity = places
        db.session.flush()
        record("signups.update_session", session, before=before,
               after=snapshot(session, SESSION_FIELDS))
        if places == course.capacity:
            change.changed.append(session)
        change.promoted += fill_from_queue(session, now, staff)
    return change


def cancel_session(session_id: int, reason: str, now: datetime | None = None
                   ) -> ClassSession:
    """停课: nobody can join it any more; the people who held a place or waited are on the
    call list (call_list). Cancelling twice changes nothing."""
    now = now or utcnow()
    session = lock_session(session_id)
    reason = clean_name(reason)[:200]
    if session.status == CANCELLED:
        return session
    before = snapshot(session, SESSION_FIELDS)
    session.status = CANCELLED
    session.cancel_reason = reason
    session.cancelled_at = now
    db.session.flush()
    record("signups.cancel_session", session, before=before,
           after=snapshot(session, SESSION_FIELDS) | {"people_to_call": len(call_list(session))})
    return session


def upcoming_sessions(community_ids: list[int], now: datetime | None = None, days: int = 14
                      ) -> list[ClassSession]:
    """The console's first table: sessions from today on, for `days` days."""
    now = now or utcnow()
    start = local_datetime(local_day(now), time.min)
    return list(db.session.scalars(
        select(ClassSession)
        .where(ClassSession.community_id.in_(community_ids), ClassSession.starts_at >= start,
               ClassSession.starts_at < start + timedelta(days=days))
        .options(selectinload(ClassSession.course))
        .order_by(ClassSession.starts_at)))
