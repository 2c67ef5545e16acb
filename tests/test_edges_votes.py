"""Issue 16's rough edges in 板凳议事会: each test fails without its fix."""

from muling_kiosk.extensions import db
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
