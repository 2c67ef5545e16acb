"""提交议事会 and back: a suggestion becomes an agenda item of a bench meeting, and when that
item's poll closes its result goes into the suggestion's history by itself (民事民提 →
民事民议 → 民事民决). Rules through the services, then the flows through HTTP."""

import subprocess
import sys
import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests
from blinker import ANY
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, select

from muling_kiosk.audit.models import AuditEvent
from muling_kiosk.database import utcnow
from muling_kiosk.extensions import db
from muling_kiosk.staff.models import Staff
from muling_kiosk.suggestions import meetings
from muling_kiosk.suggestions import services as rules
from muling_kiosk.suggestions.models import Suggestion, SuggestionEvent
from muling_kiosk.validation import Invalid
from muling_kiosk.votes import services as votes
from muling_kiosk.votes.models import AgendaItem, Poll
from muling_kiosk.votes.signals import poll_closed

from .conftest import ROOT
from .factories_votes import csrf_of, option_id

TZ = ZoneInfo("Asia/Shanghai")
TEXT = "5号楼和6号楼之间的消防通道天天停着车，晚上更多。电话13812345678。"


@pytest.fixture
def facilitator(make_staff):
    return make_staff("facilitator", display_name="主持人 陈静", pin="135790",
                      password="right password")


@pytest.fixture
def tomorrow(make_meeting):
    """楼院环境议事会 tomorrow at 19:00 in 林荫廊道, with one item already."""
    def make(**overrides):
        day = datetime.now(TZ).date() + timedelta(days=1)
        return make_meeting(**{"title": "楼院环境议事会", "place": "林荫廊道",
                               "starts_at": datetime(day.year, day.month, day.day, 19, 0,
                                                     tzinfo=TZ),
                               "items": ("楼道灯维修",), **overrides})

    return make


def bring(suggestion, meeting, staff, title="消防通道停车", description="晚上消防通道停满车。",
          **kwargs):
    suggestion = rules.locked(suggestion.id)
    item = meetings.bring_to_meeting(suggestion, meeting, title, description, staff=staff,
                                     **kwargs)
    db.session.commit()
    return item


def close_with_hands(item, hands=(3, 1, 1), question="是否同意：消防通道画禁停线？", **poll_args):
    poll = votes.open_poll(item, votes.PollSpec(question=question, **poll_args))
    for option, count in zip(poll.options, hands, strict=False):
        votes.set_hand_total(poll.id, option.id, count)
    poll, closed = votes.close_poll(poll.id)
    assert closed
    db.session.commit()
    return poll


def history(suggestion) -> list[SuggestionEvent]:
    db.session.expire_all()
    return list(db.session.get(Suggestion, suggestion.id).events)


# ---------- bringing a suggestion to a meeting ----------


def test_bringing_it_adds_an_item_links_it_and_moves_it_to_discussion(
        facilitator, tomorrow, make_suggestion):
    meeting = tomorrow()
    suggestion = make_suggestion(text=TEXT, contact_name="李阿姨", contact_phone="13812345678")
    item = bring(suggestion, meeting, facilitator)

    db.session.expire_all()
    suggestion = db.session.get(Suggestion, suggestion.id)
    assert suggestion.agenda_item_id == item.id
    assert [i.title for i in db.session.get(type(meeting), meeting.id).items] == [
        "楼道灯维修", "消防通道停车"]
    assert item.description == "晚上消防通道停满车。"
    assert suggestion.state == rules.DISCUSSING
    event = suggestion.events[-1]
    assert (event.kind, event.from_state, event.to_state, event.public) == (
        "state", rules.SUBMITTED, rules.DISCUSSING, True)
    day = meeting.starts_at.astimezone(TZ)
    assert event.public_text.startswith(f"已提交 {day.month}月{day.day}日 ")
    assert "下午7:00 的板凳议事会（林荫廊道）讨论" in event.public_text
    assert event.staff_id == facilitator.id
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert {"votes.add_agenda_item", "suggestions.change_state",
            "suggestions.bring_to_meeting"} <= set(actions)
    audit = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "suggestions.bring_to_meeting"))
    assert audit.staff_id == facilitator.id
    assert audit.after == {"meeting_id": meeting.id, "agenda_item_id": item.id,
                           "title": "消防通道停车"}
    assert "13812345678" not in str(audit.after)


def test_a_suggestion_already_under_discussion_stays_so_with_a_public_note(
        facilitator, tomorrow, make_suggestion):
    suggestion = make_suggestion(state=rules.DISCUSSING)
    bring(suggestion, tomorrow(), facilitator)
    event = history(suggestion)[-1]
    assert (event.kind, event.to_state) == ("note", rules.DISCUSSING)
    assert "林荫廊道" in event.public_text


