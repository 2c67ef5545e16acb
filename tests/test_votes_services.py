"""板凳议事会 rules, through the services: deciding, counting, closing for good, and the
data layer that refuses to change a closed poll."""

from datetime import date, datetime

import pytest
from flask_babel import force_locale
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from muling_kiosk.audit.models import AuditEvent
from muling_kiosk.extensions import db
from muling_kiosk.validation import Invalid
from muling_kiosk.votes import services
from muling_kiosk.votes.models import (
    CLOSED,
    FAILED,
    HAND,
    MAJORITY,
    NO_QUORUM,
    PASS,
    PASSED,
    PHONE,
    QUORUM_BALLOTS,
    QUORUM_PRESENT,
    TWO_THIRDS,
    YES_OVER_NO,
    AgendaItem,
    Ballot,
    ClosedPollError,
    HandCount,
    Poll,
    PollOption,
    PresentCount,
)
from muling_kiosk.votes.signals import poll_closed

from .factories_votes import option_id


def counts(*totals, kinds=("yes", "no", "abstain")):
    return [services.OptionCount(i + 1, f"o{i}", kind, hand=total)
            for i, (kind, total) in enumerate(zip(kinds, totals, strict=True))]


def choices(*totals):
    return counts(*totals, kinds=("choice",) * len(totals))


# ---------- the decision: every rule, quorum, ties and zero ballots ----------


@pytest.mark.parametrize(("rule", "yes_no_abstain", "result"), [
    (YES_OVER_NO, (5, 3, 10), PASSED),   # abstentions do not count
    (YES_OVER_NO, (1, 0, 0), PASSED),
    (YES_OVER_NO, (3, 3, 1), FAILED),    # a tie is not "more yes than no"
    (YES_OVER_NO, (2, 3, 0), FAILED),
    (YES_OVER_NO, (0, 0, 0), FAILED),    # no ballots never pass
    (YES_OVER_NO, (0, 0, 4), FAILED),    # only abstentions
    (MAJORITY, (6, 2, 3), PASSED),       # 6 of 11 is more than half
    (MAJORITY, (5, 2, 3), FAILED),       # 5 of 10 is exactly half: not more
    (MAJORITY, (5, 5, 0), FAILED),
    (MAJORITY, (0, 0, 0), FAILED),
    (TWO_THIRDS, (6, 2, 1), PASSED),     # 6 of 9 is exactly two thirds: enough
    (TWO_THIRDS, (5, 2, 2), FAILED),
    (TWO_THIRDS, (20, 0, 11), FAILED),   # abstentions count among all ballots
    (TWO_THIRDS, (0, 0, 0), FAILED),
])
def test_yes_no_rules(rule, yes_no_abstain, result):
    options = counts(*yes_no_abstain)
    decision = services.decide(rule, options)
    assert decision.result == result
    assert decision.quorum_reached
    assert decision.winner_id == (options[0].id if result == PASSED else None)


@pytest.mark.parametrize(("rule", "totals", "result", "winner"), [
    (YES_OVER_NO, (5, 4, 1), PASSED, 0),   # the most ballots wins
    (YES_OVER_NO, (4, 4, 1), FAILED, None),  # a tie for the lead never passes
    (YES_OVER_NO, (0, 0, 0), FAILED, None),
    (MAJORITY, (5, 4, 1), FAILED, None),   # 5 of 10 is not more than half
    (MAJORITY, (6, 3, 1), PASSED, 0),
    (MAJORITY, (1, 6, 3), PASSED, 1),
    (TWO_THIRDS, (7, 2, 1), PASSED, 0),
    (TWO_THIRDS, (6, 3, 1), FAILED, None),
    (TWO_THIRDS, (3, 3, 0), FAILED, None),
])
def test_custom_option_rules(rule, totals, result, winner):
    options = choices(*totals)
    decision = services.decide(rule, options)
    assert decision.result == result
    assert decision.winner_id == (options[winner].id if winner is not None else None)


