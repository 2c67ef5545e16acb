"""Rosters: who holds a place and who waits, on the console's roster, the printed sign-in
sheet, the downloads and the call list after 停课."""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...audit.services import record
from ...extensions import db
from ...i18n import format_when, local_zone
from ..models import ACTIVE, CANCELLED, CONFIRMED, WAITING, ClassSession, Course, Signup
from .attendance import Attendance, session_attendance
from .seats import SessionInfo, describe_one


def roster(session: ClassSession) -> tuple[list[Signup], list[Signup]]:
    """(people with a place, in sign-up order, walk-ins last; the queue, in order)."""
    rows = list(db.session.scalars(
        select(Signup).where(Signup.session_id == session.id, Signup.status.in_(ACTIVE))
        .options(selectinload(Signup.created_by))
        .order_by(Signup.walk_in, Signup.id)))
    return ([s for s in rows if s.status == CONFIRMED], [s for s in rows if s.status == WAITING])


@dataclass
class RosterSheet:
    """A session's roster as the console shows and prints it (numbers masked there)."""

    class_session: ClassSession
    confirmed: list[Signup]
    waiting: list[Signup]
    info: SessionInfo
    attendance: Attendance


def roster_sheet(session: ClassSession) -> RosterSheet:
    confirmed, waiting = roster(session)
    return RosterSheet(session, confirmed, waiting, describe_one(session),
                       session_attendance(session))


def call_list(session: ClassSession) -> list[Signup]:
    """Whom to tell: everyone who held a place or waited, with a number, places first."""
    confirmed, waiting = roster(session)
    return [s for s in confirmed + waiting if s.phone]


def moved_up(course: Course, now: datetime) -> list[Signup]:
    """Whom to call with good news: people who moved up from the waiting list into a place in
    one of the course's sessions to come, session by session, in the order they moved up."""
    return list(db.session.scalars(
        select(Signup).join(Signup.session)
        .where(ClassSession.course_id == course.id, ClassSession.starts_at > now,
               ClassSession.status != CANCELLED, Signup.status == CONFIRMED,
               Signup.promoted_at.is_not(None))
        .options(selectinload(Signup.session))
        .order_by(ClassSession.starts_at, Signup.promoted_at, Signup.id)))


def record_moved_up_disclosure(course: Course, people: int) -> None:
    """The list of people moved up, with whole numbers, was shown (audit log); the caller
    commits before it leaves."""
    record("signups.call_list", course, after={"course_id": course.id, "moved_up": people})


def roster_table(session: ClassSession) -> tuple[list[str], list[list]]:
    """The export: everyone with a place, then the queue; numbers whole (staff call them)."""
    header = [_("No."), _("Full name"), _("Mobile number"), _("Status"), _("Signed up at"),
              _("Signed up by"), _("Checked in")]
    confirmed, waiting = roster(session)
    rows = []
    for number, signup in enumerate(confirmed, 1):
        rows.append([number, signup.name, signup.phone or "",
                     _("Walk-in") if signup.walk_in else _("Has a place"),
                     format_when(signup.created_at), signup.created_by.display_name
                     if signup.created_by else "", format_when(signup.attended_at)])
    for number, signup in enumerate(waiting, 1):
        rows.append(["", signup.name, signup.phone or "",
                     _("Waiting, number %(place)s", place=number),
                     format_when(signup.created_at), signup.created_by.display_name
                     if signup.created_by else "", ""])
    return header, rows


def roster_file_name(session: ClassSession, extension: str) -> str:
    """The download's name: the class and when it meets, in the community's time."""
    start = session.starts_at.astimezone(local_zone())
    return _("Roster %(title)s %(date)s", title=session.title,
             date=start.strftime("%Y-%m-%d %H%M")) + "." + extension


def record_disclosure(action: str, session: ClassSession, **details) -> None:
    """A list with whole phone numbers was produced: who, when, which session (audit log).
    The caller commits, before the list leaves."""
    record(action, session, after={"session_id": session.id, **details})
