"""Finding meetings and polls for a screen."""

from datetime import datetime, timedelta

from sqlalchemy import select

from ...database import utcnow
from ...extensions import db
from ..models import CLOSED, OPEN, AgendaItem, Commitment, Meeting, Poll


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


def next_meeting(community_id: int, now: datetime | None = None) -> Meeting | None:
    """The community's next meeting (or one under way), which the public board announces."""
    upcoming = meetings_of([community_id], upcoming=True, now=now)
    return upcoming[0] if upcoming else None


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