def test_a_tie_is_marked_as_a_tie():
    assert services.decide(YES_OVER_NO, choices(4, 4, 1)).tie
    assert services.decide(YES_OVER_NO, counts(3, 3, 0)).tie
    assert not services.decide(YES_OVER_NO, counts(3, 2, 0)).tie


@pytest.mark.parametrize(("kind", "value", "present", "yes_no", "result"), [
    (QUORUM_BALLOTS, 10, None, (6, 3), NO_QUORUM),   # 9 ballots, 10 needed
    (QUORUM_BALLOTS, 10, None, (7, 3), PASSED),      # exactly the minimum
    (QUORUM_BALLOTS, 10, None, (3, 7), FAILED),
    (QUORUM_BALLOTS, 1, None, (0, 0), NO_QUORUM),    # zero ballots
    (QUORUM_PRESENT, 20, None, (9, 1), NO_QUORUM),   # nobody counted the people present
    (QUORUM_PRESENT, 20, 19, (9, 1), NO_QUORUM),
    (QUORUM_PRESENT, 20, 20, (9, 1), PASSED),
    (QUORUM_PRESENT, 20, 25, (0, 0), FAILED),        # enough people, no ballots
])
def test_quorum(kind, value, present, yes_no, result):
    decision = services.decide(YES_OVER_NO, counts(*yes_no, 0), kind, value, present)
    assert decision.result == result
    assert decision.quorum_reached == (result != NO_QUORUM)


# ---------- opening ----------


def test_only_one_open_poll_per_item(make_poll):
    poll = make_poll()
    with pytest.raises(services.Refused, match="正在投票"):
        services.open_poll(poll.item, services.PollSpec(question="再投一次？"))
    db.session.rollback()
    services.close_poll(poll.id)
    db.session.commit()
    again = services.open_poll(poll.item, services.PollSpec(question="再投一次？"))
    db.session.commit()
    assert again.id != poll.id and again.is_open


