"""Factory fixtures of the votes feature, and its samples for the route × role walk."""

import re
from datetime import timedelta

import pytest

from muling_kiosk.database import utcnow
from muling_kiosk.extensions import db
from muling_kiosk.votes import services
from muling_kiosk.votes.models import CHANNELS, QUORUM_NONE, YES_OVER_NO


@pytest.fixture
def make_meeting(app, community):
    """make_meeting(items=("议题一", …)) → a meeting of the kiosk's community in an hour."""
    def make(community=community, title="楼院环境议事会", place="文化广场", starts_at=None,
             items=("电动车充电桩选址",), present=None):
        meeting = services.create_meeting(
            community_id=community.id, title=title, place=place,
            starts_at=starts_at or utcnow() + timedelta(hours=1))
        for item in items:
            services.add_agenda_item(meeting, item, f"关于{item}的说明")
        if present is not None:
            services.record_present_count(meeting, present)
        db.session.commit()
        return meeting

    return make


@pytest.fixture
def make_poll(app, make_meeting):
    """make_poll(options=["方案一", …], rule=…, quorum=("ballots", 10), channels=(…)) → an
    open poll on the first item of a new meeting (or on item=…)."""
    def make(item=None, question="是否同意？", options=None, rule=YES_OVER_NO,
             quorum=(QUORUM_NONE, ""), channels=CHANNELS, **meeting_args):
        if item is None:
            item = make_meeting(**meeting_args).items[0]
        poll = services.open_poll(item, services.PollSpec(
            question=question, custom=options is not None, options=list(options or []),
            rule=rule, quorum_kind=quorum[0], quorum_value=str(quorum[1]),
            channels=tuple(channels)))
        db.session.commit()
        return poll

    return make


@pytest.fixture
def make_commitment(app, make_meeting):
    def make(item=None, who="物业公司", what="两周内划出停车位", due_on="", **meeting_args):
        if item is None:
            item = make_meeting(**meeting_args).items[0]
        commitment = services.add_commitment(item, who=who, what=what, due_on=due_on)
        db.session.commit()
        return commitment

    return make


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def option_id(poll, label: str) -> int:
    return next(o.id for o in poll.options if o.label == label)


# URL variable → function(world) returning a value for a record of world.community
# (see tests/test_access.py).
ROUTE_SAMPLES: dict = {
    "meeting_id": lambda world: world.fixture("make_meeting")(community=world.community).id,
    "agenda_item_id": lambda world: world.fixture("make_meeting")(
        community=world.community).items[0].id,
    "poll_id": lambda world: world.fixture("make_poll")(community=world.community).id,
    "commitment_id": lambda world: world.fixture("make_commitment")(
        community=world.community).id,
    "tv_token": lambda world: world.fixture("make_meeting")(
        community=world.community).display_token,
    "ballot_token": lambda world: world.fixture("make_poll")(
        community=world.community).phone_token,
}
