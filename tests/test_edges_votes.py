"""Issue 16's rough edges in 板凳议事会: each test fails without its fix."""

from datetime import date, datetime

import pytest

from muling_kiosk.extensions import db
from muling_kiosk.validation import Invalid
from muling_kiosk.votes import services
from muling_kiosk.votes.models import YES_OVER_NO

from .factories_votes import option_id


def text(response) -> str:
    return response.get_data(as_text=True)


def test_a_custom_option_vote_names_its_rule_as_the_most_ballots(make_poll):
    custom = make_poll(options=["方案一", "方案二"], rule=YES_OVER_NO)
    yes_no = make_poll(question="是否同意？")
    assert services.rule_label(custom) == "得票最多的选项"
    assert services.rule_label(yes_no) == "赞成多于反对"


def test_the_result_tv_minutes_and_csv_of_a_custom_vote_say_most_ballots(
        client, make_staff, sign_in, make_poll):
    poll = make_poll(question="选哪个停车方案？", options=["方案一", "方案二"], rule=YES_OVER_NO)
    services.set_hand_total(poll.id, option_id(poll, "方案一"), 9)
    services.set_hand_total(poll.id, option_id(poll, "方案二"), 4)
    services.close_poll(poll.id)
    db.session.commit()
    meeting = poll.item.meeting
    result = text(client.get(f"/vote/poll/{poll.id}"))
    tv = text(client.get(f"/vote/tv/{meeting.display_token}"))
    sign_in(client, make_staff("admin"))
    minutes = text(client.get(f"/staff/votes/{meeting.id}/minutes"))
    csv = client.get(f"/staff/votes/{meeting.id}/minutes.csv").data.decode("utf-8-sig")
    for shown in (result, tv, minutes, csv):
        assert "得票最多的选项" in shown and "赞成多于反对" not in shown
    assert "通过：方案一" in result


# ---------- promise dates ----------

# The dates below are days around this one (a Tuesday); each test sets the clock to it.
TODAY = datetime.fromisoformat("2026-11-24T09:30+08:00")


def test_a_promise_cannot_be_due_before_its_meeting_nor_done_in_the_future(make_meeting, clock):
    clock.move_to(TODAY)
    meeting = make_meeting(starts_at=datetime.fromisoformat("2026-11-20T19:00+08:00"))
    item = meeting.items[0]
    with pytest.raises(Invalid) as caught:
        services.add_commitment(item, who="物业公司", what="划出车位", due_on="2026-11-19")
    assert str(caught.value.errors["due_on"]) == "完成期限不能早于议事会（2026年11月20日）。"
    promise = services.add_commitment(item, who="物业公司", what="划出车位",
                                      due_on="2026-11-20")  # the meeting's own day is fine
    db.session.commit()
    with pytest.raises(Invalid) as caught:
        services.set_commitment_done(promise, "2026-11-25")  # today is 24 November
    assert str(caught.value.errors["done_on"]) == "完成日期不能是以后的日子。"
    with pytest.raises(Invalid):
        services.set_commitment_done(promise, date(2026, 11, 25))
    assert promise.done_on is None
    services.set_commitment_done(promise, "2026-11-24")
    assert promise.done_on == date(2026, 11, 24)


def test_the_console_and_the_tablet_say_why_a_promise_date_is_refused(
        client, make_staff, sign_in, make_meeting, clock):
    clock.move_to(TODAY)
    meeting = make_meeting(starts_at=datetime.fromisoformat("2026-11-20T19:00+08:00"))
    item = meeting.items[0]
    sign_in(client, make_staff("facilitator"))
    early = client.post_form(f"/staff/votes/items/{item.id}/commitments",
                             {"who": "物业公司", "what": "划出车位", "due_on": "2026-11-01"})
    assert "完成期限不能早于议事会（2026年11月20日）。" in text(client.get(early.location))
    assert item.commitments == []
    promise = services.add_commitment(item, who="物业公司", what="划出车位", due_on="")
    db.session.commit()
    future = client.post_form(f"/staff/votes/commitments/{promise.id}/done",
                              {"done_on": "2026-12-31"})
    listing = text(client.get(future.location))
    assert "完成日期不能是以后的日子。" in listing and 'max="2026-11-24"' in listing
    db.session.expire_all()
    assert promise.done_on is None
    tablet = client.application.test_client()
    sign_in(tablet, make_staff("facilitator"), via="tablet")
    refused = tablet.post_form(f"/vote/run/items/{item.id}/commitments",
                               {"who": "物业公司", "what": "修路灯", "due_on": "2026-11-02"})
    assert refused.status_code == 422 and "完成期限不能早于议事会" in text(refused)
