"""Rules of 板凳议事会: meetings and agenda, polls, the three channels, the decision, and
commitments. Plain functions over the models; nothing here reads the request. Every staff
write is audited in the same transaction; the caller commits.

Concurrency: every write that counts (ballot, tap, typed total, undo, close) first locks the
poll row (SELECT … FOR UPDATE on PostgreSQL; on SQLite the POST already holds the write lock),
then checks the poll is open, then writes. A ballot and the close therefore happen in one
order or the other, never half: a ballot that lost the race gets "投票已结束". Request keys and
the (poll, device) unique constraint make a replayed or doubled request count once.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from ..audit.services import record, snapshot
from ..database import utcnow
from ..extensions import db
from ..idempotency import find_by_request_key
from ..validation import Invalid
from .models import (
    ABSTAIN,
    CHANNELS,
    CHOICE,
    CLOSED,
    FAILED,
    HAND,
    MAJORITY,
    NO,
    NO_QUORUM,
    OPEN,
    PASS,
    PASSED,
    PHONE,
    QUORUM_BALLOTS,
    QUORUM_KINDS,
    QUORUM_NONE,
    QUORUM_PRESENT,
    RULES,
    TWO_THIRDS,
    YES,
    YES_OVER_NO,
    AgendaItem,
    Ballot,
    Commitment,
    HandCount,
    Meeting,
    Poll,
    PollOption,
    PresentCount,
)
from .signals import agenda_item_removed, poll_closed

COUNT_MAX = 9999  # a typed total, 到会人数 or a quorum: four digits is a whole square
OPTIONS_MIN, OPTIONS_MAX = 2, 6
DEFAULT_OPTIONS = ((YES, "赞成"), (NO, "反对"), (ABSTAIN, "弃权"))
COMMITMENT_WHO = ("楼栋长", "单元长", "物业公司", "社区")
WHO_OTHER = "other"
# The usual promisers are stored as written in Chinese (the record keeps its words); a reader
# of another language sees them translated.
WHO_NAMES = {
    "楼栋长": _l("Building leader"),
    "单元长": _l("Stairwell leader"),
    "物业公司": _l("Property management company"),
    "社区": _l("Community office"),
}

RULE_NAMES = {
    YES_OVER_NO: _l("More yes than no"),
    MAJORITY: _l("More than half of all ballots"),
    TWO_THIRDS: _l("At least two thirds of all ballots"),
}
RULE_HINTS = {
    YES_OVER_NO: _l("Abstentions do not count. With your own options: the one with the most "
                    "ballots wins, if no other has as many."),
    MAJORITY: _l("Abstentions count among all ballots."),
    TWO_THIRDS: _l("For important matters. Abstentions count among all ballots."),
}
QUORUM_NAMES = {
    QUORUM_NONE: _l("No minimum"),
    QUORUM_BALLOTS: _l("At least this many ballots"),
    QUORUM_PRESENT: _l("At least this many people present"),
}
CHANNEL_NAMES = {HAND: _l("Show of hands"), PASS: _l("Pass the tablet"),
                 PHONE: _l("Scan with a phone")}
RESULT_NAMES = {PASSED: _l("Passed"), FAILED: _l("Not passed"),
                NO_QUORUM: _l("Not enough people (quorum not reached)")}
OPTION_NAMES = {YES: _l("Yes"), NO: _l("No"), ABSTAIN: _l("Abstain")}

MEETING_FIELDS = ("title", "place", "starts_at", "community_id")
ITEM_FIELDS = ("title", "description", "position")
COMMITMENT_FIELDS = ("who", "what", "due_on", "done_on")


class Refused(Exception):
    """A ballot, tap or close that cannot happen, with the message to show and a status."""

    def __init__(self, message, status: int = 409):
        super().__init__(str(message))
        self.message = message
        self.status = status


class PollClosed(Refused):
    def __init__(self):
        super().__init__(_l("Voting has ended."), 409)


def option_label(option) -> str:
    """赞成 / 反对 / 弃权 in the reader's language; a custom option as it was written."""
    kind = option.kind if hasattr(option, "kind") else option.get("kind")
    label = option.label if hasattr(option, "label") else option.get("label")
    return str(OPTION_NAMES[kind]) if kind in OPTION_NAMES else label


def who_label(who: str) -> str:
    """Who promised, in the reader's language when it is one of the usual promisers."""
    return str(WHO_NAMES[who]) if who in WHO_NAMES else who


