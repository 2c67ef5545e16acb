"""Opening a poll (its question, options, rule, quorum and ways to vote) and closing it (the
decision, frozen with every figure)."""

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ...audit.services import record
from ...database import utcnow
from ...extensions import db
from ...idempotency import find_by_request_key
from ...validation import Invalid
from ..models import (
    ABSTAIN,
    CHANNELS,
    CHOICE,
    CLOSED,
    HAND,
    NO,
    OPEN,
    PASS,
    PHONE,
    QUORUM_KINDS,
    QUORUM_NONE,
    RULES,
    YES,
    YES_OVER_NO,
    AgendaItem,
    Poll,
    PollOption,
)
from ..signals import poll_closed
from .base import Refused, _by, _text, _touch, _touch_meeting, lock_meeting, lock_poll, parse_count
from .tally import decide, live_tally

OPTIONS_MIN, OPTIONS_MAX = 2, 6
DEFAULT_OPTIONS = ((YES, "赞成"), (NO, "反对"), (ABSTAIN, "弃权"))


def default_question(title: str) -> str:
    """The question a new poll on this item starts with: the title itself when it already
    asks (ends with ？ or starts with 是否), else "是否同意：<title>？"."""
    title = _text(title, 200)
    if title.endswith(("？", "?")) or title.startswith("是否"):
        return title
    return str(_l("Do you agree: %(title)s?", title=title))


@dataclass
class PollSpec:
    """What the facilitator chose on the "open a poll" screen."""

    question: str = ""
    custom: bool = False
    options: list[str] = field(default_factory=list)
    rule: str = YES_OVER_NO
    quorum_kind: str = QUORUM_NONE
    quorum_value: str = ""
    channels: tuple[str, ...] = CHANNELS


def check_poll_spec(spec: PollSpec) -> tuple[str, list[tuple[str, str]], int]:
    """The cleaned question, the (kind, label) options and the quorum number, or Invalid."""
    errors = {}
    question = _text(spec.question, 200)
    if not question:
        errors["question"] = _l("Please write the question people vote on.")
    elif len(question) > 200:
        errors["question"] = _l("Use at most %(max)s characters.", max=200)
    if spec.custom:
        labels = [_text(o, 40) for o in spec.options if _text(o, 40)]
        if len(labels) < OPTIONS_MIN or len(labels) > OPTIONS_MAX:
            errors["options"] = _l("Write between 2 and 6 options.")
        elif any(len(label) > 40 for label in labels):
            errors["options"] = _l("Each option can have at most 40 characters.")
        elif len(set(labels)) != len(labels):
            errors["options"] = _l("Two options are the same. Make each one different.")
        options = [(CHOICE, label) for label in labels]
    else:
        options = list(DEFAULT_OPTIONS)
    if spec.rule not in RULES:
        errors["rule"] = _l("Please choose how the result is decided.")
    quorum = 0
    if spec.quorum_kind not in QUORUM_KINDS:
        errors["quorum_kind"] = _l("Please choose a minimum, or none.")
    elif spec.quorum_kind != QUORUM_NONE:
        try:
            quorum = parse_count(spec.quorum_value, allow_zero=False)
        except ValueError as problem:
            errors["quorum_value"] = problem.args[0]
    channels = tuple(c for c in CHANNELS if c in spec.channels)
    if not channels:
        errors["channels"] = _l("Choose at least one way to vote.")
    if errors:
        raise Invalid(errors)
    return question, options, quorum


def open_poll(item: AgendaItem, spec: PollSpec, actor=None, request_key: str | None = None,
              now: datetime | None = None) -> Poll:
    """A new open poll on this item. A replay of the same request gets the same poll; an item
    that already has an open poll refuses a second one."""
    if (existing := find_by_request_key(Poll, request_key)) is not None:
        return existing
    question, options, quorum = check_poll_spec(spec)
    meeting = lock_meeting(item.meeting_id)  # one opener at a time per meeting
    if (existing := find_by_request_key(Poll, request_key)) is not None:
        return existing
    if db.session.scalar(select(Poll.id).where(Poll.agenda_item_id == item.id,
                                               Poll.status == OPEN)) is not None:
        raise Refused(_l("This item already has an open vote. Close it before starting another."))
    poll = Poll(item=item, question=question, rule=spec.rule, quorum_kind=spec.quorum_kind,
                quorum_value=quorum, channel_hand=HAND in spec.channels,
                channel_pass=PASS in spec.channels, channel_phone=PHONE in spec.channels,
                opened_at=now or utcnow(), opened_by_id=actor.id if actor is not None else None,
                request_key=request_key)
    for position, (kind, label) in enumerate(options, start=1):
        poll.options.append(PollOption(position=position, kind=kind, label=label))
    db.session.add(poll)
    meeting.current_item = item
    _touch_meeting(meeting)
    try:
        db.session.flush()
    except IntegrityError:  # the partial unique index: someone opened one a moment ago
        db.session.rollback()
        if (existing := find_by_request_key(Poll, request_key)) is not None:
            return existing
        raise Refused(_l("This item already has an open vote. Close it before starting "
                         "another.")) from None
    record("votes.open_poll", poll, after={
        "question": question, "options": [label for _kind, label in options],
        "rule": spec.rule, "quorum": f"{spec.quorum_kind}:{quorum}",
        "channels": list(poll.channels)}, community_id=meeting.community_id, **_by(actor))
    return poll


# ---------- closing ----------


def close_poll(poll_id: int, actor=None, now: datetime | None = None) -> tuple[Poll, bool]:
    """(the poll, whether this call closed it). Counts by the rule and the quorum, freezes the
    result and every figure, and tells whoever listens (signals.poll_closed) in the same
    transaction. Closing a closed poll changes nothing."""
    poll = lock_poll(poll_id)
    if poll is None:
        raise Refused(_l("We could not find this vote."), 404)
    if not poll.is_open:
        return poll, False
    counts = live_tally(poll)
    meeting = poll.item.meeting
    present = meeting.present_count
    decision = decide(poll.rule, counts.options, poll.quorum_kind, poll.quorum_value, present)
    closed_by = actor.id if actor is not None else None
    with db.session.no_autoflush:  # one write: the figures and the status together
        poll.closed_at = now or utcnow()
        poll.closed_by_id = closed_by
        poll.result = decision.result
        poll.ballots_total = counts.total
        poll.figures = {
            "options": [o.as_dict() for o in counts.options],
            "channels": counts.by_channel(),
            "total": counts.total,
            "present": present,
            "quorum_reached": decision.quorum_reached,
            "winner_id": decision.winner_id,
            "tie": decision.tie,
        }
        _touch(poll)
        poll.status = CLOSED
    db.session.flush()
    record("votes.close_poll", poll, after={"result": decision.result, "total": counts.total,
                                            "counts": {o.label: o.total for o in counts.options}},
           community_id=meeting.community_id, **_by(actor))
    poll_closed.send(poll)
    return poll, True
