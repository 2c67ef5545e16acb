"""What the votes services share: the limits, the refusal, the clean-up of typed text and
numbers, and the row locks and version bumps every write goes through. The underscore names
are for the services package only."""

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...extensions import db
from ..models import Meeting, Poll

COUNT_MAX = 9999  # a typed total, 到会人数 or a quorum: four digits is a whole square


class Refused(Exception):
    """A ballot, tap or close that cannot happen, with the message to show and a status."""

    def __init__(self, message, status: int = 409):
        super().__init__(str(message))
        self.message = message
        self.status = status


class PollClosed(Refused):
    def __init__(self):
        super().__init__(_l("Voting has ended."), 409)


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


def lock_meeting(meeting_id: int) -> Meeting | None:
    return db.session.scalar(select(Meeting).where(Meeting.id == meeting_id).with_for_update()
                             .execution_options(populate_existing=True))


def lock_poll(poll_id: int) -> Poll | None:
    """The poll row, locked until the transaction ends, read fresh."""
    return db.session.scalar(select(Poll).where(Poll.id == poll_id).with_for_update()
                             .execution_options(populate_existing=True))


def _touch_meeting(meeting: Meeting) -> None:
    meeting.version = Meeting.version + 1


def _touch(poll: Poll) -> None:
    poll.version = Poll.version + 1
    _touch_meeting(poll.item.meeting)