def _by(actor) -> dict:
    return {} if actor is None else {"staff": actor}


def _text(raw, limit: int) -> str:
    return re.sub(r"\s+", " ", (raw or "").strip())[: limit + 1]


def parse_count(raw, *, allow_zero: bool = True, maximum: int = COUNT_MAX) -> int:
    """A whole number typed on the keypad, or a message saying how to fix it."""
    value = (str(raw) if raw is not None else "").strip().replace(" ", "")
    if not value:
        raise ValueError(_l("Please enter a number."))
    if value.startswith("-") and value[1:].isdigit():
        raise ValueError(_l("The number cannot be negative."))
    if not value.isdigit() or not value.isascii():
        raise ValueError(_l("Please enter a whole number, digits only."))
    if len(value) > 6 or int(value) > maximum:
        raise ValueError(_l("That number is too large: at most %(max)s.", max=maximum))
    number = int(value)
    if number == 0 and not allow_zero:
        raise ValueError(_l("Please enter a number of at least 1."))
    return number


# ---------- meetings and agenda ----------


def _meeting_errors(title: str, place: str, starts_at: datetime | None) -> dict:
    errors = {}
    if not title:
        errors["title"] = _l("Please give the meeting a title.")
    elif len(title) > 120:
        errors["title"] = _l("Use at most %(max)s characters.", max=120)
    if not place:
        errors["place"] = _l("Please say where the meeting is, e.g. 文化广场.")
    elif len(place) > 60:
        errors["place"] = _l("Use at most %(max)s characters.", max=60)
    if starts_at is None:
        errors["starts_at"] = _l("Please choose the day and time.")
    return errors


def create_meeting(*, community_id: int, title: str, place: str, starts_at: datetime | None,
                   actor=None) -> Meeting:
    title, place = _text(title, 120), _text(place, 60)
    errors = _meeting_errors(title, place, starts_at)
    if errors:
        raise Invalid(errors)
    meeting = Meeting(community_id=community_id, title=title, place=place, starts_at=starts_at)
    db.session.add(meeting)
    db.session.flush()
    record("votes.create_meeting", meeting, after=snapshot(meeting, MEETING_FIELDS), **_by(actor))
    return meeting


def update_meeting(meeting: Meeting, *, title: str, place: str, starts_at: datetime | None,
                   actor=None) -> Meeting:
    title, place = _text(title, 120), _text(place, 60)
    errors = _meeting_errors(title, place, starts_at)
    if errors:
        raise Invalid(errors)
    before = snapshot(meeting, MEETING_FIELDS)
    meeting.title, meeting.place, meeting.starts_at = title, place, starts_at
    _touch_meeting(meeting)
    record("votes.update_meeting", meeting, before=before,
           after=snapshot(meeting, MEETING_FIELDS), **_by(actor))
    return meeting


def _item_errors(title: str, description: str) -> dict:
    errors = {}
    if not title:
        errors["title"] = _l("Please give the item a short title.")
    elif len(title) > 120:
        errors["title"] = _l("Use at most %(max)s characters.", max=120)
    if len(description) > 1000:
        errors["description"] = _l("Use at most %(max)s characters.", max=1000)
    return errors


def add_agenda_item(meeting: Meeting, title: str, description: str = "",
                    actor=None) -> AgendaItem:
    """A new 议题 at the end of the meeting's agenda. Other features (suggestions: "bring to a
    meeting") call this too; Invalid when the title is missing or too long."""
    title = _text(title, 120)
    description = (description or "").strip()
    errors = _item_errors(title, description)
    if errors:
        raise Invalid(errors)
    last = db.session.scalar(
        select(func.max(AgendaItem.position)).where(AgendaItem.meeting_id == meeting.id))
    item = AgendaItem(meeting=meeting, title=title, description=description,
                      position=(last or 0) + 1)
    db.session.add(item)
    db.session.flush()
    _touch_meeting(meeting)
    record("votes.add_agenda_item", item, after=snapshot(item, ITEM_FIELDS),
           community_id=meeting.community_id, **_by(actor))
    return item


def update_agenda_item(item: AgendaItem, *, title: str, description: str,
                       actor=None) -> AgendaItem:
    title = _text(title, 120)
    description = (description or "").strip()
    errors = _item_errors(title, description)
    if errors:
        raise Invalid(errors)
    before = snapshot(item, ITEM_FIELDS)
    item.title, item.description = title, description
    _touch_meeting(item.meeting)
    record("votes.update_agenda_item", item, before=before, after=snapshot(item, ITEM_FIELDS),
           **_by(actor))
    return item


