"""Rules of 长者学堂: who may sign up, seats and the waiting list, cancelling and moving up,
courses and their weekly sessions, rosters and attendance.

Every write that touches seats locks the session's row first (SELECT … FOR UPDATE on
PostgreSQL; on SQLite a POST's transaction already holds the write lock), so seats are
counted one request at a time; a partial unique index and the unique request key are the
final guards. Nothing here reads the request; the caller commits.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..audit.services import record, snapshot
from ..database import utcnow
from ..extensions import db
from ..i18n import format_when, local_zone
from ..idempotency import find_by_request_key, new_request_key
from ..privacy import NAME_MAX, clean_name, has_control_characters, is_mobile, normalise_phone
from ..validation import Invalid
from .models import (
    ACTIVE,
    CANCELLED,
    CATEGORIES,
    CLOSED,
    CONFIRMED,
    OPEN,
    WAITING,
    WITHDRAWN,
    ClassSession,
    Course,
    Signup,
)

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


@dataclass
class SignupResult:
    signup: Signup
    replayed: bool  # the same confirmation came again: nothing new was written


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


# ---------- checking what people typed ----------


def check_name(raw: str | None) -> str:
    """1–20 characters after trimming, no control characters; else Invalid for "name"."""
    stripped = (raw or "").strip()
    name = clean_name(stripped)
    if not name:
        raise Invalid({"name": _l("Please write your name.")})
    if has_control_characters(stripped.replace(" ", "")):
        raise Invalid({"name": _l("The name has a sign that cannot be used. "
                                  "Please write it again.")})
    if len(name) > NAME_MAX:
        raise Invalid({"name": _l("A name can have at most %(max)s characters.", max=NAME_MAX)})
    return name


def check_phone(raw: str | None, required: bool = True) -> str | None:
    """A mainland mobile number (1[3-9] and 9 more digits); else Invalid for "phone"."""
    phone = normalise_phone(raw)
    if not phone:
        if not required:
            return None
        raise Invalid({"phone": _l("Please enter your mobile number.")})
    if not is_mobile(phone):
        raise Invalid({"phone": _l("A mobile number has 11 digits and starts with 13 to 19. "
                                   "Please check it.")})
    return phone


def check_person(raw_name: str | None, raw_phone: str | None,
                 phone_required: bool = True) -> tuple[str, str | None]:
    """Both fields checked at once, so both messages show together."""
    errors, name, phone = {}, "", None
    try:
        name = check_name(raw_name)
    except Invalid as invalid:
        errors.update(invalid.errors)
    try:
        phone = check_phone(raw_phone, phone_required)
    except Invalid as invalid:
        errors.update(invalid.errors)
    if errors:
        raise Invalid(errors)
    return name, phone


# ---------- reading: seats, the class list, a number's sign-ups ----------


@dataclass
class SessionInfo:
    """A session with its seats counted, as the kiosk shows it."""

    session: ClassSession
    confirmed: int
    waiting: int
    state: str  # open, full, cancelled, closed, started

    @property
    def seats_left(self) -> int:
        return max(0, self.session.capacity - self.confirmed)

    @property
    def joinable(self) -> bool:
        return self.state in ("open", "full")


def seats_taken(session_id: int) -> int:
    """Confirmed places that count against the capacity (walk-ins do not: they simply came)."""
    return db.session.scalar(
        select(func.count(Signup.id)).where(Signup.session_id == session_id,
                                            Signup.status == CONFIRMED,
                                            Signup.walk_in.is_(False))
    )


def counts_for(session_ids: list[int]) -> dict[int, dict[str, int]]:
    """{session id: {"confirmed": n, "waiting": n}} in one query."""
    counts: dict[int, dict[str, int]] = defaultdict(lambda: {CONFIRMED: 0, WAITING: 0})
    if not session_ids:
        return counts
    rows = db.session.execute(
        select(Signup.session_id, Signup.status, func.count(Signup.id))
        .where(Signup.session_id.in_(session_ids), Signup.status.in_(ACTIVE),
               Signup.walk_in.is_(False))
        .group_by(Signup.session_id, Signup.status)
    )
    for session_id, status, count in rows:
        counts[session_id][status] = count
    return counts


def joinable_problem(session: ClassSession, now: datetime | None = None) -> str | None:
    """Why this session cannot be joined now, or None."""
    now = now or utcnow()
    if session.status == CANCELLED:
        return "cancelled"
    if session.status == CLOSED:
        return "closed"
    if session.starts_at <= now:
        return "started"
    return None


def describe(sessions: list[ClassSession], now: datetime | None = None) -> list[SessionInfo]:
    now = now or utcnow()
    counts = counts_for([s.id for s in sessions])
    infos = []
    for session in sessions:
        c = counts[session.id]
        state = joinable_problem(session, now) or (
            "full" if c[CONFIRMED] >= session.capacity else "open")
        infos.append(SessionInfo(session, c[CONFIRMED], c[WAITING], state))
    return infos


def week_of_sessions(community_id: int, offset: int, now: datetime | None = None
                     ) -> tuple[date, list[tuple[date, list[SessionInfo]]]]:
    """The sessions of one week (0 = this one, from now on), grouped by day in time order,
    so today's come first. Returns the week's Monday and [(day, [session, …]), …]."""
    now = now or utcnow()
    monday = week_start(offset, now)
    start = local_datetime(monday, time.min)
    end = local_datetime(monday + timedelta(weeks=1), time.min)
    query = (select(ClassSession)
             .where(ClassSession.community_id == community_id,
                    ClassSession.starts_at >= start, ClassSession.starts_at < end)
             .options(selectinload(ClassSession.course))
             .order_by(ClassSession.starts_at, ClassSession.id))
    if offset == 0:
        query = query.where(ClassSession.ends_at > now)
    days: dict[date, list[SessionInfo]] = {}
    for info in describe(list(db.session.scalars(query)), now):
        days.setdefault(local_day(info.session.starts_at), []).append(info)
    return monday, list(days.items())


def active_signup(session_id: int, phone: str | None) -> Signup | None:
    if not phone:
        return None
    return db.session.scalar(select(Signup).where(
        Signup.session_id == session_id, Signup.phone == phone, Signup.status.in_(ACTIVE)))


def queue_position(signup: Signup) -> int | None:
    """1 for the first person waiting; None when not waiting."""
    if signup.status != WAITING:
        return None
    return db.session.scalar(select(func.count(Signup.id)).where(
        Signup.session_id == signup.session_id, Signup.status == WAITING,
        Signup.id <= signup.id))


def signups_of(community_id: int, phone: str, now: datetime | None = None) -> list[Signup]:
    """我的报名: a number's places and queue places in sessions not yet over, soonest first,
    including sessions staff cancelled (so the person learns they need not come)."""
    now = now or utcnow()
    return list(db.session.scalars(
        select(Signup).join(Signup.session)
        .where(ClassSession.community_id == community_id, Signup.phone == phone,
               Signup.status.in_(ACTIVE), ClassSession.ends_at > now)
        .options(selectinload(Signup.session).selectinload(ClassSession.course))
        .order_by(ClassSession.starts_at, Signup.id)))


def signup_of(signup_id: int, phone: str | None, community_id: int) -> Signup | None:
    """A sign-up only for the number that made it (我的报名); None for anyone else."""
    signup = db.session.get(Signup, signup_id)
    if (signup is None or not phone or signup.phone != phone
            or signup.session.community_id != community_id):
        return None
    return signup


def find_signup(request_key: str) -> Signup | None:
    return find_by_request_key(Signup, request_key)


# ---------- writes: sign up, cancel, move up ----------


def lock_session(session_id: int) -> ClassSession | None:
    """The session's row, locked until the transaction ends (PostgreSQL: FOR UPDATE; SQLite:
    the write transaction already serialises), freshly read."""
    return db.session.scalar(
        select(ClassSession).where(ClassSession.id == session_id).with_for_update()
        .execution_options(populate_existing=True))


def sign_up(session_id: int, name: str, phone: str, request_key: str | None, *,
            staff=None, now: datetime | None = None) -> SignupResult:
    """A place if one is free, else a place in the queue, in arrival order.

    The same request key again answers with the sign-up it made. Raises NotJoinable for a
    cancelled, closed or started session and AlreadySignedUp when the number holds a place
    or a queue place in it already. name and phone must have been checked (check_person).
    """
    session = lock_session(session_id)
    if session is None:
        raise LookupError(session_id)
    now = now or utcnow()  # taken under the lock: arrival order is time order
    if request_key:
        earlier = find_signup(request_key)
        if earlier is not None:
            return SignupResult(earlier, replayed=True)
    else:
        request_key = new_request_key()
    if problem := joinable_problem(session, now):
        raise NotJoinable(problem)
    if held := active_signup(session.id, phone):
        raise AlreadySignedUp(held)
    status = CONFIRMED if seats_taken(session.id) < session.capacity else WAITING
    signup = Signup(session_id=session.id, name=name, phone=phone, status=status, created_at=now,
                    request_key=request_key,
                    created_by_staff_id=staff.id if staff is not None else None)
    try:
        with db.session.begin_nested():
            db.session.add(signup)
    except IntegrityError:
        # A twin got past the checks (only without the lock): answer as it was answered.
        earlier = find_signup(request_key)
        if earlier is not None:
            return SignupResult(earlier, replayed=True)
        held = active_signup(session.id, phone)
        if held is not None:
            raise AlreadySignedUp(held) from None
        raise
    record("signups.sign_up", signup, staff=staff, actor=None if staff else "kiosk",
           after={"session_id": session.id, "status": status, "on_behalf": staff is not None})
    return SignupResult(signup, replayed=False)


def fill_from_queue(session: ClassSession, now: datetime | None = None, staff=None
                    ) -> list[Signup]:
    """Move the first people waiting up into free places, in queue order. Call with the
    session locked. Nobody moves up into a cancelled or started session."""
    now = now or utcnow()
    if session.status == CANCELLED or session.starts_at <= now:
        return []
    free = session.capacity - seats_taken(session.id)
    if free <= 0:
        return []
    promoted = list(db.session.scalars(
        select(Signup).where(Signup.session_id == session.id, Signup.status == WAITING)
        .order_by(Signup.id).limit(free).execution_options(populate_existing=True)))
    for signup in promoted:
        signup.status = CONFIRMED
        signup.promoted_at = now
        record("signups.promote", signup, staff=staff, actor=None if staff else "kiosk",
               after={"session_id": session.id, "status": CONFIRMED})
    db.session.flush()
    return promoted


def cancel_signup(signup_id: int, *, staff=None, allow_started: bool = False,
                  now: datetime | None = None) -> tuple[Signup, list[Signup]]:
    """Give a place (or queue place) back; the first person waiting moves up in the same
    transaction. Cancelling what is already cancelled changes nothing. Once the class has
    started only the console may (allow_started); the kiosk says it is too late (TooLate)."""
    now = now or utcnow()
    found = db.session.get(Signup, signup_id)
    if found is None:
        raise LookupError(signup_id)
    session = lock_session(found.session_id)
    signup = db.session.scalar(select(Signup).where(Signup.id == signup_id)
                               .execution_options(populate_existing=True))
    if signup.status not in ACTIVE:
        return signup, []
    if not allow_started and session.starts_at <= now:
        raise TooLate()
    before = snapshot(signup, ("status",))
    signup.status = WITHDRAWN
    signup.cancelled_at = now
    db.session.flush()
    record("signups.cancel", signup, staff=staff, actor=None if staff else "kiosk",
           before=before, after={"status": WITHDRAWN, "session_id": session.id})
    return signup, fill_from_queue(session, now, staff)


# ---------- courses and sessions (staff) ----------


def _int_in(raw, low: int, high: int) -> int | None:
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        return None
    return value if low <= value <= high else None


def _course_values(community_id: int, values: dict, course: Course | None = None) -> dict:
    clean = {
        "title": clean_name(values.get("title")),
        "teacher": clean_name(values.get("teacher")),
        "place": clean_name(values.get("place")),
        "category": values.get("category") or "other",
        "description": (values.get("description") or "").strip(),
        "capacity": _int_in(values.get("capacity"), 1, CAPACITY_MAX),
    }
    errors = {}
    if not clean["title"]:
        errors["title"] = _l("Please give the class a name.")
    elif len(clean["title"]) > TITLE_MAX:
        errors["title"] = _l("At most %(max)s characters.", max=TITLE_MAX)
    else:
        same = select(Course.id).where(Course.community_id == community_id,
                                       Course.title == clean["title"])
        if course is not None:
            same = same.where(Course.id != course.id)
        if db.session.scalar(same) is not None:
            errors["title"] = _l("There is already a class with this name. Add sessions to it, "
                                 "or choose another name.")
    if len(clean["teacher"]) > TEACHER_MAX:
        errors["teacher"] = _l("At most %(max)s characters.", max=TEACHER_MAX)
    if not clean["place"]:
        errors["place"] = _l("Please say where the class meets.")
    elif len(clean["place"]) > PLACE_MAX:
        errors["place"] = _l("At most %(max)s characters.", max=PLACE_MAX)
    if clean["category"] not in CATEGORIES:
        errors["category"] = _l("Please choose a kind of class.")
    if len(clean["description"]) > DESCRIPTION_MAX:
        errors["description"] = _l("At most %(max)s characters.", max=DESCRIPTION_MAX)
    if clean["capacity"] is None:
        errors["capacity"] = _l("A number of places from 1 to %(max)s.", max=CAPACITY_MAX)
    for field in ("title", "teacher", "place", "description"):
        if field not in errors and has_control_characters(clean[field].replace("\n", "")
                                                          .replace("\r", "")):
            errors[field] = _l("This has a sign that cannot be used.")
    if errors:
        raise Invalid(errors)
    return clean


def create_course(community_id: int, values: dict) -> Course:
    clean = _course_values(community_id, values)
    course = Course(community_id=community_id, **clean)
    db.session.add(course)
    db.session.flush()
    record("signups.create_course", course, after=snapshot(course, COURSE_FIELDS))
    return course


def update_course(course: Course, values: dict) -> Course:
    clean = _course_values(course.community_id, values, course)
    before = snapshot(course, COURSE_FIELDS)
    for key, value in clean.items():
        setattr(course, key, value)
    db.session.flush()
    record("signups.update_course", course, before=before, after=snapshot(course, COURSE_FIELDS))
    return course


def _parse_day(raw) -> date | None:
    try:
        return date.fromisoformat(str(raw or "").strip())
    except ValueError:
        return None


def _parse_time(raw) -> time | None:
    try:
        return time.fromisoformat(str(raw or "").strip()[:5])
    except ValueError:
        return None


def _schedule_values(values: dict, now: datetime) -> tuple[datetime, int]:
    """The first start (aware) and the length in minutes from a form, or Invalid."""
    errors = {}
    day, at = _parse_day(values.get("day")), _parse_time(values.get("start"))
    minutes = _int_in(values.get("minutes"), MINUTES_MIN, MINUTES_MAX)
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


def add_sessions(course: Course, values: dict, now: datetime | None = None
                 ) -> list[ClassSession]:
    """One session, or a weekly series ("every Tuesday 9:00 for 8 weeks"): the same weekday
    and wall-clock time each week. A session already at that time is not added twice."""
    now = now or utcnow()
    errors = {}
    weeks = _int_in(values.get("weeks") or 1, 1, WEEKS_MAX)
    capacity = _int_in(values.get("capacity") or course.capacity, 1, CAPACITY_MAX)
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
    added = []
    for week in range(weeks):
        starts_at = local_datetime(first_local.date() + timedelta(weeks=week),
                                   first_local.timetz().replace(tzinfo=None))
        if starts_at in existing:
            continue
        session = ClassSession(course=course, community_id=course.community_id,
                               starts_at=starts_at,
                               ends_at=starts_at + timedelta(minutes=minutes),
                               capacity=capacity, status=OPEN)
        db.session.add(session)
        added.append(session)
    db.session.flush()
    for session in added:
        record("signups.add_session", session, after=snapshot(session, SESSION_FIELDS))
    return added


def update_session(session_id: int, values: dict, now: datetime | None = None) -> ClassSession:
    """New time, length, places or sign-up open/closed. Fewer places than people already
    signed up is refused; more places let the first people waiting move up."""
    now = now or utcnow()
    session = lock_session(session_id)
    errors = {}
    if session.status == CANCELLED:
        raise Invalid({"status": _l("A cancelled class cannot be changed.")})
    capacity = _int_in(values.get("capacity"), 1, CAPACITY_MAX)
    status = values.get("status")
    if capacity is None:
        errors["capacity"] = _l("A number of places from 1 to %(max)s.", max=CAPACITY_MAX)
    elif capacity < (taken := seats_taken(session.id)):
        errors["capacity"] = _l("%(count)s people have a place already: at least %(count)s "
                                "places.", count=taken)
    if status not in (OPEN, CLOSED):
        errors["status"] = _l("Please choose open or closed.")
    starts_at = session.starts_at
    minutes = int((session.ends_at - session.starts_at).total_seconds() // 60)
    local_start = session.starts_at.astimezone(local_zone())
    changed_time = (values.get("day") != local_start.date().isoformat()
                    or (values.get("start") or "")[:5] != local_start.strftime("%H:%M")
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
    fill_from_queue(session, now)
    return session


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


def call_list(session: ClassSession) -> list[Signup]:
    """Whom to tell: everyone who held a place or waited, with a number, places first."""
    confirmed, waiting = roster(session)
    return [s for s in confirmed + waiting if s.phone]


# ---------- rosters, check-in, attendance ----------


def roster(session: ClassSession) -> tuple[list[Signup], list[Signup]]:
    """(people with a place, in sign-up order, walk-ins last; the queue, in order)."""
    rows = list(db.session.scalars(
        select(Signup).where(Signup.session_id == session.id, Signup.status.in_(ACTIVE))
        .options(selectinload(Signup.created_by))
        .order_by(Signup.walk_in, Signup.id)))
    return ([s for s in rows if s.status == CONFIRMED], [s for s in rows if s.status == WAITING])


def checkin_problem(session: ClassSession, now: datetime | None = None) -> str | None:
    """Check-in opens on the day of the class; never for a cancelled one."""
    now = now or utcnow()
    if session.status == CANCELLED:
        return "cancelled"
    if local_day(session.starts_at) > local_day(now):
        return "not_yet"
    return None


CHECKIN_PROBLEMS = {
    "cancelled": _l("This class has been cancelled."),
    "not_yet": _l("Check-in opens on the day of the class."),
}


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


def courses_of(community_ids: list[int]) -> list[Course]:
    return list(db.session.scalars(
        select(Course).where(Course.community_id.in_(community_ids))
        .options(selectinload(Course.sessions), selectinload(Course.community))
        .order_by(Course.community_id, Course.title)))


def upcoming_sessions(community_ids: list[int], now: datetime | None = None, days: int = 14
                      ) -> list[ClassSession]:
    now = now or utcnow()
    start = local_datetime(local_day(now), time.min)
    return list(db.session.scalars(
        select(ClassSession)
        .where(ClassSession.community_id.in_(community_ids), ClassSession.starts_at >= start,
               ClassSession.starts_at < start + timedelta(days=days))
        .options(selectinload(ClassSession.course))
        .order_by(ClassSession.starts_at)))


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


def roster_table(session: ClassSession) -> tuple[list[str], list[list]]:
    """The export: everyone with a place, then the queue; numbers whole (staff call them)."""
    header = [_("No."), _("Full name"), _("Mobile number"), _("Status"), _("Signed up"),
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