def test_the_database_refuses_a_second_open_poll_on_an_item(make_poll):
    """The partial unique index is the last guard, below the service."""
    poll = make_poll()
    db.session.add(Poll(item=poll.item, question="绕过服务"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_opening_twice_with_the_same_request_key_gives_one_poll(make_meeting):
    item = make_meeting().items[0]
    spec = services.PollSpec(question="是否同意？")
    first = services.open_poll(item, spec, request_key="open-key-0123456789")
    db.session.commit()
    second = services.open_poll(item, spec, request_key="open-key-0123456789")
    assert second.id == first.id
    assert db.session.scalar(select(func.count(Poll.id))) == 1


def test_the_defaults_and_custom_options(make_poll):
    poll = make_poll()
    assert [(o.kind, o.label) for o in poll.options] == [("yes", "赞成"), ("no", "反对"),
                                                         ("abstain", "弃权")]
    assert poll.channels == (HAND, PASS, PHONE)
    plans = make_poll(options=["方案一", " 方案二 ", "", "方案三"], rule=MAJORITY)
    assert [o.label for o in plans.options] == ["方案一", "方案二", "方案三"]
    assert {o.kind for o in plans.options} == {"choice"}


@pytest.mark.parametrize(("title", "question"), [
    ("电动车充电桩选址", "是否同意：电动车充电桩选址？"),
    ("是否同意在3号楼前加装休息长椅？", "是否同意在3号楼前加装休息长椅？"),  # asks already
    ("要不要在楼道装声控灯?", "要不要在楼道装声控灯?"),
    ("是否加装休息长椅", "是否加装休息长椅"),
    ("  楼道堆物清理 ", "是否同意：楼道堆物清理？"),
])
def test_the_default_question_asks_once(app, title, question):
    """An item whose title already asks is not asked again ("是否同意：是否同意…？？")."""
    with force_locale("zh_Hans"):
        assert services.default_question(title) == question


def test_the_usual_promisers_read_in_the_readers_language(app):
    with force_locale("en"):
        assert [services.who_label(w) for w in services.COMMITMENT_WHO] == [
            "Building leader", "Stairwell leader", "Property management company",
            "Community office"]
        assert services.who_label("老年协会") == "老年协会"  # anyone else: as written
    with force_locale("zh_Hans"):
        assert [services.who_label(w) for w in services.COMMITMENT_WHO] == list(
            services.COMMITMENT_WHO)


@pytest.mark.parametrize(("changes", "field"), [
    ({"question": ""}, "question"),
    ({"question": "问" * 201}, "question"),
    ({"custom": True, "options": ["只有一个"]}, "options"),
    ({"custom": True, "options": [f"方案{i}" for i in range(7)]}, "options"),
    ({"custom": True, "options": ["一样", "一样"]}, "options"),
    ({"custom": True, "options": ["长" * 41, "短"]}, "options"),
    ({"rule": "loudest"}, "rule"),
    ({"quorum_kind": "ballots", "quorum_value": ""}, "quorum_value"),
    ({"quorum_kind": "ballots", "quorum_value": "0"}, "quorum_value"),
    ({"quorum_kind": "present", "quorum_value": "-5"}, "quorum_value"),
    ({"quorum_kind": "present", "quorum_value": "999999999"}, "quorum_value"),
    ({"quorum_kind": "everyone"}, "quorum_kind"),
    ({"channels": ()}, "channels"),
])
def test_a_bad_poll_is_refused_with_a_message_and_nothing_opens(make_meeting, changes, field):
    item = make_meeting().items[0]
    spec = services.PollSpec(**{"question": "是否同意？", **changes})
    with pytest.raises(Invalid) as refused:
        services.open_poll(item, spec)
    assert field in refused.value.errors
    db.session.rollback()
    assert db.session.scalar(select(func.count(Poll.id))) == 0


# ---------- ballots ----------


def test_a_ballot_counts_once_per_request_key(make_poll):
    poll = make_poll()
    yes = option_id(poll, "赞成")
    first, created = services.cast_ballot(poll.id, yes, PASS, request_key="key-aaaaaaaaaaaaaaaa")
    db.session.commit()
    again, created_again = services.cast_ballot(poll.id, yes, PASS,
                                                request_key="key-aaaaaaaaaaaaaaaa")
    db.session.commit()
    assert created and not created_again and again.id == first.id
    assert services.live_tally(poll).pass_ == 1


def test_a_phone_that_voted_gets_its_ballot_back(make_poll):
    poll = make_poll()
    first, created = services.cast_ballot(poll.id, option_id(poll, "赞成"), PHONE,
                                          device_id="device-1-xxxxxxxxxxxx")
    db.session.commit()
    again, created_again = services.cast_ballot(poll.id, option_id(poll, "反对"), PHONE,
                                                device_id="device-1-xxxxxxxxxxxx")
    db.session.commit()
    assert created and not created_again
    assert again.id == first.id and again.option.label == "赞成"
    figures = services.live_tally(poll)
    assert (figures.phone, figures.total) == (1, 1)


def test_the_database_refuses_a_second_ballot_from_one_phone(make_poll):
    poll = make_poll()
    yes = option_id(poll, "赞成")
    db.session.add_all([Ballot(poll_id=poll.id, option_id=yes, channel=PHONE, device_id="d1"),
                        Ballot(poll_id=poll.id, option_id=yes, channel=PHONE, device_id="d1")])
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_bad_ballots_get_a_message_and_change_nothing(make_poll):
    poll = make_poll()
    other = make_poll()
    refusals = [
        (lambda: services.cast_ballot(poll.id, option_id(other, "赞成"), PASS), Invalid),
        (lambda: services.cast_ballot(poll.id, "not a number", PASS), Invalid),
        (lambda: services.cast_ballot(poll.id, None, PASS), Invalid),
        (lambda: services.cast_ballot(999999, 1, PASS), services.Refused),
        (lambda: services.cast_ballot(poll.id, option_id(poll, "赞成"), PHONE), services.Refused),
        (lambda: services.cast_ballot(poll.id, option_id(poll, "赞成"), HAND), services.Refused),
    ]
    for attempt, error in refusals:
        with pytest.raises(error):
            attempt()
        db.session.rollback()
    hand_only = make_poll(channels=(HAND,))
    with pytest.raises(services.Refused, match="不用这种方式"):
        services.cast_ballot(hand_only.id, option_id(hand_only, "赞成"), PASS)
    db.session.rollback()
    assert db.session.scalar(select(func.count(Ballot.id))) == 0
    assert db.session.get(Poll, poll.id).version == 0


def test_every_ballot_and_tap_moves_the_versions_the_screens_follow(make_poll):
    poll = make_poll()
    meeting = poll.item.meeting
    before = (poll.version, services.display_version(meeting.display_token))
    services.cast_ballot(poll.id, option_id(poll, "赞成"), PASS)
    services.tap_hand(poll.id, option_id(poll, "反对"))
    db.session.commit()
    db.session.refresh(poll)
    assert poll.version == before[0] + 2
    assert services.display_version(meeting.display_token) == before[1] + 2


# ---------- hand counts ----------


def test_taps_undo_and_typed_totals_are_all_kept(make_poll, make_staff):
    facilitator = make_staff("facilitator")
    poll = make_poll()
    yes, no = option_id(poll, "赞成"), option_id(poll, "反对")
    for _ in range(3):
        services.tap_hand(poll.id, yes, actor=facilitator)
    services.tap_hand(poll.id, no, actor=facilitator)
    services.undo_last_hand(poll.id, actor=facilitator)  # takes back the 反对 tap
    assert services.hand_counts(poll.id) == {yes: 3, no: 0}
    services.set_hand_total(poll.id, yes, "12", actor=facilitator)
    assert services.hand_counts(poll.id)[yes] == 12
    services.undo_last_hand(poll.id)  # back to the taps
    assert services.hand_counts(poll.id)[yes] == 3
    services.undo_last_hand(poll.id)
    services.undo_last_hand(poll.id)
    services.undo_last_hand(poll.id)
    assert services.hand_counts(poll.id) == {yes: 0, no: 0}
    db.session.commit()
    with pytest.raises(services.Refused, match="没有可以撤销"):
        services.undo_last_hand(poll.id)
    db.session.rollback()
    history = services.hand_history(poll)
    assert [h.kind for h in history] == ["tap", "tap", "tap", "tap", "undo", "total", "undo",
                                         "undo", "undo", "undo"]
    assert history[5].total == 12 and history[5].delta == 9
    assert all(h.at is not None for h in history)
    assert {h.staff_id for h in history[:6]} == {facilitator.id}


def test_a_replayed_tap_counts_once(make_poll):
    poll = make_poll()
    yes = option_id(poll, "赞成")
    first = services.tap_hand(poll.id, yes, request_key="tap-key-000000000000")
    db.session.commit()
    again = services.tap_hand(poll.id, yes, request_key="tap-key-000000000000")
    assert again.id == first.id
    assert services.hand_counts(poll.id)[yes] == 1


@pytest.mark.parametrize(("typed", "message"), [
    ("-3", "负数"), ("", "请输入数字"), ("abc", "整数"), ("3.5", "整数"),
    ("10000", "太大"), ("99999999999999999999999", "太大"), ("１２", "整数"),
])
def test_a_bad_typed_total_gets_a_message_and_changes_nothing(make_poll, typed, message):
    poll = make_poll()
    yes = option_id(poll, "赞成")
    services.tap_hand(poll.id, yes)
    db.session.commit()
    with pytest.raises(Invalid) as refused:
        services.set_hand_total(poll.id, yes, typed)
    assert message in str(refused.value.errors["total"])
    db.session.rollback()
    assert services.hand_counts(poll.id) == {yes: 1}
    assert db.session.scalar(select(func.count(HandCount.id))) == 1


def test_hands_are_refused_when_the_poll_does_not_count_hands(make_poll):
    poll = make_poll(channels=(PHONE,))
    with pytest.raises(services.Refused, match="不用举手"):
        services.tap_hand(poll.id, option_id(poll, "赞成"))
    db.session.rollback()


# ---------- closing ----------


def test_closing_counts_every_channel_and_freezes_the_figures(make_poll, make_staff):
    facilitator = make_staff("facilitator")
    poll = make_poll(options=["方案一", "方案二", "方案三"], rule=MAJORITY,
                     quorum=(QUORUM_PRESENT, 20), present=30)
    one, two = option_id(poll, "方案一"), option_id(poll, "方案二")
    services.set_hand_total(poll.id, one, 9)
    services.set_hand_total(poll.id, two, 4)
    for n in range(3):
        services.cast_ballot(poll.id, one, PHONE, device_id=f"phone-{n}-xxxxxxxxxxxx")
    services.cast_ballot(poll.id, two, PASS)
    services.cast_ballot(poll.id, one, PASS)
    closed, now = services.close_poll(poll.id, actor=facilitator)
    db.session.commit()
    assert now and closed.status == CLOSED and closed.result == PASSED
    assert closed.ballots_total == 18
    assert closed.figures["channels"] == {"hand": 13, "pass": 2, "phone": 3}
    assert closed.figures["options"][0] == {"id": one, "label": "方案一", "kind": "choice",
                                            "hand": 9, "pass": 1, "phone": 3, "total": 13}
    assert closed.figures["present"] == 30 and closed.figures["winner_id"] == one
    assert services.result_text(closed) == "通过：方案一"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "votes.close_poll"))
    assert event.staff_id == facilitator.id and event.after["result"] == PASSED


