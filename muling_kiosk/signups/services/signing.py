"""Writes that move seats: signing up (a place or the queue), giving a place back, and the
first people waiting moving up.

Every one of them locks the session's row first (SELECT … FOR UPDATE on PostgreSQL; on SQLite
a POST's transaction already holds the write lock), so seats are counted one request at a
time; a partial unique index and the unique request key are the final guards. The caller
commits.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ...audit.services import record, snapshot
from ...database import utcnow
from ...extensions import db
from ...idempotency import new_request_key
from ..models import ACTIVE, CANCELLED, CONFIRMED, WAITING, WITHDRAWN, ClassSession, Signup
from .base import AlreadySignedUp, NotJoinable, TooLate, lock_session
from .seats import active_signup, find_signup, joinable_problem, seats_taken


@dataclass
class SignupResult:
    signup: Signup
    replayed: bool  # the same confirmation came again: nothing new was written


def too_late_to_cancel(signup: Signup, now: datetime | None = None) -> bool:
    """Once the class has started, a place can be given back only at the console."""
    return signup.session.starts_at <= (now or utcnow())


def sign_up(session_id: int, name: str, phone: str, request_key: str | None, *,
            staff=None, now: datetime | None = None,
            cancel_code_hash: str | None = None) -> SignupResult:
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
                    created_by_staff_id=staff.id if staff is not None else None,
                    cancel_code_hash=cancel_code_hash)
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
    if not allow_started and too_late_to_cancel(signup, now):
        raise TooLate()
    before = snapshot(signup, ("status",))
    signup.status = WITHDRAWN
    signup.cancelled_at = now
    db.session.flush()
    record("signups.cancel", signup, staff=staff, actor=None if staff else "kiosk",
           before=before, after={"status": WITHDRAWN, "session_id": session.id})
    return signup, fill_from_queue(session, now, staff)
