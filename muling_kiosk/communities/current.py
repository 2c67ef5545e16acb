"""Which community a kiosk request serves, and the records of it a kiosk page may show."""

from flask import abort, current_app, g

from ..extensions import db
from .models import Community
from .services import community_by_slug


def kiosk_community() -> Community | None:
    """The community this kiosk serves (MULING_COMMUNITY), looked up once per request."""
    if "kiosk_community" not in g:
        g.kiosk_community = community_by_slug(current_app.config["COMMUNITY"])
    return g.kiosk_community


def kiosk_community_or_404() -> Community:
    community = kiosk_community()
    if community is None:
        abort(404)
    return community


def kiosk_record_or_404(model, record_id: int, community_of=lambda record: record.community_id):
    """The row with this id if it belongs to the kiosk's community: a missing row and another
    community's are the same 404."""
    record = db.get_or_404(model, record_id)
    if community_of(record) != kiosk_community_or_404().id:
        abort(404)
    return record
