"""Who came: of the people who held a place in sessions that have started, how many were
checked in, and how many came without signing up."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from ...database import utcnow
from ...extensions import db
from ..models import CANCELLED, CONFIRMED, ClassSession, Course, Signup


@dataclass
class Attendance:
    expected: int  # places held (not walk-ins) in sessions that have started
    attended: int  # of those, checked in
    walk_ins: int

    @property
    def rate(self) -> float | None:
        return self.attended / self.expected if self.expected else None


def attendance(session_ids: list[int]) -> Attendance:
    if not session_ids:
        return Attendance(0, 0, 0)
    row = db.session.execute(
        select(
            func.count(Signup.id).filter(Signup.walk_in.is_(False)),
            func.count(Signup.id).filter(Signup.walk_in.is_(False),
                                         Signup.attended_at.is_not(None)),
            func.count(Signup.id).filter(Signup.walk_in.is_(True)),
        ).where(Signup.session_id.in_(session_ids), Signup.status == CONFIRMED)
    ).one()
    return Attendance(*row)


def course_attendance(course: Course, now: datetime | None = None) -> Attendance:
    """How many of those who held a place came, over the sessions that have started."""
    now = now or utcnow()
    held = [s.id for s in course.sessions if s.status != CANCELLED and s.starts_at <= now]
    return attendance(held)


def session_attendance(session: ClassSession) -> Attendance:
    return attendance([session.id])
