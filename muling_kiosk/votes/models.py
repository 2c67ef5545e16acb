"""板凳议事会: meetings, their agenda items, polls with their options, ballots (tablet and
phone), hand-count events, the number of people present, and commitments.

The tally of a poll is never stored while the poll is open: it is derived from its ballots and
hand-count events, every change kept. Closing freezes the result and the figures on the poll;
from then on the data layer refuses any change to it (the before_flush guard below).
"""

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
    select,
    text,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from ..communities.models import Community
from ..database import utcnow
from ..extensions import db
from ..tokens import url_token

# Decision rules
YES_OVER_NO = "yes_over_no"  # 赞成多于反对 (custom options: the most ballots, no tie)
MAJORITY = "majority_of_ballots"  # more than half of all ballots
TWO_THIRDS = "two_thirds"  # at least two thirds of all ballots
RULES = (YES_OVER_NO, MAJORITY, TWO_THIRDS)

# Quorum
QUORUM_NONE = "none"
QUORUM_BALLOTS = "ballots"  # at least N ballots
QUORUM_PRESENT = "present"  # at least N people present (到会人数)
QUORUM_KINDS = (QUORUM_NONE, QUORUM_BALLOTS, QUORUM_PRESENT)

# Channels: how a ballot reached us
HAND = "hand"  # 举手计数
PASS = "pass"  # noqa: S105 (传递投票, the shared tablet; not a password)
PHONE = "phone"  # 扫码投票
CHANNELS = (HAND, PASS, PHONE)

OPEN = "open"
CLOSED = "closed"

PASSED = "passed"  # 通过
FAILED = "failed"  # 未通过
NO_QUORUM = "no_quorum"  # 未达法定人数
RESULTS = (PASSED, FAILED, NO_QUORUM)

# Option kinds: the default three, or a custom choice (e.g. a parking plan)
YES, NO, ABSTAIN, CHOICE = "yes", "no", "abstain", "choice"


def new_token() -> str:
    """Unguessable, short enough for a QR code that scans from across the square."""
    return url_token(12)


