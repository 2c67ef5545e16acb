"""The kiosk's class list: one week of sessions at a time, grouped by day."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...database import utcnow
from ...extensions import db
from ..models import ClassSession
from .base import WEEKS_AHEAD, local_datetime, local_day, week_start
from .seats import SessionInfo, describe


@dataclass
class ClassWeek:
    """One page of the class list, as the kiosk shows it."""

    offset: int  # 0 = this week, 1 = next week …
    monday_at: datetime  # the week's first moment, where the community lives
    days: list[tuple[date, list[SessionInfo]]]
    today: date
    last_week: int = WEEKS_AHEAD  # the pager stops here


def week_of_sessions(community_id: int, offset: int, now: datetime | None = None
                     ) -> tuple[date, list[tuple[date, list[SessionInfo]]]]:
    """The sessions of one week (0 = this one, from now on), grouped by day in time order,
    so today's come first. Returns the week's Monday and [(day, [session, …]), …]."""
    now = now or utcnow()
    monday = week_start(offset, now)
    start = local_datetime(monday, time.min)
    end = local_datetime(monday + timedelta(weeks=1), time.min)
    query = (select(ClassSession)
             .where(ClassSession.community_id == community_id,
                    ClassSession.starts_at >= start, ClassSession.starts_at < end)
             .options(selectinload(ClassSession.course))
             .order_by(ClassSession.starts_at, ClassSession.id))
    if offset == 0:
        query = query.where(ClassSession.ends_at > now)
    days: dict[date, list[SessionInfo]] = {}
    for info in describe(list(db.session.scalars(query)), now):
        days.setdefault(local_day(info.session.starts_at), []).append(info)
    return monday, list(days.items())


def class_week(community_id: int | None, offset: int, now: datetime | None = None
               ) -> ClassWeek:
    """The week the kiosk asked for (?week=), kept between this week and WEEKS_AHEAD. A kiosk
    without a community shows the week with no classes rather than an error."""
    now = now or utcnow()
    offset = min(max(offset, 0), WEEKS_AHEAD)
    if community_id is None:
        monday, days = week_start(offset, now), []
    else:
        monday, days = week_of_sessions(community_id, offset, now)
    return ClassWeek(offset, local_datetime(monday, time.min), days, local_day(now))