def test_a_closed_poll_refuses_everything_and_never_changes(make_poll):
    poll = make_poll()
    yes = option_id(poll, "赞成")
    services.tap_hand(poll.id, yes)
    services.cast_ballot(poll.id, yes, PHONE, device_id="phone-closed-xxxxxxxx")
    services.close_poll(poll.id)
    db.session.commit()
    frozen = (poll.result, dict(poll.figures), poll.version, poll.closed_at)
    for attempt in (
        lambda: services.cast_ballot(poll.id, yes, PASS),
        lambda: services.cast_ballot(poll.id, yes, PHONE, device_id="late-phone-xxxxxxxx"),
        lambda: services.tap_hand(poll.id, yes),
        lambda: services.set_hand_total(poll.id, yes, "20"),
        lambda: services.undo_last_hand(poll.id),
    ):
        with pytest.raises(services.PollClosed, match="投票已结束"):
            attempt()
        db.session.rollback()
    _poll, closed_now = services.close_poll(poll.id)
    assert not closed_now
    db.session.commit()
    db.session.refresh(poll)
    assert (poll.result, poll.figures, poll.version, poll.closed_at) == frozen
    assert services.live_tally(poll).total == 2


def test_a_phone_that_voted_still_sees_its_ballot_after_the_close(make_poll):
    poll = make_poll()
    ballot, _ = services.cast_ballot(poll.id, option_id(poll, "反对"), PHONE,
                                     device_id="phone-back-xxxxxxxxx")
    services.close_poll(poll.id)
    db.session.commit()
    again, created = services.cast_ballot(poll.id, option_id(poll, "赞成"), PHONE,
                                          device_id="phone-back-xxxxxxxxx")
    assert again.id == ballot.id and not created