def move_agenda_item(item: AgendaItem, direction: int, actor=None) -> None:
    """Swap with the neighbour above (-1) or below (+1)."""
    items = list(item.meeting.items)
    for number, each in enumerate(items, start=1):
        each.position = number  # make positions a clean 1..n first
    index = items.index(item)
    other = index + (1 if direction > 0 else -1)
    if 0 <= other < len(items):
        items[index].position, items[other].position = (items[other].position,
                                                        items[index].position)
    _touch_meeting(item.meeting)
    record("votes.move_agenda_item", item, after={"position": item.position}, **_by(actor))


def delete_agenda_item(item: AgendaItem, actor=None) -> None:
    """Only an item nobody voted on and nobody promised anything on."""
    if item.polls or item.commitments:
        raise Refused(_l("This item has a vote or a commitment, so it stays in the minutes."))
    meeting = item.meeting
    if meeting.current_item_id == item.id:
        meeting.current_item = None
    record("votes.delete_agenda_item", item, before=snapshot(item, ITEM_FIELDS),
           community_id=meeting.community_id, **_by(actor))
    agenda_item_removed.send(item, actor=actor)
    db.session.delete(item)
    _touch_meeting(meeting)


def lock_meeting(meeting_id: int) -> Meeting | None:
    return db.session.scalar(select(Meeting).where(Meeting.id == meeting_id).with_for_update()
                             .execution_options(populate_existing=True))


def record_present_count(meeting: Meeting, raw, actor=None, now: datetime | None = None) -> int:
    """到会人数, entered or corrected; every entry is kept."""
    try:
        count = parse_count(raw)
    except ValueError as problem:
        raise Invalid({"present": problem.args[0]}) from None
    meeting = lock_meeting(meeting.id)
    before = meeting.present_count
    db.session.add(PresentCount(meeting=meeting, count=count, at=now or utcnow(),
                                staff_id=actor.id if actor is not None else None))
    meeting.present_count = count
    _touch_meeting(meeting)
    record("votes.record_present", meeting, before={"present_count": before},
           after={"present_count": count}, **_by(actor))
    return count


def show_item(meeting: Meeting, item: AgendaItem | None, actor=None) -> None:
    """The facilitator moves to an item: the TV follows."""
    if item is not None and item.meeting_id != meeting.id:
        raise Refused(_l("This item belongs to another meeting."), 404)
    meeting = lock_meeting(meeting.id)
    meeting.current_item = item
    _touch_meeting(meeting)
    record("votes.show_item", meeting, after={"current_item_id": item.id if item else None},
           **_by(actor))


def next_item(meeting: Meeting) -> AgendaItem | None:
    """The item after the current one (or the first)."""
    items = list(meeting.items)
    if not items:
        return None
    if meeting.current_item is None or meeting.current_item not in items:
        return items[0]
    index = items.index(meeting.current_item)
    return items[index + 1] if index + 1 < len(items) else None


def _touch_meeting(meeting: Meeting) -> None:
    meeting.version = Meeting.version + 1


def _touch(poll: Poll) -> None:
    poll.version = Poll.version + 1
    _touch_meeting(poll.item.meeting)


# ---------- opening a poll ----------


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


# ---------- the tally ----------


@dataclass
class OptionCount:
    id: int
    label: str
    kind: str
    hand: int = 0
    pass_: int = 0
    phone: int = 0

    @property
    def total(self) -> int:
        return self.hand + self.pass_ + self.phone

    @property
    def secret(self) -> int:
        return self.pass_ + self.phone

    def percent(self, of: int) -> int:
        return round(100 * self.total / of) if of else 0

    def as_dict(self) -> dict:
        return {"id": self.id, "label": self.label, "kind": self.kind, "hand": self.hand,
                "pass": self.pass_, "phone": self.phone, "total": self.total}


@dataclass
class Tally:
    options: list[OptionCount]
    present: int | None = None

    @property
    def total(self) -> int:
        return sum(o.total for o in self.options)

    @property
    def hand(self) -> int:
        return sum(o.hand for o in self.options)

    @property
    def pass_(self) -> int:
        return sum(o.pass_ for o in self.options)

    @property
    def phone(self) -> int:
        return sum(o.phone for o in self.options)

    @property
    def secret(self) -> int:
        return self.pass_ + self.phone

    def by_channel(self) -> dict[str, int]:
        return {HAND: self.hand, PASS: self.pass_, PHONE: self.phone}


