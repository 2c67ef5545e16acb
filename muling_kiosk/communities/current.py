"""Which community a kiosk request serves, and the records of it a kiosk page may show.

One server serves every community of a subdistrict, so the community is decided per request:
  1. an enrolled (not revoked) station tablet → its station's community;
  2. demo mode (MULING_DEMO=1) → MULING_COMMUNITY, the demo's default;
  3. any other device → the community it chose (CHOICE_COOKIE: the slug, nothing personal);
  4. else the only community, when there is exactly one;
  5. else MULING_COMMUNITY, if set and it exists;
  6. else none: kiosk pages send the device to the chooser (chooser.py).
Choosing a community gives a device no tablet powers: those ask the station record
(stations.current.is_station_tablet), never this.
"""

import re

from flask import abort, current_app, g, has_request_context, request, url_for
from sqlalchemy import select

from .. import pagecache
from ..cookies import read_signed, set_signed
from ..extensions import db
from ..responses import go_to
from ..stations.current import COOKIE as STATION_COOKIE
from ..stations.current import demo_mode, enrolled_station
from .models import Community
from .services import community_by_slug

CHOICE_COOKIE = "muling_community"
CHOICE_MAX_AGE = 5 * 365 * 24 * 3600
_CHOICE_SALT = "muling.community"
_SLUG = re.compile(r"[a-z0-9-]{1,40}")


def kiosk_community() -> Community | None:
    """The community this request's kiosk pages serve (see the module), looked up once."""
    if "kiosk_community" not in g:
        g.kiosk_community, g.kiosk_community_from = _decide()
    return g.kiosk_community


def community_is_changeable() -> bool:
    """Whether the device may choose another community: it shows one it chose or the server's
    default, not its station's, the demo's or the only one."""
    kiosk_community()
    return g.kiosk_community_from in ("chosen", "default")


def _decide() -> tuple[Community | None, str]:
    default = current_app.config.get("COMMUNITY")
    if not has_request_context():  # a script (bench/prepare.py): the configured one
        return (community_by_slug(default) if default else None), "default"
    station = enrolled_station()
    if station is not None:
        return station.community, "station"
    if demo_mode():
        return (community_by_slug(default) if default else None), "demo"
    chosen = read_signed(CHOICE_COOKIE, _CHOICE_SALT, _SLUG.fullmatch)[0]
    if chosen and (community := community_by_slug(chosen)) is not None \
            and not community.is_retired:  # a retired community is chosen again
        return community, "chosen"
    if (only := _the_only_community()) is not None:
        return only, "only"
    if default and (community := community_by_slug(default)) is not None:
        return community, "default"
    return None, "none"


def _the_only_community() -> Community | None:
    first_two = db.session.scalars(
        select(Community).where(Community.retired_at.is_(None)).limit(2)).all()
    return first_two[0] if len(first_two) == 1 else None


def choices() -> list[Community]:
    """What the chooser offers: every community the server serves (not retired), by
    subdistrict."""
    return list(db.session.scalars(
        select(Community).where(Community.retired_at.is_(None))
        .order_by(Community.subdistrict_id, Community.id)))


def remember_choice(response, community: Community):
    return set_signed(response, CHOICE_COOKIE, _CHOICE_SALT, community.slug, CHOICE_MAX_AGE)


def kiosk_community_or_choose() -> Community:
    """The kiosk's community; when none can be decided, the device is sent to choose one
    (and comes back here afterwards)."""
    community = kiosk_community()
    if community is None:
        back = request.full_path.rstrip("?") if request.method == "GET" else "/"
        abort(go_to(url_for("community_choice.choose", next=back)))
    return community


def kiosk_record_or_404(model, record_id: int, community_of=lambda record: record.community_id):
    """The row with this id if it belongs to the kiosk's community: a missing row and another
    community's are the same 404."""
    record = db.get_or_404(model, record_id)
    if community_of(record) != kiosk_community_or_choose().id:
        abort(404)
    return record


def init_app(app) -> None:
    # A kept public page (pagecache) shows one community: it goes only to devices that send
    # the same station and choice cookies.
    pagecache.vary_on_cookie(app, STATION_COOKIE)
    pagecache.vary_on_cookie(app, CHOICE_COOKIE)