# ---------- the data layer refuses changes to a closed poll ----------


@pytest.fixture
def closed_poll(make_poll):
    poll = make_poll()
    yes = option_id(poll, "赞成")
    services.cast_ballot(poll.id, yes, PASS)
    services.tap_hand(poll.id, yes)
    services.close_poll(poll.id)
    db.session.commit()
    return poll


def _refused(change):
    with pytest.raises(ClosedPollError):
        change()
        db.session.flush()
    db.session.rollback()


def test_the_data_layer_refuses_new_rows_on_a_closed_poll(closed_poll):
    yes = option_id(closed_poll, "赞成")
    _refused(lambda: db.session.add(Ballot(poll_id=closed_poll.id, option_id=yes,
                                           channel=PASS)))
    _refused(lambda: db.session.add(HandCount(poll_id=closed_poll.id, option_id=yes,
                                              kind="tap", delta=1)))
    _refused(lambda: db.session.add(PollOption(poll_id=closed_poll.id, position=4,
                                               label="第四个")))


def test_the_data_layer_refuses_changing_or_deleting_rows_of_a_closed_poll(closed_poll):
    ballot = db.session.scalar(select(Ballot).where(Ballot.poll_id == closed_poll.id))
    no = option_id(closed_poll, "反对")
    _refused(lambda: setattr(ballot, "option_id", no))
    ballot = db.session.scalar(select(Ballot).where(Ballot.poll_id == closed_poll.id))
    _refused(lambda: db.session.delete(ballot))
    tap = db.session.scalar(select(HandCount).where(HandCount.poll_id == closed_poll.id))
    _refused(lambda: setattr(tap, "delta", 5))
    option = db.session.get(PollOption, no)
    _refused(lambda: setattr(option, "label", "改了"))