def hand_counts(poll_id: int) -> dict[int, int]:
    rows = db.session.execute(
        select(HandCount.option_id, func.coalesce(func.sum(HandCount.delta), 0))
        .where(HandCount.poll_id == poll_id).group_by(HandCount.option_id))
    return {option_id: int(total) for option_id, total in rows}


def live_tally(poll: Poll) -> Tally:
    """Counted now from the ballots and the hand-count events."""
    ballots = db.session.execute(
        select(Ballot.option_id, Ballot.channel, func.count(Ballot.id))
        .where(Ballot.poll_id == poll.id).group_by(Ballot.option_id, Ballot.channel))
    counts = {o.id: OptionCount(o.id, o.label, o.kind) for o in poll.options}
    for option_id, channel, number in ballots:
        if channel == PASS:
            counts[option_id].pass_ += number
        elif channel == PHONE:
            counts[option_id].phone += number
    for option_id, total in hand_counts(poll.id).items():
        counts[option_id].hand = total
    return Tally(list(counts.values()), poll.item.meeting.present_count)


def tally(poll: Poll) -> Tally:
    """A closed poll's frozen figures, or the live count of an open one."""
    if poll.status == CLOSED and poll.figures:
        options = [OptionCount(o["id"], o["label"], o["kind"], o["hand"], o["pass"], o["phone"])
                   for o in poll.figures["options"]]
        return Tally(options, poll.figures.get("present"))
    return live_tally(poll)


# ---------- the decision ----------


@dataclass(frozen=True)
class Decision:
    result: str
    winner_id: int | None
    quorum_reached: bool
    tie: bool = False


def quorum_reached(kind: str, value: int, ballots: int, present: int | None) -> bool:
    if kind == QUORUM_BALLOTS:
        return ballots >= value
    if kind == QUORUM_PRESENT:
        return present is not None and present >= value
    return True


def decide(rule: str, options: list[OptionCount], quorum_kind: str = QUORUM_NONE,
           quorum_value: int = 0, present: int | None = None) -> Decision:
    """通过 / 未通过 / 未达法定人数 by the rule and the quorum.

    - yes_over_no: more 赞成 than 反对 (弃权 does not count). With custom options, the option
      with the most ballots, provided no other option has as many.
    - majority_of_ballots: 赞成 (or the leading option) has more than half of all ballots,
      弃权 included.
    - two_thirds: 赞成 (or the leading option) has at least two thirds of all ballots.
    No ballots at all never pass; a tie for the lead never passes.
    """
    total = sum(o.total for o in options)
    if not quorum_reached(quorum_kind, quorum_value, total, present):
        return Decision(NO_QUORUM, None, False)
    yes = next((o for o in options if o.kind == YES), None)
    if yes is not None:
        no = sum(o.total for o in options if o.kind == NO)
        candidate, tie = yes, False
        if rule == YES_OVER_NO:
            passed = yes.total > no
            tie = yes.total == no
        else:
            passed = _share_enough(rule, yes.total, total)
    else:
        top = max((o.total for o in options), default=0)
        leaders = [o for o in options if o.total == top]
        tie = len(leaders) > 1
        candidate = leaders[0] if leaders and not tie else None
        if candidate is None or total == 0:
            passed = False
        elif rule == YES_OVER_NO:
            passed = True
        else:
            passed = _share_enough(rule, top, total)
    if total == 0:
        passed = False
    return Decision(PASSED if passed else FAILED, candidate.id if passed else None, True, tie)


def _share_enough(rule: str, votes: int, total: int) -> bool:
    if total == 0:
        return False
    if rule == MAJORITY:
        return votes * 2 > total
    if rule == TWO_THIRDS:
        return votes * 3 >= total * 2
    raise ValueError(rule)


# ---------- ballots: the shared tablet and phones ----------


def lock_poll(poll_id: int) -> Poll | None:
    """The poll row, locked until the transaction ends, read fresh."""
    return db.session.scalar(select(Poll).where(Poll.id == poll_id).with_for_update()
                             .execution_options(populate_existing=True))


def _existing_ballot(request_key: str | None, poll_id: int, device_id: str | None):
    if (found := find_by_request_key(Ballot, request_key)) is not None:
        return found
    if device_id:
        return db.session.scalar(select(Ballot).where(Ballot.poll_id == poll_id,
                                                      Ballot.device_id == device_id))
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
    ballot = Ballot(poll_id=poll.id, option_id=option.id, channel=channel, device_id=device_id,
                    request_key=request_key, created_at=now or utcnow())
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