def test_the_reply_is_written_in_chinese_whatever_the_staff_reads(
        app, facilitator, tomorrow, make_suggestion):
    suggestion = make_suggestion()
    meeting = tomorrow()
    with app.test_request_context(headers={"Cookie": "lang=en"}):
        item = bring(suggestion, meeting, facilitator)
    assert item is not None
    assert "板凳议事会（林荫廊道）" in history(suggestion)[-1].public_text


def test_a_meeting_of_today_may_take_it_one_of_yesterday_has_ended(
        facilitator, make_meeting, make_suggestion, clock):
    now = datetime(2026, 11, 26, 20, 0, tzinfo=TZ)
    this_morning = make_meeting(starts_at=datetime(2026, 11, 26, 9, 0, tzinfo=TZ))
    last_night = make_meeting(starts_at=datetime(2026, 11, 25, 19, 0, tzinfo=TZ))
    clock.move_to(now - timedelta(hours=1))  # the suggestion came in this evening
    suggestion = make_suggestion()
    with pytest.raises(Invalid) as refused:
        meetings.check(suggestion, last_night, "消防通道", "", staff=facilitator, now=now)
    assert "11月25日 星期三" in str(refused.value.errors["meeting_id"])
    assert "已经开过了" in str(refused.value.errors["meeting_id"])
    item = bring(suggestion, this_morning, facilitator, now=now)
    assert item.meeting_id == this_morning.id
    assert history(suggestion)[-1].at == now


def test_the_meetings_offered_are_of_its_community_from_today_on(
        make_meeting, make_suggestion, make_community, tomorrow):
    other = make_community("yonghe-test", "永和社区")
    soon = tomorrow()
    later = make_meeting(title="垃圾分类议事会", starts_at=utcnow() + timedelta(days=9))
    make_meeting(title="上个月的会", starts_at=utcnow() - timedelta(days=30))
    make_meeting(community=other, title="永和的会", starts_at=utcnow() + timedelta(days=2))
    assert meetings.upcoming_meetings(make_suggestion()) == [soon, later]


@pytest.mark.parametrize("case", ["other community", "ended", "merged", "declined",
                                  "on an agenda", "decided", "volunteer", "no meeting",
                                  "no title"])
def test_refusals_say_why_and_change_nothing(case, facilitator, tomorrow, make_meeting,
                                             make_suggestion, make_community, make_staff):
    meeting, staff, title = tomorrow(), facilitator, "消防通道停车"
    suggestion = make_suggestion()
    expected = {}
    if case == "other community":
        meeting = make_meeting(community=make_community("yonghe-test", "永和社区"))
        expected = {"meeting_id": "这是别的社区的议事会。请选胜利社区的议事会。"}
    elif case == "ended":
        meeting = make_meeting(starts_at=utcnow() - timedelta(days=2))
        expected = {"meeting_id": "已经开过了"}
    elif case == "merged":
        target = make_suggestion()
        rules.merge(suggestion, target, staff=facilitator)
        db.session.commit()
        expected = {"suggestion": f"已合并到建议 {rules.group_code(target.code)}"}
    elif case == "declined":
        suggestion = make_suggestion(state=rules.DECLINED)
        expected = {"suggestion": "请先把它改回“讨论中”"}
    elif case == "on an agenda":
        first = make_meeting(title="停车秩序议事会", place="文化广场",
                             starts_at=utcnow() + timedelta(days=3))
        bring(suggestion, first, facilitator)
        day = first.starts_at.astimezone(TZ)
        expected = {"suggestion": f"已经在 {day.month}月{day.day}日"}
        expected_meeting = "“停车秩序议事会”的议程上了（议题 2）"
    elif case == "decided":
        suggestion = make_suggestion(state=rules.DECIDED)
        expected = {"suggestion": "它已经是“已决定”了"}
    elif case == "volunteer":
        staff = make_staff("volunteer")
        expected = {"suggestion": "只有主持人或管理员"}
    elif case == "no meeting":
        meeting = None
        expected = {"meeting_id": "请选一次议事会。"}
    elif case == "no title":
        title = " \n "
        expected = {"title": "请给议题起个简短的名称。"}
    items_before = db.session.scalar(select(func.count(AgendaItem.id)))
    state_before, events_before = suggestion.state, len(history(suggestion))
    with pytest.raises(Invalid) as refused:
        meetings.bring_to_meeting(rules.locked(suggestion.id), meeting, title, "", staff=staff)
    db.session.rollback()
    errors = {k: str(v) for k, v in refused.value.errors.items()}
    assert errors.keys() == expected.keys()
    for field_name, words in expected.items():
        assert words in errors[field_name]
    if case == "on an agenda":
        assert expected_meeting in errors["suggestion"]
    assert db.session.scalar(select(func.count(AgendaItem.id))) == items_before
    assert db.session.get(Suggestion, suggestion.id).state == state_before
    assert len(history(suggestion)) == events_before