class Meeting(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    place: Mapped[str] = mapped_column(String(60))
    starts_at: Mapped[datetime] = mapped_column(index=True)
    # 到会人数 as it stands now; every entry and correction is a PresentCount row.
    present_count: Mapped[int | None]
    # The TV display opens /vote/tv/<display_token>: no login, so it must be unguessable.
    display_token: Mapped[str] = mapped_column(String(32), unique=True, default=new_token)
    # The item the facilitator is on: the TV shows it.
    current_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_item.id", use_alter=True, ondelete="SET NULL"))
    # Bumped on every change the TV shows (item, poll, ballot, tap, close): the TV streams'
    # watcher reads the versions of the meetings being watched and sends a new display when
    # one moved (live.py); a TV without server-sent events asks "still version N?" instead.
    version: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    community: Mapped[Community] = relationship()
    items: Mapped[list["AgendaItem"]] = relationship(
        back_populates="meeting", order_by="(AgendaItem.position, AgendaItem.id)",
        foreign_keys="AgendaItem.meeting_id")
    current_item: Mapped["AgendaItem | None"] = relationship(
        foreign_keys=[current_item_id], post_update=True)
    present_counts: Mapped[list["PresentCount"]] = relationship(
        back_populates="meeting", order_by="PresentCount.id")


class PresentCount(db.Model):
    """One entry or correction of 到会人数, kept."""

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    count: Mapped[int]
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    meeting: Mapped[Meeting] = relationship(back_populates="present_counts")


class AgendaItem(db.Model):
    """议题: what the meeting discusses, in order."""

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    position: Mapped[int] = mapped_column(default=1)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    meeting: Mapped[Meeting] = relationship(back_populates="items", foreign_keys=[meeting_id])
    polls: Mapped[list["Poll"]] = relationship(back_populates="item", order_by="Poll.id")
    commitments: Mapped[list["Commitment"]] = relationship(
        back_populates="item", order_by="Commitment.id")

    @property
    def community_id(self) -> int:
        return self.meeting.community_id

    @property
    def open_poll(self) -> "Poll | None":
        return next((p for p in self.polls if p.status == OPEN), None)

    @property
    def last_poll(self) -> "Poll | None":
        return self.polls[-1] if self.polls else None


class Poll(db.Model):
    """A vote on an agenda item. Only one open poll per item (service + partial unique
    index); a closed poll never reopens, a new poll is the only way to vote again."""

    __table_args__ = (
        Index("uq_poll_one_open_per_item", "agenda_item_id", unique=True,
              sqlite_where=text("status = 'open'"), postgresql_where=text("status = 'open'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agenda_item_id: Mapped[int] = mapped_column(ForeignKey("agenda_item.id"), index=True)
    question: Mapped[str] = mapped_column(String(200))
    rule: Mapped[str] = mapped_column(String(20), default=YES_OVER_NO)
    quorum_kind: Mapped[str] = mapped_column(String(10), default=QUORUM_NONE)
    quorum_value: Mapped[int] = mapped_column(default=0)
    channel_hand: Mapped[bool] = mapped_column(default=True)
    channel_pass: Mapped[bool] = mapped_column(default=True)
    channel_phone: Mapped[bool] = mapped_column(default=True)
    status: Mapped[str] = mapped_column(String(10), default=OPEN, index=True)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    # Frozen at closing: 通过 / 未通过 / 未达法定人数, and every figure it was decided on.
    result: Mapped[str | None] = mapped_column(String(12))
    ballots_total: Mapped[int | None]
    figures: Mapped[dict | None] = mapped_column(JSON)
    # Bumped on every ballot, tap and the close: the facilitator's tally follows it.
    version: Mapped[int] = mapped_column(default=0)
    # Phones open /m/v/<phone_token> from the QR code.
    phone_token: Mapped[str] = mapped_column(String(32), unique=True, default=new_token)
    request_key: Mapped[str | None] = mapped_column(String(64), unique=True)

    item: Mapped[AgendaItem] = relationship(back_populates="polls")
    options: Mapped[list["PollOption"]] = relationship(
        back_populates="poll", order_by="PollOption.position")

    @property
    def is_open(self) -> bool:
        return self.status == OPEN

    @property
    def community_id(self) -> int:
        return self.item.meeting.community_id

    @property
    def channels(self) -> tuple[str, ...]:
        return tuple(c for c, on in ((HAND, self.channel_hand), (PASS, self.channel_pass),
                                     (PHONE, self.channel_phone)) if on)

    @property
    def is_yes_no(self) -> bool:
        return any(o.kind == YES for o in self.options)


class PollOption(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("poll.id"), index=True)
    position: Mapped[int]
    label: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(10), default=CHOICE)

    poll: Mapped[Poll] = relationship(back_populates="options")


class Ballot(db.Model):
    """One ballot cast on the shared tablet (pass) or on a phone. A phone holds one ballot
    per poll (its device id, from a signed cookie: one per phone, not an identity check)."""

    __table_args__ = (UniqueConstraint("poll_id", "device_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("poll.id"), index=True)
    option_id: Mapped[int] = mapped_column(ForeignKey("poll_option.id"))
    channel: Mapped[str] = mapped_column(String(10))
    device_id: Mapped[str | None] = mapped_column(String(64))
    request_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    poll: Mapped[Poll] = relationship()
    option: Mapped[PollOption] = relationship()


class HandCount(db.Model):
    """A change to the hand count of one option: a "+1" tap, a typed total (stored with the
    difference it made), or the undo of an earlier change. The count is the sum of deltas."""

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("poll.id"), index=True)
    option_id: Mapped[int] = mapped_column(ForeignKey("poll_option.id"))
    kind: Mapped[str] = mapped_column(String(10))  # tap / total / undo
    delta: Mapped[int]
    total: Mapped[int | None]  # what was typed, for kind == "total"
    # An undo names the change it takes back; each change can be taken back once.
    undoes_id: Mapped[int | None] = mapped_column(ForeignKey("hand_count.id"), unique=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    request_key: Mapped[str | None] = mapped_column(String(64), unique=True)

    poll: Mapped[Poll] = relationship()
    option: Mapped[PollOption] = relationship()


class Commitment(db.Model):
    """现场承诺: who promised what on an item, by when; later marked done."""

    id: Mapped[int] = mapped_column(primary_key=True)
    agenda_item_id: Mapped[int] = mapped_column(ForeignKey("agenda_item.id"), index=True)
    who: Mapped[str] = mapped_column(String(40))
    what: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date | None]
    done_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    item: Mapped[AgendaItem] = relationship(back_populates="commitments")

    @property
    def community_id(self) -> int:
        return self.item.meeting.community_id


# ---------- the data layer refuses to change a closed poll ----------


class ClosedPollError(Exception):
    """Something tried to change a closed poll, its options, ballots or hand counts."""


def _status_in_database(session, poll_id: int | None) -> str | None:
    if poll_id is None:
        return None
    return session.execute(select(Poll.status).where(Poll.id == poll_id)).scalar()


def _poll_is_closed(session, poll: "Poll | None", poll_id: int | None) -> bool:
    """Closed in this session (even if not yet written) or in the database."""
    if poll is not None and CLOSED in (poll.status, *_committed(poll, "status")):
        return True
    return _status_in_database(session, poll_id if poll_id is not None else
                               (poll.id if poll is not None else None)) == CLOSED


def _committed(obj, attribute: str) -> tuple:
    """The value the attribute had when loaded (before this transaction's changes)."""
    history = inspect(obj).attrs[attribute].history
    return tuple(history.unchanged or ()) + tuple(history.deleted or ())


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_closed_polls(session, _flush_context, _instances):
    with session.no_autoflush:
        for obj in list(session.new) + list(session.dirty) + list(session.deleted):
            if isinstance(obj, Ballot | HandCount | PollOption):
                if obj in session.dirty and not session.is_modified(obj):
                    continue
                if _poll_is_closed(session, obj.poll, obj.poll_id):
                    raise ClosedPollError(
                        f"poll {obj.poll_id} is closed: its {type(obj).__name__} rows are fixed")
            elif isinstance(obj, Poll):
                if obj in session.new:
                    if obj.status not in (None, OPEN):  # None: the column default, open
                        raise ClosedPollError("a poll is created open and closed by counting")
                elif obj in session.deleted:
                    if _poll_is_closed(session, obj, obj.id):
                        raise ClosedPollError(f"poll {obj.id} is closed and cannot be deleted")
                elif session.is_modified(obj) and (
                        CLOSED in _committed(obj, "status")
                        or _status_in_database(session, obj.id) == CLOSED):
                    raise ClosedPollError(f"poll {obj.id} is closed: it never changes again")


_GUARDED = (Poll, PollOption, Ballot, HandCount)


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_changes(orm_execute_state):
    """Bulk UPDATE/DELETE statements skip the flush check above: not for these tables."""
    if orm_execute_state.is_update or orm_execute_state.is_delete:
        mapper = orm_execute_state.bind_mapper
        if mapper is not None and mapper.class_ in _GUARDED:
            raise ClosedPollError(
                f"{mapper.class_.__name__} rows change only through the votes services")
