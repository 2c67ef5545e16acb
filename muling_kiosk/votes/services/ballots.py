"""Every write that counts: a ballot (the passed tablet, a phone) and a raised hand (a tap, a
typed total, an undo). Each locks the poll row first, then checks the poll is open."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from ...database import utcnow
from ...extensions import db
from ...idempotency import find_by_request_key
from ...tokens import digest
from ...validation import Invalid, id_or_none
from ..models import PASS, PHONE, Ballot, HandCount, Poll, PollOption
from .base import PollClosed, Refused, _touch, lock_poll, parse_count
from .tally import hand_counts


def ballot_key(poll_id: int, device_id: str | None) -> str | None:
    """What a ballot keeps of the phone: a hash of the poll and the device id, so it finds
    the phone's ballot in this poll again but no stored value links its votes across polls
    (the device cookie lives a year). Computed again for every look-up."""
    return digest(f"{poll_id}:{device_id}") if device_id else None


def _existing_ballot(request_key: str | None, poll_id: int, device_id: str | None):
    if (found := find_by_request_key(Ballot, request_key)) is not None:
        return found
    if device_id:
        return db.session.scalar(select(Ballot).where(
            Ballot.poll_id == poll_id, Ballot.device_id == ballot_key(poll_id, device_id)))
    return None


def cast_ballot(poll_id: int, option_id, channel: str, device_id: str | None = None,
                request_key: str | None = None, now: datetime | None = None
                ) -> tuple[Ballot, bool]:
    """(the ballot, whether it is new). A replay of the same request, or a phone that already
    voted on this poll, gets its existing ballot back and nothing is counted twice."""
    if channel not in (PASS, PHONE):
        raise Refused(_l("This vote does not take ballots this way."), 400)
    if channel == PHONE and not device_id:
        raise Refused(_l("This phone could not be recognised. Please open the page again."), 400)
    if (found := _existing_ballot(request_key, poll_id, device_id)) is not None:
        return found, False
    poll = lock_poll(poll_id)
    if poll is None:
        raise Refused(_l("We could not find this vote."), 404)
    # The twin of this request may have committed while we waited for the lock.
    if (found := _existing_ballot(request_key, poll_id, device_id)) is not None:
        return found, False
    if not poll.is_open:
        raise PollClosed()
    if channel not in poll.channels:
        raise Refused(_l("This vote does not take ballots this way."), 400)
    option = _option_of(poll, option_id)
    # No time finer than the poll's: beside the queue at the tablet, a ballot's second would
    # tell who cast it. Every ballot carries the poll's opening time (`now` is not kept).
    ballot = Ballot(poll_id=poll.id, option_id=option.id, channel=channel,
                    device_id=ballot_key(poll.id, device_id), request_key=request_key,
                    created_at=poll.opened_at)
    db.session.add(ballot)
    _touch(poll)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        if (found := _existing_ballot(request_key, poll_id, device_id)) is not None:
            return found, False
        raise
    return ballot, True


def find_option(poll: Poll, option_id) -> PollOption | None:
    """The option of this poll that a form or a link names by its id, or None."""
    wanted = id_or_none(option_id)
    return next((o for o in poll.options if o.id == wanted), None) if wanted else None


def _option_of(poll: Poll, option_id) -> PollOption:
    option = find_option(poll, option_id)
    if option is None:
        raise Invalid({"option": _l("This choice is not part of this vote. Please choose "
                                    "again.")})
    return option


def ballot_of_device(poll: Poll, device_id: str | None) -> Ballot | None:
    if not device_id:
        return None
    return db.session.scalar(select(Ballot).where(
        Ballot.poll_id == poll.id, Ballot.device_id == ballot_key(poll.id, device_id)))


# ---------- hand counts ----------


def _hand_poll(poll_id: int) -> Poll:
    poll = lock_poll(poll_id)
    if poll is None:
        raise Refused(_l("We could not find this vote."), 404)
    if not poll.is_open:
        raise PollClosed()
    if not poll.channel_hand:
        raise Refused(_l("This vote does not count hands."), 400)
    return poll


def tap_hand(poll_id: int, option_id, actor=None, request_key: str | None = None,
             now: datetime | None = None) -> HandCount:
    """One raised hand: +1 for the option. A replayed request counts once."""
    return _hand_change(poll_id, option_id, actor, request_key, now, kind="tap")


def set_hand_total(poll_id: int, option_id, raw_total, actor=None,
                   request_key: str | None = None, now: datetime | None = None) -> HandCount:
    """The facilitator typed the number of hands: kept as the difference it makes."""
    try:
        total = parse_count(raw_total)
    except ValueError as problem:
        raise Invalid({"total": problem.args[0]}) from None
    return _hand_change(poll_id, option_id, actor, request_key, now, kind="total", total=total)


def _hand_change(poll_id, option_id, actor, request_key, now, kind, total=None) -> HandCount:
    if (found := find_by_request_key(HandCount, request_key)) is not None:
        return found
    poll = _hand_poll(poll_id)
    if (found := find_by_request_key(HandCount, request_key)) is not None:
        return found
    option = _option_of(poll, option_id)
    current = hand_counts(poll.id).get(option.id, 0)
    delta = 1 if kind == "tap" else total - current
    change = HandCount(poll_id=poll.id, option_id=option.id, kind=kind, delta=delta,
                       total=total, staff_id=actor.id if actor is not None else None,
                       at=now or utcnow(), request_key=request_key)
    return _save_hand_change(poll, change, request_key)


def undo_last_hand(poll_id: int, actor=None, request_key: str | None = None,
                   now: datetime | None = None) -> HandCount:
    """Take back the latest hand-count change that is not taken back yet."""
    if (found := find_by_request_key(HandCount, request_key)) is not None:
        return found
    poll = _hand_poll(poll_id)
    if (found := find_by_request_key(HandCount, request_key)) is not None:
        return found
    undo = aliased(HandCount)
    last = db.session.scalar(
        select(HandCount).where(
            HandCount.poll_id == poll.id, HandCount.kind != "undo",
            ~exists().where(and_(undo.undoes_id == HandCount.id)))
        .order_by(HandCount.id.desc()).limit(1))
    if last is None:
        raise Refused(_l("There is nothing to undo."), 409)
    change = HandCount(poll_id=poll.id, option_id=last.option_id, kind="undo",
                       delta=-last.delta, undoes_id=last.id,
                       staff_id=actor.id if actor is not None else None,
                       at=now or utcnow(), request_key=request_key)
    return _save_hand_change(poll, change, request_key)


def _save_hand_change(poll: Poll, change: HandCount, request_key) -> HandCount:
    db.session.add(change)
    _touch(poll)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        if (found := find_by_request_key(HandCount, request_key)) is not None:
            return found
        raise
    return change


def hand_history(poll: Poll) -> list[HandCount]:
    return list(db.session.scalars(select(HandCount).where(HandCount.poll_id == poll.id)
                                   .order_by(HandCount.id)))