def test_the_title_offered_is_the_first_words_without_a_number(make_suggestion):
    def offered(text):
        return meetings.offered_title(make_suggestion(text=text))

    assert offered(TEXT) == "5号楼和6号楼之间的消防通道天天停着车"
    assert offered("好多人把电动车推进楼道里充电，太危险了。") == "好多人把电动车推进楼道里充电"
    assert offered("你好，凉亭的木椅子有一块板子松了。") == "你好，凉亭的木椅子有一块板子松了"
    assert offered("请打13812345678，小区东门的门禁坏了好几天，谁都能进来，晚上不安全") == \
        "请打138****5678"
    assert offered("小区东门的门禁坏了好几天谁都能进来晚上很不安全希望尽快修好") == \
        "小区东门的门禁坏了好几天谁都能进来晚上很不安全希…"
    description = meetings.offered_description(make_suggestion(text=TEXT))
    assert "138****5678" in description and "13812345678" not in description


def test_an_item_removed_from_the_agenda_unlinks_the_suggestion_and_tells_the_resident(
        facilitator, tomorrow, make_suggestion):
    suggestion = make_suggestion()
    meeting = tomorrow()
    item = bring(suggestion, meeting, facilitator)
    votes.delete_agenda_item(db.session.get(AgendaItem, item.id), actor=facilitator)
    db.session.commit()
    db.session.expire_all()
    suggestion = db.session.get(Suggestion, suggestion.id)
    assert suggestion.agenda_item_id is None
    assert suggestion.state == rules.DISCUSSING
    assert meetings.refusal(suggestion) is None  # it can be brought again
    note = suggestion.events[-1]
    day = meeting.starts_at.astimezone(TZ)
    assert (note.kind, note.public, note.actor) == ("note", True, meetings.MEETING_ACTOR)
    assert note.public_text.startswith(f"已不在 {day.month}月{day.day}日 ")
    assert "板凳议事会的议程上" in note.public_text


def test_a_removal_the_note_cannot_follow_still_removes_the_item(
        facilitator, tomorrow, make_suggestion, monkeypatch):
    suggestion = make_suggestion()
    item = bring(suggestion, tomorrow(), facilitator)
    before = len(history(suggestion))

    def broken(*_args, **_kwargs):
        raise RuntimeError("the history is out of order")

    monkeypatch.setattr(rules, "add_note", broken)
    votes.delete_agenda_item(db.session.get(AgendaItem, item.id))
    db.session.commit()
    assert db.session.get(AgendaItem, item.id) is None
    assert len(history(suggestion)) == before
    assert db.session.get(Suggestion, suggestion.id).agenda_item_id is None


# ---------- the result comes back ----------


def test_a_closed_poll_decides_the_suggestion_with_the_question_the_result_and_the_figures(
        facilitator, tomorrow, make_suggestion):
    suggestion = make_suggestion()
    item = bring(suggestion, tomorrow(present=30), facilitator)
    poll = close_with_hands(item, hands=(21, 4, 2))

    db.session.expire_all()
    suggestion = db.session.get(Suggestion, suggestion.id)
    assert suggestion.state == rules.DECIDED
    event = suggestion.events[-1]
    assert (event.kind, event.from_state, event.to_state, event.actor, event.staff_id) == (
        "state", rules.DISCUSSING, rules.DECIDED, "meeting", None)
    assert event.at == poll.closed_at
    day = item.meeting.starts_at.astimezone(TZ)
    assert event.public_text == (
        f"{day.month}月{day.day}日 星期{'一二三四五六日'[day.weekday()]} 的板凳议事会表决了"
        "“是否同意：消防通道画禁停线？”。结果：通过。赞成 21 票、反对 4 票和弃权 2 票，"
        "共 27 票，到会 30 人。")
    audit = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "suggestions.change_state").order_by(AuditEvent.id.desc()))
    assert (audit.actor, audit.staff_id, audit.after["state"]) == ("meeting", None, "decided")


