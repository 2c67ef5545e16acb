"""Meetings and their agenda: create and edit, add, edit, move and remove items, 到会人数,
and the item the TV shows."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ...audit.services import record, snapshot
from ...database import utcnow
from ...extensions import db
from ...validation import Invalid
from ..models import AgendaItem, Meeting, PresentCount
from ..signals import agenda_item_removed
from .base import Refused, _by, _text, _touch_meeting, lock_meeting, parse_count

MEETING_FIELDS = ("title", "place", "starts_at", "community_id")
ITEM_FIELDS = ("title", "description", "position")


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
