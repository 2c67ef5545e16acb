"""Station tablets for tests: enroll one through the service and give a client its cookie."""

import secrets

import pytest
from itsdangerous import URLSafeSerializer

from muling_kiosk.extensions import db
from muling_kiosk.stations import services
from muling_kiosk.stations.current import _SALT, COOKIE
from muling_kiosk.stations.models import Station
from muling_kiosk.tokens import digest


def station_cookie(app, token: str, secret_key: str | None = None) -> str:
    """The cookie value the enrolled device keeps (what remember_station sets); secret_key:
    that of another server process, when not the app's."""
    return URLSafeSerializer(secret_key or app.secret_key, salt=_SALT).dumps(token)


def enroll_quietly(app, community, name="测试平板") -> str:
    """A station of that community as if enrolled long ago (no audit event): the cookie value.
    The test client's own tablet (conftest.KioskClient)."""
    token = secrets.token_urlsafe(32)
    db.session.add(Station(name=name, community_id=community.id, token_hash=digest(token),
                           ballot_state=""))
    db.session.flush()
    # Made before the test, in effect: it changes no public page, so kept pages stay kept.
    db.session.info.pop("page_cache_wrote", None)
    db.session.commit()
    return station_cookie(app, token)


def enroll_station(app, community, name="驿站平板 1", actor=None, secret_key=None):
    """A new station of that community: (station, cookie value)."""
    station, token = services.enroll(name, community.id, [community.id], actor=actor)
    db.session.commit()
    return station, station_cookie(app, token, secret_key)


@pytest.fixture
def make_station(app, community):
    """make_station(client) enrolls a station of the kiosk's community and gives the client
    its cookie; returns the station."""
    def make(client=None, community=community, name="驿站平板 1"):
        station, cookie = enroll_station(app, community, name)
        if client is not None:
            client.set_cookie(COOKIE, cookie)
        return station

    return make


ROUTE_SAMPLES: dict = {
    "station_id": lambda world: enroll_station(world.fixture("app"), world.community)[0].id,
}


def station_of_client(app, client) -> Station:
    """The station a test client's cookie names."""
    client.ensure_station()
    cookie = client.get_cookie(COOKIE)
    token = URLSafeSerializer(app.secret_key, salt=_SALT).loads(cookie.value)
    return services.station_for_token(token)


@pytest.fixture
def hand_over(app):
    """hand_over(client, poll): the facilitator hands the client's tablet over for the poll
    (what 交给居民投票 does), so it takes one ballot, then one after each 下一位."""
    def arm(client, poll):
        services.arm_ballot(station_of_client(app, client), poll.id)
        db.session.commit()

    return arm