def test_no_quorum_and_custom_options_are_said_as_the_meeting_said_them(
        facilitator, tomorrow, make_suggestion):
    first, second = make_suggestion(), make_suggestion()
    meeting = tomorrow()
    close_with_hands(bring(first, meeting, facilitator, title="消防通道"), hands=(2, 1, 0),
                     quorum_kind="ballots", quorum_value="10")
    close_with_hands(bring(second, meeting, facilitator, title="停车方案"), hands=(9, 3),
                     question="选哪个停车方案？", custom=True,
                     options=["北侧空地划车位", "维持现状"])
    no_quorum = history(first)[-1].public_text
    assert "结果：未达法定人数。赞成 2 票、反对 1 票和弃权 0 票，共 3 票。" in no_quorum
    plan = history(second)[-1].public_text
    assert "结果：通过：北侧空地划车位。北侧空地划车位 9 票和维持现状 3 票，共 12 票。" in plan
    assert {db.session.get(Suggestion, s.id).state for s in (first, second)} == {rules.DECIDED}


def test_a_second_poll_on_the_item_adds_its_result_as_a_note(
        facilitator, tomorrow, make_suggestion):
    suggestion = make_suggestion()
    item = bring(suggestion, tomorrow(), facilitator)
    close_with_hands(item, hands=(2, 5, 0))
    close_with_hands(db.session.get(AgendaItem, item.id), hands=(6, 1, 0),
                     question="修改后的方案：是否同意？")
    events = history(suggestion)
    assert [(e.kind, e.to_state) for e in events[-2:]] == [("state", rules.DECIDED),
                                                          ("note", rules.DECIDED)]
    assert "结果：未通过" in events[-2].public_text
    assert "“修改后的方案：是否同意？”。结果：通过" in events[-1].public_text
    assert db.session.get(Suggestion, suggestion.id).state == rules.DECIDED


def test_a_suggestion_merged_after_it_was_brought_hears_the_result_through_its_target(
        facilitator, tomorrow, make_suggestion):
    duplicate, target = make_suggestion(), make_suggestion()
    item = bring(duplicate, tomorrow(), facilitator)
    rules.merge(rules.locked(duplicate.id), rules.locked(target.id), staff=facilitator)
    db.session.commit()
    close_with_hands(item)
    assert db.session.get(Suggestion, target.id).state == rules.DECIDED
    assert "结果：通过" in history(target)[-1].public_text
    assert db.session.get(Suggestion, duplicate.id).state == rules.MERGED


def test_the_receiver_is_connected_once_and_one_close_makes_one_entry(
        make_app, facilitator, tomorrow, make_suggestion):
    make_app()  # another app in this process connects nothing more
    ours = [r for r in poll_closed.receivers_for(ANY) if r is meetings.record_result]
    assert len(ours) == 1
    suggestion = make_suggestion()
    item = bring(suggestion, tomorrow(), facilitator)
    before = len(history(suggestion))
    close_with_hands(item)
    assert len(history(suggestion)) == before + 1


@pytest.mark.parametrize("first", ["muling_kiosk.votes.services",
                                   "muling_kiosk.suggestions.views", "muling_kiosk"])
