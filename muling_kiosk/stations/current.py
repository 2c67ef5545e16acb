"""Which station tablet this request comes from, and what only a community's tablet may do.

The device keeps its station's random token in one long-lived signed cookie (no personal
data); the record is looked up once per request, so a revoked tablet loses its powers at once.
MULING_DEMO=1 (scripts/serve.sh) treats every browser as the default community's tablet.
"""

from flask import abort, current_app, g, make_response, render_template
from sqlalchemy import select

from ..cookies import read_signed, set_signed
from ..extensions import db
from .models import Station
from .services import station_for_token

COOKIE = "muling_station"
MAX_AGE = 5 * 365 * 24 * 3600
_SALT = "muling.station"
# Not a sha256: no cookie ever maps to the demo station.
DEMO_TOKEN_HASH = "demo"  # noqa: S105


def _token() -> str | None:
    return read_signed(COOKIE, _SALT)[0]


def demo_mode() -> bool:
    return bool(current_app.config.get("DEMO"))


def current_station() -> Station | None:
    """The enrolled, not revoked station of this device (in demo mode, the demo station when
    this device is not enrolled), looked up once per request."""
    if "current_station" not in g:
        station = station_for_token(_token())
        if station is None and demo_mode():
            station = demo_station()
        g.current_station = station
    return g.current_station


def enrolled_station() -> Station | None:
    """This device's own enrollment, never the demo station."""
    station = current_station()
    return None if station is None or station.token_hash == DEMO_TOKEN_HASH else station


def demo_station() -> Station | None:
    return db.session.scalar(select(Station).where(Station.token_hash == DEMO_TOKEN_HASH))


def ensure_demo_station(community) -> Station:
    """The station every browser shares in demo mode (made by a write, never on a GET)."""
    station = demo_station()
    if station is None:
        station = Station(name="演示平板", community_id=community.id,
                          token_hash=DEMO_TOKEN_HASH)
        db.session.add(station)
        db.session.flush()
    g.current_station = station
    return station


def is_station_tablet(community) -> bool:
    """Whether this device is that community's tablet (in demo mode every browser is the
    default community's)."""
    if community is None:
        return False
    station = current_station()
    if station is not None and station.community_id == community.id:
        return True
    return demo_mode() and community.slug == current_app.config["COMMUNITY"]


def require_station_tablet(community) -> None:
    """Refuse kindly (403, big text, a way back) unless this device is the community's tablet."""
    if not is_station_tablet(community):
        abort(not_tablet_response())


def not_tablet_response():
    response = make_response(render_template("stations/not_tablet.html"), 403)
    response.headers["Cache-Control"] = "no-store"
    return response


def remember_station(response, token: str):
    return set_signed(response, COOKIE, _SALT, token, MAX_AGE)


def init_app(app) -> None:
    @app.context_processor
    def station_context():
        return {"demo_mode": demo_mode}