def test_the_data_layer_refuses_changing_reopening_or_deleting_a_closed_poll(closed_poll):
    for name, value in (("status", "open"), ("result", FAILED), ("ballots_total", 99),
                        ("figures", {"total": 99}), ("question", "改问题"), ("version", 0)):
        poll = db.session.get(Poll, closed_poll.id)
        _refused(lambda poll=poll, name=name, value=value: setattr(poll, name, value))
    poll = db.session.get(Poll, closed_poll.id)
    _refused(lambda: db.session.delete(poll))
    poll = db.session.get(Poll, closed_poll.id)
    assert (poll.status, poll.result, poll.ballots_total) == (CLOSED, PASSED, 2)


def test_the_data_layer_refuses_bulk_statements_and_polls_created_closed(closed_poll):
    for statement in (update(Ballot).values(option_id=1), delete(HandCount),
                      update(Poll).values(status="open"), delete(PollOption)):
        with pytest.raises(ClosedPollError):
            db.session.execute(statement)
        db.session.rollback()
    item = db.session.get(AgendaItem, closed_poll.agenda_item_id)
    _refused(lambda: db.session.add(Poll(item=item, question="假结果", status=CLOSED,
                                         result=PASSED)))
    assert db.session.scalar(select(func.count(Ballot.id))) == 1


# ---------- the poll_closed signal, for the suggestions feature ----------


def test_a_connected_receiver_runs_once_per_close_inside_the_transaction(make_poll):
    seen = []

    def receiver(poll, **_extra):
        seen.append((poll.id, poll.result, poll.status))
        db.session.add(AuditEvent(action="test.poll_closed", target_type="Poll",
                                  target_id=str(poll.id)))

    poll = make_poll()
    services.tap_hand(poll.id, option_id(poll, "赞成"))
    with poll_closed.connected_to(receiver):
        services.close_poll(poll.id)
        db.session.commit()
        services.close_poll(poll.id)  # already closed: no second signal
        db.session.commit()
        other = make_poll()
        services.close_poll(other.id)
        db.session.rollback()  # the close did not happen: neither did the receiver's row
    assert seen == [(poll.id, PASSED, CLOSED), (other.id, FAILED, CLOSED)]
    rows = db.session.scalars(select(AuditEvent.target_id)
                              .where(AuditEvent.action == "test.poll_closed")).all()
    assert rows == [str(poll.id)]
    assert db.session.get(Poll, other.id).status == "open"


# ---------- meetings, agenda, present counts, commitments ----------


def test_add_agenda_item_appends_in_order_and_is_audited(make_meeting, make_staff):
    staff = make_staff("admin")
    meeting = make_meeting(items=("一", "二"))
    item = services.add_agenda_item(meeting, "  三号楼 停车  ", "说明", actor=staff)
    db.session.commit()
    assert [i.title for i in meeting.items] == ["一", "二", "三号楼 停车"]
    assert item.position == 3
    event = db.session.scalar(select(AuditEvent)
                              .where(AuditEvent.action == "votes.add_agenda_item")
                              .order_by(AuditEvent.id.desc()))
    assert event.staff_id == staff.id and event.community_id == meeting.community_id
    with pytest.raises(Invalid) as refused:
        services.add_agenda_item(meeting, "   ", "")
    assert "title" in refused.value.errors


