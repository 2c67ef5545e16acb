"""The count of a poll (live, or frozen when closed) and the decision by its rule and quorum."""

from dataclasses import dataclass

from sqlalchemy import func, select

from ...extensions import db
from ..models import (
    CLOSED,
    FAILED,
    HAND,
    MAJORITY,
    NO,
    NO_QUORUM,
    PASS,
    PASSED,
    PHONE,
    QUORUM_BALLOTS,
    QUORUM_NONE,
    QUORUM_PRESENT,
    TWO_THIRDS,
    YES,
    YES_OVER_NO,
    Ballot,
    HandCount,
    Poll,
)


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