@pytest.mark.slow
def test_the_receiver_is_connected_once_whichever_module_is_imported_first(first):
    script = (
        f"import importlib; importlib.import_module({first!r})\n"
        "from blinker import ANY\n"
        "from muling_kiosk import create_app\n"
        "for _ in range(2): create_app({'SQLALCHEMY_DATABASE_URI': 'sqlite://',"
        " 'SECRET_KEY': 'x'})\n"
        "from muling_kiosk.votes.signals import poll_closed\n"
        "print(sorted(f'{r.__module__}.{r.__name__}' for r in poll_closed.receivers_for(ANY)))\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                            text=True, check=True, timeout=120)
    assert result.stdout.strip() == "['muling_kiosk.suggestions.meetings.record_result']"


def test_a_close_that_is_rolled_back_leaves_the_suggestion_as_it_was(
        facilitator, tomorrow, make_suggestion):
    suggestion = make_suggestion()
    item = bring(suggestion, tomorrow(), facilitator)
    poll = votes.open_poll(item, votes.PollSpec(question="是否同意？"))
    votes.tap_hand(poll.id, option_id(poll, "赞成"))
    db.session.commit()
    events_before = len(history(suggestion))
    votes.close_poll(poll.id)
    assert db.session.get(Suggestion, suggestion.id).state == rules.DECIDED  # in the transaction
    db.session.rollback()
    assert db.session.get(Poll, poll.id).status == "open"
    assert db.session.get(Suggestion, suggestion.id).state == rules.DISCUSSING
    assert len(history(suggestion)) == events_before


def test_a_failing_suggestion_never_stops_the_close(app, facilitator, tomorrow,
                                                    make_suggestion, monkeypatch, caplog):
    suggestion = make_suggestion()
    item = bring(suggestion, tomorrow(), facilitator)

    def broken(*_args, **_kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(rules, "change_state", broken)
    poll = close_with_hands(item)
    db.session.expire_all()
    assert db.session.get(Poll, poll.id).result == "passed"
    assert db.session.get(Suggestion, suggestion.id).state == rules.DISCUSSING
    assert "was not added to suggestion" in caplog.text


def test_polls_of_items_from_no_suggestion_change_no_suggestion(make_poll, make_suggestion):
    suggestion = make_suggestion(state=rules.DISCUSSING)
    poll = make_poll()
    votes.close_poll(poll.id)
    db.session.commit()
    assert len(history(suggestion)) == 1


def test_upgrading_a_database_with_suggestions_keeps_them_and_their_history(
        app, facilitator, tomorrow, make_suggestion):
    """0005 → 0006 rebuilds the suggestion table on SQLite, which other tables refer to."""
    suggestion = make_suggestion(photos=1)
    rules.change_state(rules.locked(suggestion.id), rules.DISCUSSING, "收到，我们看看。",
                       staff=facilitator)
    db.session.commit()
    suggestion_id, staff_id = suggestion.id, facilitator.id
    db.session.remove()
    downgrade(revision="0005")
    upgrade()
    db.session.remove()
    kept = db.session.get(Suggestion, suggestion_id)
    assert kept.state == rules.DISCUSSING and len(kept.events) == 2 and len(kept.photos) == 1
    assert kept.agenda_item_id is None
    bring(kept, tomorrow(community=kept.community), db.session.get(Staff, staff_id))
    if db.engine.dialect.name == "sqlite":
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


# ---------- through HTTP ----------


def signed_in(client, sign_in, staff):
    sign_in(client, staff)
    return client


def test_the_console_page_offers_this_communitys_coming_meetings_and_a_short_title(
        client, sign_in, facilitator, tomorrow, make_meeting, make_community, make_suggestion):
    soon = tomorrow()
    make_meeting(title="上个月的会", starts_at=utcnow() - timedelta(days=30))
    make_meeting(community=make_community("yonghe-test", "永和社区"), title="永和的会")
    suggestion = make_suggestion(text=TEXT, contact_name="李阿姨", contact_phone="13812345678")
    signed_in(client, sign_in, facilitator)
    detail = client.get(f"/staff/suggestions/{suggestion.id}").get_data(as_text=True)
    assert "提交议事会" in detail and f"/staff/suggestions/{suggestion.id}/meeting" in detail
    page = client.get(f"/staff/suggestions/{suggestion.id}/meeting")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'<option value="{soon.id}">楼院环境议事会 · ' in html
    assert "上个月的会" not in html and "永和的会" not in html
    assert 'value="5号楼和6号楼之间的消防通道天天停着车"' in html
    # The description is public on the meeting's page: the number is masked there.
    assert "晚上更多。电话138****5678。</textarea>" in html


def test_the_bring_page_answers_in_three_shapes(client, sign_in, facilitator, tomorrow,
                                                make_suggestion):
    tomorrow()
    suggestion = make_suggestion()
    signed_in(client, sign_in, facilitator)
    url = f"/staff/suggestions/{suggestion.id}/meeting"
    plain = client.get(url).get_data(as_text=True)
    fragment = client.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
    restore = client.get(url, headers={"HX-Request": "true",
                                       "HX-History-Restore-Request": "true"})
    assert "<html" in plain and 'id="bring"' in plain
    assert "<html" not in fragment and fragment.lstrip().startswith("<div id=\"bring\">")
    assert "<html" in restore.get_data(as_text=True)
    assert restore.headers["Vary"] == "HX-Request" or "HX-Request" in restore.headers["Vary"]


def test_check_then_confirm_and_a_second_confirm_changes_nothing(
        client, sign_in, facilitator, tomorrow, make_suggestion):
    meeting = tomorrow()
    suggestion = make_suggestion()
    signed_in(client, sign_in, facilitator)
    url = f"/staff/suggestions/{suggestion.id}/meeting"
    values = {"meeting_id": str(meeting.id), "title": "  消防通道  停车 ",
              "description": "晚上消防通道停满车。"}
    checked = client.post_form(url, {**values, "step": "check"}, htmx=True)
    html = checked.get_data(as_text=True)
    assert checked.status_code == 200
    assert "请确认提交议事会" in html and "楼院环境议事会" in html
    assert "已提交" in html and "的板凳议事会（林荫廊道）讨论" in html
    assert 'name="title" value="消防通道 停车"' in html
    assert db.session.scalar(select(func.count(AgendaItem.id))) == 1  # nothing before 确认
    assert db.session.get(Suggestion, suggestion.id).state == rules.SUBMITTED

    edit = client.post_form(url, {**values, "step": "edit"}, htmx=True)
    assert 'name="title" type="text" value="  消防通道  停车 "' in edit.get_data(as_text=True)

    token = client.csrf_token(url)
    done = client.post_form(url, {**values, "step": "confirm", "csrf_token": token}, htmx=True)
    assert done.status_code == 204
    assert done.headers["HX-Redirect"] == f"/staff/suggestions/{suggestion.id}"
    again = client.post_form(url, {**values, "step": "confirm", "csrf_token": token})
    assert again.status_code == 303 and again.headers["Location"].endswith(
        f"/staff/suggestions/{suggestion.id}")
    assert db.session.scalar(select(func.count(AgendaItem.id))) == 2
    db.session.expire_all()
    suggestion = db.session.get(Suggestion, suggestion.id)
    assert suggestion.state == rules.DISCUSSING and suggestion.agenda_item.title == "消防通道 停车"
    detail = client.get(f"/staff/suggestions/{suggestion.id}").get_data(as_text=True)
    assert "已列为“楼院环境议事会”的第 2 个议题。居民能看到它在讨论中。" in detail
    assert "议题 2：消防通道 停车" in detail and "还没有表决" in detail
    status = client.get(f"/m/t/{suggestion.code}").get_data(as_text=True)
    assert "讨论中" in status and "的板凳议事会（林荫廊道）讨论" in status


def test_removing_the_item_in_the_console_tells_the_resident_and_frees_the_suggestion(
        client, sign_in, facilitator, tomorrow, make_suggestion):
    suggestion = make_suggestion()
    item_id = bring(suggestion, tomorrow(), facilitator).id
    signed_in(client, sign_in, facilitator)
    removed = client.post_form(f"/staff/votes/items/{item_id}/delete")
    assert removed.status_code == 303
    assert db.session.get(AgendaItem, item_id) is None
    status = client.get(f"/m/t/{suggestion.code}").get_data(as_text=True)
    assert "的板凳议事会的议程上。何时、怎样再议，社区会在这里告诉您。" in status
    detail = client.get(f"/staff/suggestions/{suggestion.id}").get_data(as_text=True)
    assert "提交议事会" in detail and "已列为" not in detail


def test_refusals_over_http_keep_the_form_and_say_why(
        client, sign_in, facilitator, tomorrow, make_meeting, make_community, make_suggestion):
    tomorrow()
    other = make_meeting(community=make_community("yonghe-test", "永和社区"))
    ended = make_meeting(starts_at=utcnow() - timedelta(days=3))
    suggestion = make_suggestion()
    signed_in(client, sign_in, facilitator)
    url = f"/staff/suggestions/{suggestion.id}/meeting"
    for meeting, words in ((other, "这是别的社区的议事会"), (ended, "已经开过了")):
        response = client.post_form(url, {"meeting_id": str(meeting.id), "title": "消防通道",
                                          "step": "confirm"}, htmx=True)
        html = response.get_data(as_text=True)
        assert response.status_code == 422
        assert words in html and 'aria-invalid="true"' in html
        assert 'value="消防通道"' in html
    for bad in ("abc", "99999999999", ""):
        response = client.post_form(url, {"meeting_id": bad, "title": "消防通道",
                                          "step": "check"})
        assert response.status_code == 422 and "请选一次议事会" in response.get_data(as_text=True)
    assert db.session.get(Suggestion, suggestion.id).state == rules.SUBMITTED


def test_a_suggestion_on_an_agenda_says_which_meeting_and_a_merged_one_is_refused(
        client, sign_in, facilitator, tomorrow, make_suggestion):
    meeting = tomorrow()
    on_agenda, merged, target = make_suggestion(), make_suggestion(), make_suggestion()
    item = bring(on_agenda, meeting, facilitator)
    rules.merge(rules.locked(merged.id), rules.locked(target.id), staff=facilitator)
    db.session.commit()
    signed_in(client, sign_in, facilitator)
    page = client.get(f"/staff/suggestions/{on_agenda.id}/meeting").get_data(as_text=True)
    assert "“楼院环境议事会”的议程上了（议题 2）" in page
    assert f'href="/staff/votes/{meeting.id}#item-{item.id}"' in page
    assert 'name="meeting_id"' not in page
    response = client.post_form(f"/staff/suggestions/{merged.id}/meeting",
                                {"meeting_id": str(meeting.id), "title": "重复",
                                 "step": "confirm"})
    assert response.status_code == 422
    assert f"已合并到建议 {rules.group_code(target.code)}" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(AgendaItem.id))) == 2