def test_moving_and_removing_agenda_items(make_meeting, make_poll):
    meeting = make_meeting(items=("一", "二", "三"))
    services.move_agenda_item(meeting.items[2], -1)
    db.session.commit()
    db.session.expire(meeting)
    assert [i.title for i in meeting.items] == ["一", "三", "二"]
    services.delete_agenda_item(meeting.items[1])
    db.session.commit()
    db.session.expire(meeting)
    assert [i.title for i in meeting.items] == ["一", "二"]
    voted = make_poll(item=meeting.items[0]).item
    with pytest.raises(services.Refused, match="不能删除"):
        services.delete_agenda_item(voted)


def test_the_number_present_keeps_every_correction(make_meeting):
    meeting = make_meeting()
    services.record_present_count(meeting, "30")
    services.record_present_count(meeting, "32")
    db.session.commit()
    assert meeting.present_count == 32
    assert [p.count for p in db.session.scalars(select(PresentCount))] == [30, 32]
    for bad in ("-1", "", "十", "100000"):
        with pytest.raises(Invalid):
            services.record_present_count(meeting, bad)
        db.session.rollback()
    assert db.session.scalar(select(func.count(PresentCount.id))) == 2


def test_commitments_are_recorded_and_marked_done(make_meeting, clock):
    clock.move_to(datetime.fromisoformat("2026-11-24T09:30+08:00"))  # the dates below follow it
    item = make_meeting().items[0]
    commitment = services.add_commitment(item, who="物业公司", what="划出车位",
                                         due_on="2026-12-01")
    db.session.commit()
    assert commitment.due_on == date(2026, 12, 1) and commitment.done_on is None
    clock.move_to(datetime.fromisoformat("2026-12-02T10:00+08:00"))
    services.set_commitment_done(commitment, "2026-11-28")
    assert commitment.done_on == date(2026, 11, 28)
    services.set_commitment_done(commitment, None)
    assert commitment.done_on is None
    with pytest.raises(Invalid) as refused:
        services.add_commitment(item, who="", what="", due_on="明天")
    assert set(refused.value.errors) == {"who", "what", "due_on"}
    with pytest.raises(Invalid):
        services.set_commitment_done(commitment, "")


def test_the_kiosk_finds_the_open_pass_poll_of_its_own_community(make_poll, make_community,
                                                                 community):
    assert services.open_pass_poll(community.id) is None
    make_poll(channels=(HAND, PHONE))
    assert services.open_pass_poll(community.id) is None
    elsewhere = make_community("elsewhere", "别的社区")
    make_poll(community=elsewhere)
    assert services.open_pass_poll(community.id) is None
    mine = make_poll()
    assert services.open_pass_poll(community.id).id == mine.id


def test_seed_demo_votes_is_idempotent(runner):
    from muling_kiosk.votes.models import Commitment, Meeting

    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    first = [db.session.scalar(select(func.count(m.id))) for m in
             (Meeting, Poll, Ballot, HandCount, Commitment)]
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0 and "已有，未改动" in second.output
    assert [db.session.scalar(select(func.count(m.id))) for m in
            (Meeting, Poll, Ballot, HandCount, Commitment)] == first
    results = dict(db.session.execute(select(Poll.question, Poll.result)).all())
    assert results["选哪个停车方案？"] == PASSED
    assert results["是否同意在林荫廊道两侧加装铁艺围栏？"] == FAILED
    shengli_upcoming = db.session.scalar(select(Meeting).where(Meeting.title == "楼院环境议事会"))
    assert shengli_upcoming.community.slug == "shengli" and len(shengli_upcoming.items) == 3
    assert all(not i.polls for i in shengli_upcoming.items)
