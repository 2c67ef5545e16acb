"""现场承诺: who promised what on an item, by when, and whether it was done."""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...audit.services import record, snapshot
from ...database import utcnow
from ...extensions import db
from ...i18n import format_when, local_zone
from ...validation import Invalid
from ..models import AgendaItem, Commitment, Meeting
from .base import _by, _text, _touch_meeting

COMMITMENT_WHO = ("楼栋长", "单元长", "物业公司", "社区")
WHO_OTHER = "other"
COMMITMENT_FIELDS = ("who", "what", "due_on", "done_on")


def commitment_who(choice: str, other: str) -> str:
    """Who promised, from the form: one of the usual promisers, else what was typed as other."""
    return other if choice == WHO_OTHER or choice not in COMMITMENT_WHO else choice


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
    else:
        meeting_day = item.meeting.starts_at.astimezone(local_zone()).date()
        if due is not None and due < meeting_day:
            errors["due_on"] = _l("The due date cannot be before the meeting (%(day)s).",
                                  day=format_when(item.meeting.starts_at, "date"))
    if errors:
        raise Invalid(errors)
    commitment = Commitment(item=item, who=who, what=what, due_on=due)
    db.session.add(commitment)
    db.session.flush()
    _touch_meeting(item.meeting)
    record("votes.add_commitment", commitment, after=snapshot(commitment, COMMITMENT_FIELDS),
           **_by(actor))
    return commitment


def set_commitment_done(commitment: Commitment, done_on, actor=None,
                        now: datetime | None = None) -> Commitment:
    """Mark done on a day (a date, or the day typed as YYYY-MM-DD), or not done (None). A day
    still to come is refused: nothing is done in the future."""
    before = snapshot(commitment, COMMITMENT_FIELDS)
    if done_on is not None and not isinstance(done_on, date):
        try:
            done_on = parse_day(done_on)
        except ValueError as problem:
            raise Invalid({"done_on": problem.args[0]}) from None
        if done_on is None:
            raise Invalid({"done_on": _l("Please choose the day it was done.")})
    if done_on is not None and done_on > (now or utcnow()).astimezone(local_zone()).date():
        raise Invalid({"done_on": _l("The day it was done cannot be in the future.")})
    commitment.done_on = done_on
    record("votes.commitment_done" if done_on else "votes.commitment_reopened", commitment,
           before=before, after=snapshot(commitment, COMMITMENT_FIELDS), **_by(actor))
    return commitment


def open_commitments(community_ids: list[int]):
    return db.session.scalars(
        select(Commitment).join(AgendaItem).join(Meeting, AgendaItem.meeting_id == Meeting.id)
        .where(Meeting.community_id.in_(community_ids))
        .order_by(Commitment.done_on.is_not(None), Commitment.due_on.is_(None),
                  Commitment.due_on, Commitment.id)).all()