def test_volunteers_cannot_bring_a_suggestion_to_a_meeting(client, sign_in, make_staff,
                                                           tomorrow, make_suggestion):
    meeting = tomorrow()
    volunteer = make_staff("volunteer")
    suggestion = make_suggestion(assignee_id=volunteer.id)
    signed_in(client, sign_in, volunteer)
    assert "提交议事会" not in client.get(f"/staff/suggestions/{suggestion.id}").get_data(
        as_text=True)
    url = f"/staff/suggestions/{suggestion.id}/meeting"
    assert client.get(url).status_code == 403
    assert client.post_form(url, {"meeting_id": str(meeting.id), "title": "x",
                                  "step": "confirm"}).status_code == 403
    assert db.session.get(Suggestion, suggestion.id).agenda_item_id is None


def test_meeting_screens_show_where_an_item_came_from_and_only_staff_see_the_code(
        client, sign_in, facilitator, tomorrow, make_suggestion):
    meeting = tomorrow()
    suggestion = make_suggestion(text=TEXT, contact_name="李阿姨", contact_phone="13812345678")
    item = bring(suggestion, meeting, facilitator)
    code = rules.group_code(suggestion.code)
    poll = close_with_hands(item)
    plain = client.get(f"/vote/meetings/{meeting.id}").get_data(as_text=True)
    assert plain.count("来自居民建议") == 1
    for secret in (code, suggestion.code, "李阿姨", "13812345678", "5678",
                   f"/staff/suggestions/{suggestion.id}"):
        assert secret not in plain

    signed_in(client, sign_in, facilitator)
    link = f'href="/staff/suggestions/{suggestion.id}"'
    console = client.get(f"/staff/votes/{meeting.id}").get_data(as_text=True)
    assert "来自居民建议：" in console and link in console and f"建议 {code}" in console
    tablet = client.get(f"/vote/run/{meeting.id}").get_data(as_text=True)
    assert f"来自居民建议： <strong class=\"tracking-code-inline\">{code}</strong>" in tablet
    assert link in tablet and f'查看这条建议<span class="visually-hidden"> {code}</span>' in tablet
    live = client.get(f"/vote/run/polls/{poll.id}").get_data(as_text=True)
    assert code in live
    for page in (console, tablet, live):
        assert "李阿姨" not in page and "13812345678" not in page
    assert console.count("来自居民建议") == 1  # the other item came from nobody


