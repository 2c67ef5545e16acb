"""How long personal data is kept, and `flask purge`: records past their period are
anonymised in place, so every figure stays (a sign-up row still counts a place and its
attendance, a suggestion keeps its state, text and history, an audit row what was done).

- Sign-ups: name → REMOVED_NAME, number and cancel code gone, RETAIN_SIGNUP_DAYS after the
  class session ended.
- Suggestions closed (resolved, rated, not adopted, merged): contact name and number
  cleared and numbers inside the text and rating comment masked, RETAIN_SUGGESTION_CONTACT_
  DAYS after their last change. Photos are kept: they show the place the suggestion is about,
  are re-encoded without location data and never public with a contact; staff remove a
  photo that shows a person on request (a person's erasure, the console).
- Audit log: the client address, RETAIN_AUDIT_ADDRESS_DAYS after the event; with the same
  period, ended staff sessions and old wrong-password counts (they hold addresses too) are
  deleted: they count nothing.
"""

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, delete, func, or_, select, update

from ...audit.models import AuditEvent
from ...audit.services import record
from ...database import utcnow
from ...extensions import db
from ...signups.models import ClassSession, Signup
from ...staff.models import LoginThrottle, StaffSession
from ...suggestions.models import Suggestion
from ...suggestions.services import CLOSED_STATES, mask_numbers

# What an anonymised sign-up's name becomes: the rosters still show a row.
REMOVED_NAME = "(已删除)"
# Addresses that are not a person's: the command line's marker.
_NOT_ADDRESSES = ("", "cli")


@dataclass
class PurgeReport:
    signups: int = 0
    suggestions: int = 0
    audit_addresses: int = 0
    staff_sessions: int = 0
    login_throttles: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def _cutoff(setting: str, now: datetime) -> datetime:
    return now - timedelta(days=current_app.config[setting])


def _signups_due(now: datetime):
    return (select(Signup).join(Signup.session)
            .where(ClassSession.ends_at < _cutoff("RETAIN_SIGNUP_DAYS", now),
                   or_(Signup.name != REMOVED_NAME, Signup.phone.is_not(None),
                       Signup.cancel_code_hash.is_not(None))))


def _suggestions_due(now: datetime):
    return select(Suggestion).where(
        Suggestion.state.in_(CLOSED_STATES),
        func.coalesce(Suggestion.rated_at, Suggestion.updated_at)
        < _cutoff("RETAIN_SUGGESTION_CONTACT_DAYS", now),
        or_(Suggestion.contact_name != "", Suggestion.contact_phone != ""))


def _audit_due(now: datetime):
    return and_(AuditEvent.at < _cutoff("RETAIN_AUDIT_ADDRESS_DAYS", now),
                AuditEvent.client.not_in(_NOT_ADDRESSES))


def _addresses_due(now: datetime):
    """Ended staff sessions and wrong-password counts past the audit address period."""
    cutoff = _cutoff("RETAIN_AUDIT_ADDRESS_DAYS", now)
    return ((StaffSession, StaffSession.expires_at < cutoff),
            (LoginThrottle, and_(LoginThrottle.first_failure_at < cutoff,
                                 or_(LoginThrottle.locked_until.is_(None),
                                     LoginThrottle.locked_until < now))))


def _count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery()))


def purge(now: datetime | None = None, dry_run: bool = False) -> PurgeReport:
    """Anonymise what is past its period; with dry_run only count it. Audited (not the dry
    run); the caller commits."""
    now = now or utcnow()
    (sessions, sessions_due), (throttles, throttles_due) = _addresses_due(now)
    if dry_run:
        return PurgeReport(
            signups=_count(_signups_due(now)), suggestions=_count(_suggestions_due(now)),
            audit_addresses=db.session.scalar(select(func.count(AuditEvent.id))
                                              .where(_audit_due(now))),
            staff_sessions=_count(select(sessions).where(sessions_due)),
            login_throttles=_count(select(throttles).where(throttles_due)))
    report = PurgeReport()
    for signup in db.session.scalars(_signups_due(now)):
        signup.name, signup.phone, signup.cancel_code_hash = REMOVED_NAME, None, None
        report.signups += 1
    for suggestion in db.session.scalars(_suggestions_due(now)):
        suggestion.contact_name, suggestion.contact_phone = "", ""
        suggestion.text = mask_numbers(suggestion.text)
        suggestion.rating_comment = mask_numbers(suggestion.rating_comment or "")
        for event in suggestion.events:  # the rating comment is in the history too
            event.public_text = mask_numbers(event.public_text or "")
        report.suggestions += 1
    report.audit_addresses = db.session.execute(
        update(AuditEvent).where(_audit_due(now)).values(client="")
        .execution_options(synchronize_session=False)).rowcount
    report.staff_sessions = db.session.execute(
        delete(sessions).where(sessions_due)
        .execution_options(synchronize_session=False)).rowcount
    report.login_throttles = db.session.execute(
        delete(throttles).where(throttles_due)
        .execution_options(synchronize_session=False)).rowcount
    record("personal.purge", None, staff=None, actor="purge", after=report.as_dict())
    return report
