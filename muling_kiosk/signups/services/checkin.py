"""上课签到 on the tablet in staff mode: which classes can be checked in, tapping a name, and
someone who came without signing up (a walk-in)."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...audit.services import record
from ...database import utcnow
from ...extensions import db
from ...idempotency import new_request_key
from ...validation import Invalid
from ..models import CANCELLED, CONFIRMED, WAITING, ClassSession, Signup
from .attendance import Attendance, session_attendance
from .base import local_datetime, local_day, lock_session, week_start
from .people import check_person
from .rosters import roster
from .seats import SessionInfo, active_signup, describe, find_signup


def checkin_problem(session: ClassSession, now: datetime | None = None) -> str | None:
    """Check-in opens on the day of the class; never for a cancelled one."""
    now = now or utcnow()
    if session.status == CANCELLED:
        return "cancelled"
    if local_day(session.starts_at) > local_day(now):
        return "not_yet"
    return None


def may_check_in(session: ClassSession, signup: Signup) -> bool:
    """A name can be tapped when check-in is open and the person holds a place."""
    return checkin_problem(session) is None and signup.status == CONFIRMED


def checkin_sessions(community_id: int, now: datetime | None = None) -> list[ClassSession]:
    """The tablet's check-in list: today's classes first, then the rest of this week's."""
    now = now or utcnow()
    today = local_day(now)
    monday = week_start(0, now)
    sessions = list(db.session.scalars(
        select(ClassSession)
        .where(ClassSession.community_id == community_id, ClassSession.status != CANCELLED,
               ClassSession.starts_at >= local_datetime(monday, time.min),
               ClassSession.starts_at < local_datetime(today + timedelta(days=1), time.min))
        .options(selectinload(ClassSession.course))
        .order_by(ClassSession.starts_at)))
    return sorted(sessions, key=lambda s: (local_day(s.starts_at) != today, s.starts_at))


@dataclass
class CheckinChoice:
    """The classes to choose from for check-in, with how many are here so far."""

    infos: list[SessionInfo]
    todays: set[int]  # ids of today's sessions: shown with the time only
    attendance: dict[int, Attendance]


def checkin_choice(community_id: int, now: datetime | None = None) -> CheckinChoice:
    now = now or utcnow()
    sessions = checkin_sessions(community_id, now)
    today = local_day(now)
    return CheckinChoice(describe(sessions, now),
                         {s.id for s in sessions if local_day(s.starts_at) == today},
                         {s.id: session_attendance(s) for s in sessions})


@dataclass
class CheckinSheet:
    """One class's check-in list: the names to tap and how many are here."""

    class_session: ClassSession
    confirmed: list[Signup]
    waiting: list[Signup]
    problem: str | None  # why names cannot be tapped (CHECKIN_PROBLEMS), or None
    here: int


def checkin_sheet(session: ClassSession) -> CheckinSheet:
    confirmed, waiting = roster(session)
    return CheckinSheet(session, confirmed, waiting, checkin_problem(session),
                        sum(1 for s in confirmed if s.attended_at))


def set_attendance(signup: Signup, attended: bool, staff=None,
                   now: datetime | None = None) -> Signup:
    """Tap a name: here (attended) or not; the same tap twice leaves the same answer."""
    now = now or utcnow()
    if signup.status != CONFIRMED:
        raise Invalid({"signup": _l("Only people with a place can be checked in.")})
    if attended and signup.attended_at is None:
        signup.attended_at = now
    elif not attended and signup.attended_at is not None:
        signup.attended_at = None
    else:
        return signup
    db.session.flush()
    record("signups.check_in" if attended else "signups.undo_check_in", signup, staff=staff,
           after={"session_id": signup.session_id, "attended": attended})
    return signup


def add_walk_in(session_id: int, raw_name: str, raw_phone: str, request_key: str | None,
                staff=None, now: datetime | None = None) -> tuple[Signup, bool]:
    """Someone came without a place: on the roster and checked in at once. When the number
    already holds a place (or waits), that sign-up is checked in instead. Returns
    (sign-up, whether it was already on the list)."""
    now = now or utcnow()
    name, phone = check_person(raw_name, raw_phone, phone_required=False)
    session = lock_session(session_id)
    if request_key and (earlier := find_signup(request_key)) is not None:
        return earlier, False
    if (held := active_signup(session.id, phone)) is not None:
        if held.status == WAITING:
            held.status = CONFIRMED
            held.promoted_at = now
        set_attendance(held, True, staff, now)
        return held, True
    signup = Signup(session_id=session.id, name=name, phone=phone, status=CONFIRMED, walk_in=True,
                    attended_at=now, created_at=now,
                    request_key=request_key or new_request_key(),
                    created_by_staff_id=staff.id if staff is not None else None)
    db.session.add(signup)
    db.session.flush()
    record("signups.walk_in", signup, staff=staff, after={"session_id": session.id})
    return signup, False
