"""Factory fixtures: make_<thing>(**overrides) builds a valid row with sensible defaults."""

import itertools

import pytest

from muling_kiosk.communities.services import ensure_community, ensure_subdistrict
from muling_kiosk.extensions import db

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
