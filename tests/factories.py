"""Factory fixtures: make_<thing>(**overrides) builds a valid row with sensible defaults."""

import itertools

import pytest

from muling_kiosk.communities.services import ensure_community, ensure_subdistrict
from muling_kiosk.extensions import db
from muling_kiosk.staff.auth import SESSION_KEY
from muling_kiosk.staff.services import create_staff, start_session

_numbers = itertools.count(1)


@pytest.fixture
def make_community(app):
    def make(slug=None, name=None, subdistrict_slug="tuanjie-xilu", **overrides):
        subdistrict = ensure_subdistrict(subdistrict_slug, "团结西路街道", "Tuanjie West Road")
        n = next(_numbers)
        community = ensure_community(subdistrict, slug or f"community-{n}", name or f"测试{n}社区")
        for key, value in overrides.items():
            setattr(community, key, value)
        db.session.commit()
        return community

    return make


@pytest.fixture
def community(make_community):
    """The community the test kiosk serves (config COMMUNITY = shengli)."""
    return make_community("shengli", "胜利社区", name_en="Shengli Community")


@pytest.fixture
def make_staff(app, community):
    """make_staff("facilitator", pin="135790") → an active account of the kiosk's community
    (pass community=None with role="admin" for a subdistrict admin)."""
    def make(role="facilitator", community=community, username=None, password="correct horse",
             pin=None, display_name=None):
        n = next(_numbers)
        staff = create_staff(
            username=username or f"{role}{n}", display_name=display_name or f"{role} {n}",
            role=role, subdistrict_id=(community.subdistrict_id if community
                                       else _subdistrict_id()),
            community_id=community.id if community else None, password=password, pin=pin)
        db.session.commit()
        return staff

    return make


def _subdistrict_id():
    return ensure_subdistrict("tuanjie-xilu", "团结西路街道").id


@pytest.fixture
def sign_in():
    """Sign a test client in as this staff member (console, or via="tablet")."""
    def sign(client, staff, via="console"):
        token = start_session(staff, via, "127.0.0.1")
        db.session.commit()
        with client.session_transaction() as session:
            session[SESSION_KEY] = token
        return client

    return sign
