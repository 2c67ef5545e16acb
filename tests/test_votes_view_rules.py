"""Rules that were computed inside the votes views and now live in the services and in live.py
(issue 12): the option a link or form names, who promised, the next meeting the board
announces, and the TV's event stream."""

import time
from datetime import timedelta

from sqlalchemy import update

from muling_kiosk.database import utcnow
from muling_kiosk.extensions import db
from muling_kiosk.votes import live, services
from muling_kiosk.votes.models import Meeting


def test_an_option_is_found_by_the_id_a_link_or_form_sends(make_poll):
    poll, other = make_poll(), make_poll()
    first = poll.options[0]
    assert services.find_option(poll, str(first.id)) is first
    assert services.find_option(poll, first.id) is first
    for wrong in (None, "", "abc", "0", "-1", str(other.options[0].id), "9" * 30):
        assert services.find_option(poll, wrong) is None


def test_who_promised_is_a_usual_promiser_or_what_was_typed():
    assert services.commitment_who("物业公司", "") == "物业公司"
    assert services.commitment_who(services.WHO_OTHER, "3号楼王阿姨") == "3号楼王阿姨"
    # A choice the form never offered counts as "other": what was typed, maybe nothing.
    assert services.commitment_who("居委会主任", "") == ""


def test_the_board_announces_the_soonest_meeting_still_to_come(make_meeting, community):
    assert services.next_meeting(community.id) is None
    make_meeting(title="三天后", starts_at=utcnow() + timedelta(days=3))
    tomorrow = make_meeting(title="明天", starts_at=utcnow() + timedelta(days=1))
    make_meeting(title="上周", starts_at=utcnow() - timedelta(days=7))
    assert services.next_meeting(community.id) == tomorrow


def test_the_tv_stream_sends_the_display_then_the_next_one_after_a_change(app, make_poll):
    meeting = make_poll().item.meeting
    token, version = meeting.display_token, meeting.version
    renders = []

    def render():
        renders.append(1)
        return f"<div>display {len(renders)}</div>"

    events = live.display_events(app, token, version, "zh_Hans", render)
    try:
        assert next(events) == "retry: 2000\nevent: display\ndata: <div>display 1</div>\n\n"
        db.session.execute(update(Meeting).where(Meeting.id == meeting.id)
                           .values(version=Meeting.version + 1))
        db.session.commit()
        changed = time.monotonic()
        assert next(events) == "event: display\ndata: <div>display 2</div>\n\n"
        assert time.monotonic() - changed < 2
    finally:
        live.stop(app)
    # Once the app stops, the stream ends instead of waiting.
    assert next(events, None) is None
