"""The places with a suggestion QR code (a poster each) and the one the tablet shows."""


from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...audit.services import record
from ...communities.models import Community
from ...extensions import db
from ...privacy import clean_name
from ...tokens import url_token
from ...validation import Invalid, clean_text
from ..models import SuggestionLocation
from .vocabulary import LOCATION_NAME_MAX, by_whom


def _location_name(raw) -> tuple[str, dict]:
    name = clean_name(clean_text(raw))
    if not name:
        return name, {"name": _l("Please give the place a name people know, e.g. 小区广场凉亭.")}
    if len(name) > LOCATION_NAME_MAX:
        return name[:LOCATION_NAME_MAX], {"name": _l("Use at most 60 ordinary characters.")}
    return name, {}


def create_location(community: Community, name: str, staff=None) -> SuggestionLocation:
    name, errors = _location_name(name)
    if errors:
        raise Invalid(errors)
    location = SuggestionLocation(community_id=community.id, name=name,
                                  token=url_token(16))
    db.session.add(location)
    db.session.flush()
    record("suggestions.create_location", location, after={"name": name}, **by_whom(staff))
    return location


def update_location(location: SuggestionLocation, name: str, active: bool,
                    staff=None) -> SuggestionLocation:
    name, errors = _location_name(name)
    if errors:
        raise Invalid(errors)
    before = {"name": location.name, "active": location.active}
    location.name, location.active = name, active
    record("suggestions.update_location", location, before=before,
           after={"name": name, "active": active}, **by_whom(staff))
    return location


def locations_of(community_ids: list[int]) -> list[SuggestionLocation]:
    return list(db.session.scalars(
        select(SuggestionLocation).where(SuggestionLocation.community_id.in_(community_ids))
        .order_by(SuggestionLocation.community_id, SuggestionLocation.active.desc(),
                  SuggestionLocation.id)))


def location_by_token(token: str, active_only: bool = True) -> SuggestionLocation | None:
    if not token or len(token) > 64:
        return None
    query = select(SuggestionLocation).where(SuggestionLocation.token == token)
    if active_only:
        query = query.where(SuggestionLocation.active.is_(True))
    return db.session.scalar(query)


def kiosk_location(community: Community | None) -> SuggestionLocation | None:
    """The QR the tablet shows: its community's first active location."""
    if community is None:
        return None
    return db.session.scalar(
        select(SuggestionLocation).where(SuggestionLocation.community_id == community.id,
                                         SuggestionLocation.active.is_(True))
        .order_by(SuggestionLocation.id).limit(1))

