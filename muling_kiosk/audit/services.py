"""One helper for the whole app: record(...) adds an audit event to the current transaction,
so the event commits together with the change it describes, or not at all."""

from datetime import UTC, date, datetime, time, timedelta

from flask import has_request_context, request
from sqlalchemy import or_, select

from ..database import utcnow
from ..extensions import db
from .models import AuditEvent

_CURRENT = object()

# Who is acting on this request: set by the staff feature (staff.auth.init_app), so the audit
# log needs no import of it (the staff feature records its own changes here).
_current_actor = None


def set_actor_provider(provider) -> None:
    global _current_actor
    _current_actor = provider


def client_address() -> str:
    return (request.remote_addr or "")[:64] if has_request_context() else "cli"


def snapshot(obj, fields) -> dict:
    """The named attributes of a record, JSON-ready, for before/after."""
    values = {}
    for name in fields:
        value = getattr(obj, name)
        if isinstance(value, datetime | date):
            value = value.isoformat()
        values[name] = value
    return values


def record(action: str, target=None, *, before: dict | None = None, after: dict | None = None,
           community_id: int | None = None, staff=_CURRENT, actor: str | None = None,
           target_type: str | None = None, target_id=None) -> AuditEvent:
    """Who (the signed-in staff member unless given), did what (action, e.g. "staff.create"),
    to which record (target), in which community, from which client, with before and after."""
    if staff is _CURRENT:
        staff = _current_actor() if _current_actor and has_request_context() else None
    if target is not None:
        target_type = target_type or type(target).__name__
        target_id = target_id if target_id is not None else getattr(target, "id", None)
        if community_id is None:
            community_id = getattr(target, "community_id", None)
    if community_id is None and staff is not None:
        community_id = staff.community_id
    event = AuditEvent(
        at=utcnow(),
        staff_id=staff.id if staff is not None else None,
        actor=(actor or (staff.display_name if staff is not None else ""))[:60],
        action=action,
        target_type=target_type or "",
        target_id="" if target_id is None else str(target_id),
        community_id=community_id,
        client=client_address(),
        before=before,
        after=after,
    )
    db.session.add(event)
    return event


def changes(event: AuditEvent) -> list[tuple[str, object, object]]:
    """(field, before, after) for what an event changed; for a creation, every field."""
    before, after = event.before or {}, event.after or {}
    fields = list(after) + [k for k in before if k not in after]
    return [(k, before.get(k), after.get(k)) for k in fields
            if k not in before or k not in after or before[k] != after[k]]


def search(viewer, staff_id: int | None = None, action: str | None = None,
           day_from: date | None = None, day_to: date | None = None, tz=UTC):
    """Events the viewer (an admin) may see, newest first, filtered by person, type and date."""
    community_ids = viewer.community_ids()
    visible = AuditEvent.community_id.in_(community_ids)
    if viewer.is_subdistrict_admin:
        visible = or_(visible, AuditEvent.community_id.is_(None))
    query = select(AuditEvent).where(visible)
    if staff_id:
        query = query.where(AuditEvent.staff_id == staff_id)
    if action:
        query = query.where(AuditEvent.action.startswith(action, autoescape=True))
    if day_from:
        query = query.where(AuditEvent.at >= _start_of(day_from, tz))
    if day_to:
        query = query.where(AuditEvent.at < _start_of(day_to + timedelta(days=1), tz))
    return query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())


def _start_of(day: date, tz) -> datetime:
    """Midnight of that day where the community lives."""
    return datetime.combine(day, time.min, tzinfo=tz)
