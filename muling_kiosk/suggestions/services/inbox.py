"""The staff inbox: its filters, the counts by state, and the table it exports."""

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from ...audit.services import record
from ...extensions import db
from ...i18n import format_when
from ...privacy import mask_phone, normalise_phone
from ...staff.models import Staff
from ..models import Suggestion
from .vocabulary import (
    CATEGORIES,
    CODE_ALPHABET,
    CODE_LENGTH,
    OPEN_STATES,
    RATINGS,
    SOURCES,
    STATE_NAMES,
    category_name,
    group_code,
    mask_numbers,
    normalise_code,
    state_name,
)


@dataclass
class InboxFilters:
    state: str = ""       # a state, "open", or "" for all
    category: str = ""
    location_id: int | None = None  # 0: typed on the tablet (no location)
    day_from: date | None = None
    day_to: date | None = None
    q: str = ""
    assignee_id: int | None = None


def inbox_query(viewer: Staff, filters: InboxFilters, tz=UTC):
    query = select(Suggestion).where(Suggestion.community_id.in_(viewer.community_ids()))
    if filters.state == "open":
        query = query.where(Suggestion.state.in_(OPEN_STATES))
    elif filters.state in STATE_NAMES:
        query = query.where(Suggestion.state == filters.state)
    if filters.category in CATEGORIES:
        query = query.where(Suggestion.category == filters.category)
    if filters.location_id == 0:
        query = query.where(Suggestion.location_id.is_(None))
    elif filters.location_id:
        query = query.where(Suggestion.location_id == filters.location_id)
    if filters.day_from:
        query = query.where(Suggestion.created_at >= _start_of(filters.day_from, tz))
    if filters.day_to:
        query = query.where(Suggestion.created_at < _start_of(filters.day_to + timedelta(days=1),
                                                              tz))
    if filters.assignee_id:
        query = query.where(Suggestion.assignee_id == filters.assignee_id)
    if filters.q:
        query = query.where(search_condition(filters.q))
    return query.order_by(Suggestion.created_at.desc(), Suggestion.id.desc())


CODE_PREFIX_MIN = 4  # letters of a tracking code that find it: "K7QMX" (the first half)
NUMBER_MIN = 4  # digits of a contact number that find it: "5678"


def search_condition(q: str):
    """What the inbox search box finds: the words in the text or the contact's name, a
    tracking code or its beginning (with or without the dash, any case), or a contact
    number or part of it (only the digits compare: "138-1234" finds 13812345678)."""
    q = unicodedata.normalize("NFKC", q).strip()  # full-width digits and letters too
    found = [Suggestion.text.icontains(q, autoescape=True),
             Suggestion.contact_name.icontains(q, autoescape=True)]
    code = normalise_code(q)
    prefix = re.sub(r"[\s\-‐‑–—－]", "", q).upper()
    if code:
        found.append(Suggestion.code == code)
    elif len(prefix) >= CODE_PREFIX_MIN and all(c in CODE_ALPHABET for c in prefix) and (
            len(prefix) < CODE_LENGTH):
        found.append(Suggestion.code.startswith(prefix, autoescape=True))
    digits = normalise_phone(q)
    if len(digits) >= NUMBER_MIN and not re.search(r"[^\d\s\-‐‑–—－.()（）+]", q):
        found.append(Suggestion.contact_phone.contains(digits, autoescape=True))
    return or_(*found)


def _start_of(day: date, tz) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz)


def counts_by_state(viewer: Staff) -> dict[str, int]:
    rows = db.session.execute(
        select(Suggestion.state, func.count(Suggestion.id))
        .where(Suggestion.community_id.in_(viewer.community_ids()))
        .group_by(Suggestion.state))
    return dict(rows.all())


def latest_reply(suggestion: Suggestion) -> str:
    for event in reversed(suggestion.events):
        if event.public and event.kind in ("state", "note") and event.public_text:
            return event.public_text
    return ""


def export_table(suggestions) -> tuple[list[str], list[list]]:
    """The inbox as a table for CSV and Excel. Phone numbers masked, the contact's and those
    typed into the text or the rating comment: a number to call back is revealed one at a
    time on screen, and that is audited."""
    header = [_("Code"), _("Submitted"), _("Category"), _("Place"), _("Source"), _("State"),
              _("Suggestion"), _("Name"), _("Phone"), _("Assigned to"), _("Rating"),
              _("Rating comment"), _("Latest reply")]
    rows = []
    for s in suggestions:
        rows.append([
            group_code(s.code), format_when(s.created_at, "date") + " " +
            format_when(s.created_at, "time"), category_name(s.category),
            s.location.name if s.location else str(SOURCES.get(s.source, "")),
            str(SOURCES.get(s.source, s.source)), state_name(s.state), mask_numbers(s.text),
            s.contact_name,
            mask_phone(s.contact_phone), s.assignee.display_name if s.assignee else "",
            str(RATINGS[s.rating]) if s.rating in RATINGS else "",
            mask_numbers(s.rating_comment or ""),
            latest_reply(s)])
    return header, rows


def export(viewer: Staff, filters: InboxFilters, file_format: str, tz=UTC
           ) -> tuple[list[str], list[list]]:
    """The inbox as filtered, as a table to download; each export is audited (how many rows,
    which format: the rows hold residents' words and names)."""
    header, rows = export_table(db.session.scalars(inbox_query(viewer, filters, tz)))
    record("suggestions.export", None, staff=viewer,
           after={"rows": len(rows), "format": file_format})
    return header, rows