def _option_of(poll: Poll, option_id) -> PollOption:
    try:
        wanted = int(option_id)
    except (TypeError, ValueError):
        wanted = None
    option = next((o for o in poll.options if o.id == wanted), None)
    if option is None:
        raise Invalid({"option": _l("This choice is not part of this vote. Please choose "
                                    "again.")})
    return option


def ballot_of_device(poll: Poll, device_id: str | None) -> Ballot | None:
    if not device_id:
        return None
    return db.session.scalar(select(Ballot).where(Ballot.poll_id == poll.id,
                                                  Ballot.device_id == device_id))


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


def winner_label(poll: Poll) -> str | None:
    if not poll.figures or poll.figures.get("winner_id") is None:
        return None
    found = next((o for o in poll.figures["options"] if o["id"] == poll.figures["winner_id"]),
                 None)
    return option_label(found) if found else None


# ---------- commitments ----------


def parse_day(raw) -> date | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValueError(_l("Please choose a date.")) from None


def add_commitment(item: AgendaItem, *, who: str, what: str, due_on: str = "",
                   actor=None) -> Commitment:
    who, what = _text(who, 40), _text(what, 200)
    errors = {}
    if not who:
        errors["who"] = _l("Please say who made the promise, e.g. 物业公司.")
    elif len(who) > 40:
        errors["who"] = _l("Use at most %(max)s characters.", max=40)
    if not what:
        errors["what"] = _l("Please write what was promised.")
    elif len(what) > 200:
        errors["what"] = _l("Use at most %(max)s characters.", max=200)
    try:
        due = parse_day(due_on)
    except ValueError as problem:
        errors["due_on"] = problem.args[0]
    if errors:
        raise Invalid(errors)
    commitment = Commitment(item=item, who=who, what=what, due_on=due)
    db.session.add(commitment)
    db.session.flush()
    _touch_meeting(item.meeting)
    record("votes.add_commitment", commitment, after=snapshot(commitment, COMMITMENT_FIELDS),
           **_by(actor))
    return commitment


def set_commitment_done(commitment: Commitment, done_on, actor=None) -> Commitment:
    """Mark done on a day (a date, or the day typed as YYYY-MM-DD), or not done (None)."""
    before = snapshot(commitment, COMMITMENT_FIELDS)
    if done_on is not None and not isinstance(done_on, date):
        try:
            done_on = parse_day(done_on)
        except ValueError as problem:
            raise Invalid({"done_on": problem.args[0]}) from None
        if done_on is None:
            raise Invalid({"done_on": _l("Please choose the day it was done.")})
    commitment.done_on = done_on
    record("votes.commitment_done" if done_on else "votes.commitment_reopened", commitment,
           before=before, after=snapshot(commitment, COMMITMENT_FIELDS), **_by(actor))
    return commitment


# ---------- finding things ----------