def test_closing_on_the_tablet_decides_it_and_the_resident_reads_the_result(
        client, sign_in, facilitator, tomorrow, make_suggestion):
    meeting = tomorrow(present=12)
    suggestion = make_suggestion()
    item = bring(suggestion, meeting, facilitator)
    poll = votes.open_poll(item, votes.PollSpec(question="是否同意：消防通道画禁停线？"))
    db.session.commit()
    signed_in(client, sign_in, facilitator, )
    for _ in range(3):
        client.post_form(f"/vote/run/polls/{poll.id}/tap",
                         {"option_id": option_id(poll, "赞成")}, htmx=True)
    client.post_form(f"/vote/run/polls/{poll.id}/tap", {"option_id": option_id(poll, "反对")},
                     htmx=True)
    closed = client.post_form(f"/vote/run/polls/{poll.id}/close", {})
    assert closed.status_code == 303
    db.session.expire_all()
    assert db.session.get(Suggestion, suggestion.id).state == rules.DECIDED
    status = client.get(f"/m/t/{suggestion.code}").get_data(as_text=True)
    assert "已决定" in status
    assert "结果：通过。赞成 3 票、反对 1 票和弃权 0 票，共 4 票，到会 12 人。" in status
    detail = client.get(f"/staff/suggestions/{suggestion.id}").get_data(as_text=True)
    assert "是否同意：消防通道画禁停线？ — <strong>通过</strong>" in detail
    assert "<td>板凳议事会</td>" in detail  # who moved it, in the history
    board = client.get("/board").get_data(as_text=True)
    assert "结果：通过" in board


# ---------- demo data ----------


