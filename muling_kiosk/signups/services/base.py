"""What every rule of 长者学堂 shares: the limits and the words for them, the refusals, the
community's wall-clock time, typed numbers and the session row lock."""

from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...extensions import db
from ...i18n import local_zone
from ..models import ClassSession, Signup

CATEGORY_NAMES = {
    "phone": _l("Smartphone"),
    "calligraphy": _l("Calligraphy"),
    "taichi": _l("Tai chi"),
    "health": _l("Health talk"),
    "choir": _l("Choir"),
    "papercut": _l("Paper cutting"),
    "other": _l("Other"),
}
TITLE_MAX, TEACHER_MAX, PLACE_MAX, DESCRIPTION_MAX = 40, 40, 60, 1000
CAPACITY_MAX = 200
MINUTES_MIN, MINUTES_MAX = 15, 8 * 60
WEEKS_MAX = 26
# How far ahead the kiosk pages the class list.
WEEKS_AHEAD = 12
COURSE_FIELDS = ("title", "teacher", "place", "category", "description", "capacity")
SESSION_FIELDS = ("starts_at", "ends_at", "capacity", "status", "cancel_reason")

# Why a session cannot be joined, as the kiosk says it.
NOT_JOINABLE = {
    "cancelled": _l("This class has been cancelled."),
    "closed": _l("Sign-up for this class has closed."),
    "started": _l("This class has already started, so it is too late to sign up."),
}

# Why a session's check-in list cannot be used (checkin.checkin_problem).
CHECKIN_PROBLEMS = {
    "cancelled": _l("This class has been cancelled."),
    "not_yet": _l("Check-in opens on the day of the class."),
}


class NotJoinable(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason

    @property
    def message(self):
        return NOT_JOINABLE[self.reason]


class AlreadySignedUp(Exception):
    """This number already holds a place or a queue place in the session."""

    def __init__(self, signup: Signup):
        super().__init__(signup.id)
        self.signup = signup


class TooLate(Exception):
    """The class has started: a place can no longer be given back on the kiosk."""


# ---------- time ----------


def local_datetime(day: date, at: time) -> datetime:
    """A wall-clock time in the community's zone, as an aware datetime (stored as UTC)."""
    return datetime.combine(day, at, tzinfo=local_zone())


def local_day(moment: datetime) -> date:
    return moment.astimezone(local_zone()).date()


def week_start(offset: int, now: datetime) -> date:
    """The Monday of this week (offset 0), next week (1) …, where the community lives."""
    today = local_day(now)
    return today - timedelta(days=today.weekday()) + timedelta(weeks=offset)


# ---------- typed numbers and the row lock ----------


def int_in(raw, low: int, high: int) -> int | None:
    """A whole number typed into a form, if it is from low to high; else None."""
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        return None
    return value if low <= value <= high else None


def lock_session(session_id: int) -> ClassSession | None:
    """The session's row, locked until the transaction ends (PostgreSQL: FOR UPDATE; SQLite:
    the write transaction already serialises), freshly read."""
    return db.session.scalar(
        select(ClassSession).where(ClassSession.id == session_id).with_for_update()
        .execution_options(populate_existing=True))