@dataclass
class ListPage:
    """One page of a short list already in memory (an agenda, the board's meetings): the
    kiosk pages long content with 上一页 / 下一页 instead of asking anyone to scroll."""

    items: list
    page: int
    pages: int
    first: int  # the position of items[0] in the whole list, from 0

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def page_of_list(items, page: int, per_page: int) -> ListPage:
    """Page `page` (from 1; out of range → the nearest page) of `items`."""
    items = list(items)
    pages = max(1, -(-len(items) // per_page))
    page = min(max(1, page), pages)
    first = (page - 1) * per_page
    return ListPage(items=items[first:first + per_page], page=page, pages=pages, first=first)


def page_with(items, item, per_page: int) -> int:
    """The page number of `item` in `items` (1 when it is not there)."""
    items = list(items)
    return items.index(item) // per_page + 1 if item in items else 1


def meetings_of(community_ids: list[int], upcoming: bool | None = None,
                now: datetime | None = None):
    """Meetings of these communities: upcoming (soonest first) or past (latest first)."""
    query = select(Meeting).where(Meeting.community_id.in_(community_ids))
    now = now or utcnow()
    # A meeting that started less than a day ago is still "upcoming": it may be running.
    cut = now - timedelta(hours=12)
    if upcoming is True:
        return db.session.scalars(query.where(Meeting.starts_at >= cut)
                                  .order_by(Meeting.starts_at)).all()
    if upcoming is False:
        return db.session.scalars(query.where(Meeting.starts_at < cut)
                                  .order_by(Meeting.starts_at.desc())).all()
    return db.session.scalars(query.order_by(Meeting.starts_at.desc())).all()


def open_pass_poll(community_id: int) -> Poll | None:
    """The poll a resident at this community's kiosk can vote on now (the latest opened)."""
    return db.session.scalar(
        select(Poll).join(AgendaItem).join(Meeting, AgendaItem.meeting_id == Meeting.id)
        .where(Meeting.community_id == community_id, Poll.status == OPEN,
               Poll.channel_pass.is_(True))
        .order_by(Poll.opened_at.desc(), Poll.id.desc()).limit(1))


def decided_meetings(community_id: int, limit: int = 20) -> list[Meeting]:
    """Meetings with at least one closed poll or a commitment: the public board."""
    closed = (select(AgendaItem.meeting_id).join(Poll).where(Poll.status == CLOSED))
    promised = select(AgendaItem.meeting_id).join(Commitment)
    return db.session.scalars(
        select(Meeting).where(Meeting.community_id == community_id,
                              Meeting.id.in_(closed.union(promised)))
        .order_by(Meeting.starts_at.desc()).limit(limit)).all()


def display_version(tv_token: str) -> int | None:
    """The one indexed query the TV asks every second."""
    return db.session.scalar(select(Meeting.version).where(Meeting.display_token == tv_token))


def meeting_by_display_token(tv_token: str) -> Meeting | None:
    return db.session.scalar(select(Meeting).where(Meeting.display_token == tv_token))


def poll_by_phone_token(token: str) -> Poll | None:
    return db.session.scalar(select(Poll).where(Poll.phone_token == token))


def shown_poll(meeting: Meeting) -> Poll | None:
    """What the TV shows for the current item: its open poll, else its latest poll."""
    item = meeting.current_item
    if item is None:
        return None
    return item.open_poll or item.last_poll


def open_commitments(community_ids: list[int]):
    return db.session.scalars(
        select(Commitment).join(AgendaItem).join(Meeting, AgendaItem.meeting_id == Meeting.id)
        .where(Meeting.community_id.in_(community_ids))
        .order_by(Commitment.done_on.is_not(None), Commitment.due_on.is_(None),
                  Commitment.due_on, Commitment.id)).all()


# ---------- minutes ----------


MINUTES_HEADER = (
    _l("Item"), _l("Question"), _l("Rule"), _l("Quorum"), _l("Option"), _l("Show of hands"),
    _l("Pass the tablet"), _l("Phone scan"), _l("Total"), _l("Result"), _l("Who promised"),
    _l("Promise"), _l("Due"), _l("Done"))


def quorum_text(poll: Poll) -> str:
    if poll.quorum_kind == QUORUM_BALLOTS:
        return str(_l("At least %(count)s ballots", count=poll.quorum_value))
    if poll.quorum_kind == QUORUM_PRESENT:
        return str(_l("At least %(count)s people present", count=poll.quorum_value))
    return str(QUORUM_NAMES[QUORUM_NONE])


def result_text(poll: Poll) -> str:
    if poll.status != CLOSED:
        return str(_l("Voting"))
    text = str(RESULT_NAMES[poll.result])
    winner = winner_label(poll)
    if winner and not poll.is_yes_no:
        text = str(_l("%(result)s: %(option)s", result=text, option=winner))
    return text


def minutes_rows(meeting: Meeting) -> list[list]:
    """One row per option of each poll, then one per commitment, item by item."""
    rows = []
    for number, item in enumerate(meeting.items, start=1):
        title = f"{number}. {item.title}"
        for poll in item.polls:
            figures = tally(poll)
            for option in figures.options:
                rows.append([title, poll.question, str(RULE_NAMES[poll.rule]), quorum_text(poll),
                             option_label(option.as_dict()), option.hand, option.pass_,
                             option.phone, option.total, result_text(poll), "", "", "", ""])
        for commitment in item.commitments:
            rows.append([title, "", "", "", "", "", "", "", "", "", commitment.who,
                         commitment.what, commitment.due_on.isoformat() if commitment.due_on
                         else "", commitment.done_on.isoformat() if commitment.done_on else ""])
        if not item.polls and not item.commitments:
            rows.append([title] + [""] * (len(MINUTES_HEADER) - 1))
    return rows


def minutes_filename(meeting: Meeting, extension: str, tz) -> str:
    day = meeting.starts_at.astimezone(tz).date().isoformat()
    return f"{_l('Minutes')} {day} {meeting.title}.{extension}".replace("/", "-")

