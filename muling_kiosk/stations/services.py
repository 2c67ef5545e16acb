"""Station rules: enrolling a device as a community's tablet, revoking it, finding it from its
token, and the pass-the-tablet hand-over (armed → recorded → armed again by "下一位").

Nothing here reads the request; every change is audited in its transaction; the caller commits.
"""

import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..audit.services import record, snapshot
from ..database import utcnow
from ..extensions import db
from ..tokens import digest
from ..validation import Invalid
from .models import ARMED, RECORDED, Station

AUDITED_FIELDS = ("name", "community_id", "enrolled_at", "revoked_at")
NAME_MAX = 40


def enroll(name: str, community_id: int | None, allowed_community_ids, actor=None,
           replacing: Station | None = None) -> tuple[Station, str]:
    """A new station of that community; returns it and the token the device keeps. The
    station this device was before (replacing) is revoked in the same step."""
    name = " ".join((name or "").split())
    errors = {}
    if not name:
        errors["name"] = _l("请给这台平板起个名字，例如“驿站平板 1”。")
    elif len(name) > NAME_MAX:
        errors["name"] = _l("名字最多 40 个字。")
    if community_id not in list(allowed_community_ids):
        errors["community_id"] = _l("请选择您管理的社区。")
    if errors:
        raise Invalid(errors)
    if replacing is not None and replacing.is_active:
        revoke(replacing, actor)
    token = secrets.token_urlsafe(32)
    station = Station(name=name, community_id=community_id, token_hash=digest(token),
                      enrolled_at=utcnow(), enrolled_by_id=actor.id if actor else None)
    db.session.add(station)
    db.session.flush()
    record("station.enroll", station, after=snapshot(station, AUDITED_FIELDS), **_by(actor))
    return station, token


def revoke(station: Station, actor=None) -> None:
    if not station.is_active:
        return
    before = snapshot(station, AUDITED_FIELDS)
    station.revoked_at = utcnow()
    station.revoked_by_id = actor.id if actor else None
    station.ballot_poll_id, station.ballot_state = None, ""
    record("station.revoke", station, before=before, after=snapshot(station, AUDITED_FIELDS),
           **_by(actor))


def station_for_token(token: str | None) -> Station | None:
    """The active station this token belongs to, or None (unknown or revoked)."""
    if not token:
        return None
    station = db.session.scalar(select(Station).where(Station.token_hash == digest(token)))
    return station if station is not None and station.is_active else None


def stations_of(community_ids) -> list[Station]:
    """The stations of these communities, the active ones first, newest first."""
    query = select(Station).where(Station.community_id.in_(list(community_ids)))
    return list(db.session.scalars(
        query.order_by(Station.revoked_at.is_not(None), Station.enrolled_at.desc())))


def _by(actor) -> dict:
    return {} if actor is None else {"staff": actor}


# ---------- pass the tablet ----------


def _locked(station: Station) -> Station:
    return db.session.get(Station, station.id, with_for_update=True, populate_existing=True)


def arm_ballot(station: Station, poll_id: int) -> None:
    """The facilitator handed this tablet over for this poll: one ballot may be cast."""
    station = _locked(station)
    station.ballot_poll_id, station.ballot_state = poll_id, ARMED


def may_take_ballot(station: Station | None, poll_id: int) -> bool:
    return (station is not None and station.ballot_poll_id == poll_id
            and station.ballot_state == ARMED)


def waiting_for_next(station: Station | None, poll_id: int) -> bool:
    return (station is not None and station.ballot_poll_id == poll_id
            and station.ballot_state == RECORDED)


def handed_over_for(station: Station | None, poll_id: int) -> bool:
    """Whether the facilitator handed this tablet over for this poll (armed or waiting)."""
    return station is not None and station.ballot_poll_id == poll_id and bool(
        station.ballot_state)


def take_ballot(station: Station | None, poll_id: int) -> bool:
    """Spend the armed ballot (in the ballot's transaction); False when it is not armed."""
    if station is None:
        return False
    station = _locked(station)
    if not may_take_ballot(station, poll_id):
        return False
    station.ballot_state = RECORDED
    return True


def next_voter(station: Station | None, poll_id: int) -> bool:
    """"下一位": a recorded ballot arms the tablet for the next one; False otherwise."""
    if station is None:
        return False
    station = _locked(station)
    if station.ballot_poll_id != poll_id or station.ballot_state not in (ARMED, RECORDED):
        return False
    station.ballot_state = ARMED
    return True


def end_hand_over(station: Station | None) -> None:
    if station is not None and station.ballot_state:
        station = _locked(station)
        station.ballot_poll_id, station.ballot_state = None, ""
