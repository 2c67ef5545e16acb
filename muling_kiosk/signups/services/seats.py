"""Reading seats: how many places a session has left, whether it can be joined, and the
sign-ups a mobile number holds (我的报名)."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ...database import utcnow
from ...extensions import db
from ...idempotency import find_by_request_key
from ..models import ACTIVE, CANCELLED, CLOSED, CONFIRMED, WAITING, ClassSession, Signup


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


def describe_one(session: ClassSession, now: datetime | None = None) -> SessionInfo:
    return describe([session], now)[0]


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


def queue_positions(signups: list[Signup]) -> dict[int, int | None]:
    """{sign-up id: its place in the queue, or None when it holds a place}."""
    return {signup.id: queue_position(signup) for signup in signups}


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


def find_signup_in(request_key: str, community_id: int) -> Signup | None:
    """The sign-up a request key made, if its session is in this community."""
    signup = find_signup(request_key)
    if signup is None or signup.session.community_id != community_id:
        return None
    return signup