def test_the_demo_brings_suggestions_to_real_meetings_and_leaves_one_for_the_kiosk(runner):
    from muling_kiosk.communities.services import community_by_slug
    from muling_kiosk.votes.models import Meeting

    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    counts = [db.session.scalar(select(func.count(model.id)))
              for model in (Meeting, AgendaItem, Poll, SuggestionEvent)]
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert [db.session.scalar(select(func.count(model.id)))
            for model in (Meeting, AgendaItem, Poll, SuggestionEvent)] == counts

    yonghe, shengli = community_by_slug("yonghe"), community_by_slug("shengli")
    brought = db.session.scalars(select(Suggestion).where(
        Suggestion.community_id == yonghe.id, Suggestion.agenda_item_id.is_not(None))).all()
    assert len(brought) >= 1
    for suggestion in brought:
        meeting = suggestion.agenda_item.meeting
        assert meeting.community_id == yonghe.id and meeting.starts_at < utcnow()
        poll = suggestion.agenda_item.polls[0]
        assert poll.status == "closed"
        decided = next(e for e in suggestion.events if e.to_state == rules.DECIDED)
        assert decided.actor == "meeting" and decided.at == poll.closed_at
        assert poll.question in decided.public_text and "结果：通过" in decided.public_text
        times = [e.at for e in suggestion.events]
        assert times == sorted(times)
        assert suggestion.state != rules.SUBMITTED
    rated = [s for s in brought if s.state == rules.RATED]
    assert rated, "one goes all the way round the loop"

    upcoming = votes.meetings_of([shengli.id], upcoming=True)
    assert upcoming
    ready = [s for s in db.session.scalars(select(Suggestion).where(
        Suggestion.community_id == shengli.id)) if meetings.refusal(s) is None]
    assert ready and upcoming[0] in meetings.upcoming_meetings(ready[0])


# ---------- at the same moment, over real HTTP ----------


def console_session(base, staff, path):
    """A requests session signed in to the console, with the CSRF token of path."""
    http = requests.Session()
    login = http.get(f"{base}/staff/login", timeout=30)
    signed_in = http.post(f"{base}/staff/login", data={
        "csrf_token": csrf_of(login.text), "username": staff.username,
        "password": "right password"}, allow_redirects=False, timeout=30)
    assert signed_in.status_code == 303
    return http, csrf_of(http.get(f"{base}{path}", timeout=30).text)


@pytest.mark.slow
def test_two_confirmations_at_once_make_one_agenda_item(
        live_server, facilitator, make_staff, tomorrow, make_meeting, make_suggestion):
    """The same confirmation sent twice at once (a double click on two tabs) and, at the same
    moment, a colleague bringing it to another meeting: one item, on one agenda."""
    meeting = tomorrow()
    other = make_meeting(title="垃圾分类议事会", starts_at=utcnow() + timedelta(days=5),
                         items=())
    admin = make_staff("admin", password="right password")
    suggestion = make_suggestion()
    path = f"/staff/suggestions/{suggestion.id}/meeting"
    sessions = [console_session(live_server, staff, path)
                for staff in (facilitator, facilitator, admin)]
    targets = [meeting.id, meeting.id, other.id]
    meeting_id = meeting.id
    barrier = threading.Barrier(len(sessions))
    answers = [None] * len(sessions)

    def confirm(index):
        http, token = sessions[index]
        barrier.wait()
        answers[index] = http.post(f"{live_server}{path}", data={
            "csrf_token": token, "step": "confirm", "meeting_id": targets[index],
            "title": "消防通道停车"}, allow_redirects=False, timeout=60)

    threads = [threading.Thread(target=confirm, args=(i,)) for i in range(len(sessions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    db.session.rollback()
    items = db.session.scalars(select(AgendaItem).where(AgendaItem.title == "消防通道停车")).all()
    assert len(items) == 1
    suggestion = db.session.get(Suggestion, suggestion.id)
    assert suggestion.agenda_item_id == items[0].id
    statuses = sorted(a.status_code for a in answers)
    if items[0].meeting_id == meeting_id:  # the facilitator's two tabs won: both are told so
        assert statuses == [303, 303, 422]
        assert "议程上了" in answers[2].text
    else:
        assert statuses == [303, 422, 422]
    assert [e.to_state for e in suggestion.events].count(rules.DISCUSSING) == 1


def test_wrong_types_on_the_bring_form_are_messages(client, sign_in, facilitator, tomorrow,
                                                    make_suggestion):
    tomorrow()
    suggestion = make_suggestion()
    signed_in(client, sign_in, facilitator)
    url = f"/staff/suggestions/{suggestion.id}/meeting"
    for data in ({}, {"step": "confirm"}, {"step": ["check", "confirm"], "meeting_id": ["1", "2"]},
                 {"step": "check", "meeting_id": "1", "title": "x" * 5000,
                  "description": "\x00<script>" * 2000},
                 {"step": "confirm", "meeting_id": "-1", "title": "\u202e反转"}):
        response = client.post_form(url, data)
        assert response.status_code < 500, (data, response.status_code)
        assert "<script>" not in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(AgendaItem.id))) == 1
