"""板凳议事会 flows through the test client: the kiosk tile and ballot, phones, the TV,
the facilitator's screens and the staff console."""

import io
import re
from datetime import datetime, timedelta

import pytest
from itsdangerous import URLSafeSerializer
from openpyxl import load_workbook
from sqlalchemy import event, func, select

from muling_kiosk.devices import COOKIE as DEVICE_COOKIE
from muling_kiosk.extensions import db
from muling_kiosk.votes import services
from muling_kiosk.votes.models import HAND, PASS, PHONE, Ballot, HandCount, Meeting, Poll

from .factories_votes import option_id

HX = {"HX-Request": "true"}
# The "赞成 +1" button of the show of hands: the option's name, then "+1" and the count.
TAP_YES = re.compile(r'<span class="vote-tap-label">赞成</span>\s*<span class="vote-tap-line">'
                     r'<span class="vote-tap-plus">\+1</span>')
HX_RESTORE = {"HX-Request": "true", "HX-History-Restore-Request": "true"}


def text(response) -> str:
    return response.get_data(as_text=True)


def count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def request_key(html: str) -> str:
    return re.search(r'name="request_key" value="([^"]+)"', html).group(1)


@pytest.fixture
def facilitator(client, make_staff, sign_in):
    staff = make_staff("facilitator", display_name="主持人 陈静")
    sign_in(client, staff, via="tablet")
    return staff


# ---------- the kiosk tile and the public record ----------


def test_the_tile_shows_past_decisions_when_no_vote_is_open(client, make_poll, make_commitment):
    poll = make_poll(question="是否同意清理绿地上的菜地？", title="公共绿地议事会")
    services.tap_hand(poll.id, option_id(poll, "赞成"))
    services.close_poll(poll.id)
    make_commitment(item=poll.item, who="单元长", what="上门劝导种菜的住户")
    db.session.commit()
    board = text(client.get("/vote/"))
    assert "议事会：大家的决定" in board and "公共绿地议事会" in board
    page = text(client.get(f"/vote/meetings/{poll.item.meeting_id}"))
    assert "是否同意清理绿地上的菜地？" in page and "通过" in page
    assert "单元长" in page and "上门劝导种菜的住户" in page and "还没完成" in page


def test_the_tile_goes_straight_to_an_open_tablet_ballot(client, make_poll, hand_over):
    make_poll(channels=(HAND, PHONE))  # not for the tablet: the board still shows
    assert client.get("/vote/").status_code == 200
    poll = make_poll(channels=(HAND, PASS, PHONE))
    hand_over(client, poll)  # the facilitator's 交给居民投票
    response = client.get("/vote/")
    assert response.status_code == 303 and response.location.endswith(f"/vote/poll/{poll.id}")


def test_another_communitys_meeting_and_ballot_are_not_on_this_kiosk(client, make_poll,
                                                                     make_community):
    poll = make_poll(community=make_community("yonghe", "永和社区"))
    assert client.get(f"/vote/meetings/{poll.item.meeting_id}").status_code == 404
    assert client.get(f"/vote/poll/{poll.id}").status_code == 404
    assert client.post_form(f"/vote/poll/{poll.id}", {"option_id": poll.options[0].id}
                            ).status_code == 404
    assert count(Ballot) == 0


# ---------- pass the tablet ----------


def test_the_ballot_page_in_its_three_shapes(client, make_poll):
    poll = make_poll(question="是否同意建充电棚？")
    page, fragment, restore = (client.get(f"/vote/poll/{poll.id}", headers=h)
                               for h in ({}, HX, HX_RESTORE))
    assert "<html" in text(page) and 'id="ballot"' in text(page)
    assert text(fragment).lstrip().startswith('<div id="ballot"') and "<html" not in text(fragment)
    assert "<html" in text(restore)
    for response in (page, fragment, restore):
        assert "HX-Request" in response.headers["Vary"]
        assert "是否同意建充电棚？" in text(response)


def test_pass_the_tablet_confirms_before_anything_counts(client, make_poll, hand_over):
    poll = make_poll()
    hand_over(client, poll)
    yes = option_id(poll, "赞成")
    confirm = text(client.get(f"/vote/poll/{poll.id}?option={yes}", headers=HX))
    assert "您选择了：赞成，确认吗？" in confirm and "返回修改" in confirm
    assert count(Ballot) == 0  # nothing before 确认
    data = {"option_id": yes, "request_key": request_key(confirm)}
    recorded = client.post_form(f"/vote/poll/{poll.id}", data, htmx=True)
    assert recorded.status_code == 200
    assert "已记录，请传给下一位" in text(recorded)
    assert 'hx-trigger="load delay:3s"' in text(recorded)  # the next voter's screen comes alone
    assert "赞成" not in text(recorded)  # nothing to tap, nothing of the tally
    again = client.post_form(f"/vote/poll/{poll.id}", data, htmx=True)  # a double tap
    assert again.status_code == 200
    assert count(Ballot) == 1
    client.post_form(f"/vote/poll/{poll.id}/next", htmx=True)  # 下一位, after 3 seconds
    plain = client.post_form(f"/vote/poll/{poll.id}", {"option_id": yes})
    assert plain.status_code == 303 and count(Ballot) == 2


def test_the_running_tally_is_hidden_from_voters(client, make_poll, hand_over):
    poll = make_poll()
    hand_over(client, poll)
    for _ in range(3):
        services.cast_ballot(poll.id, option_id(poll, "反对"), PASS)
    db.session.commit()
    page = text(client.get(f"/vote/poll/{poll.id}"))
    assert "3 票" not in page and "反对" in page  # the button, not a count
    services.close_poll(poll.id)
    db.session.commit()
    closed = text(client.get(f"/vote/poll/{poll.id}"))
    assert "投票已结束" in closed and "未通过" in closed and "3 票" in closed


def test_a_late_or_bad_ballot_gets_a_message_and_changes_nothing(client, make_poll, hand_over):
    poll = make_poll()
    hand_over(client, poll)
    yes = option_id(poll, "赞成")
    other = make_poll()
    wrong = client.post_form(f"/vote/poll/{poll.id}", {"option_id": option_id(other, "赞成")},
                             htmx=True)
    assert wrong.status_code == 422 and "这个选项不属于这次投票" in text(wrong)
    services.close_poll(poll.id)
    db.session.commit()
    late = client.post_form(f"/vote/poll/{poll.id}", {"option_id": yes}, htmx=True)
    assert late.status_code == 409 and "投票已结束" in text(late)
    assert client.post_form("/vote/poll/999999", {"option_id": yes}).status_code == 404
    assert count(Ballot) == 0


# ---------- phones ----------


def test_a_phone_votes_once_and_sees_its_choice_when_it_comes_back(client, make_poll):
    poll = make_poll(question="是否同意建充电棚？")
    url = f"/m/v/{poll.phone_token}"
    first = client.get(url)
    assert first.status_code == 200 and DEVICE_COOKIE in first.headers.get("Set-Cookie", "")
    assert 'class="phone"' in text(first)  # the phone layout
    confirm = text(client.get(f"{url}?option={option_id(poll, '反对')}", headers=HX))
    assert "您选择了：反对，确认吗？" in confirm and count(Ballot) == 0
    voted = client.post_form(url, {"option_id": option_id(poll, "反对"),
                                   "request_key": request_key(confirm)}, htmx=True)
    assert "您已投票" in text(voted) and "您选的是：反对" in text(voted)
    back = text(client.get(url))
    assert "您已投票" in back and "您选的是：反对" in back and "确认" not in back
    again = client.post_form(url, {"option_id": option_id(poll, "赞成")}, htmx=True)
    assert "您选的是：反对" in text(again)  # its existing ballot, not a second one
    assert db.session.scalar(select(Ballot.device_id)) and count(Ballot) == 1


def test_a_forged_or_missing_device_token_is_refused_and_counts_nothing(client, make_poll):
    poll = make_poll()
    url = f"/m/v/{poll.phone_token}"
    client.get(url)
    forged = URLSafeSerializer("not the app secret", salt="muling.device").dumps("x" * 22)
    client.set_cookie(DEVICE_COOKIE, forged)
    refused = client.post_form(url, {"option_id": option_id(poll, "赞成")}, htmx=True)
    assert refused.status_code == 400 and "认不出这部手机" in text(refused)
    client.set_cookie(DEVICE_COOKIE, "garbled")
    assert client.post_form(url, {"option_id": option_id(poll, "赞成")}).status_code == 400
    client.delete_cookie(DEVICE_COOKIE)
    assert client.post_form(url, {"option_id": option_id(poll, "赞成")}).status_code == 400
    assert count(Ballot) == 0


def test_a_phone_that_sent_a_suggestion_first_votes_with_the_same_identity(
        client, make_poll, make_location):
    """One device cookie for every feature: the suggestion form's cookie is the vote's."""
    location = make_location()
    assert DEVICE_COOKIE in client.get(f"/m/s/{location.token}").headers.get("Set-Cookie", "")
    poll = make_poll()
    url = f"/m/v/{poll.phone_token}"
    assert DEVICE_COOKIE not in client.get(url).headers.get("Set-Cookie", "")
    voted = client.post_form(url, {"option_id": option_id(poll, "赞成")}, htmx=True)
    assert voted.status_code == 200 and "您已投票" in text(voted)
    assert count(Ballot) == 1


def test_a_garbled_or_closed_phone_link(client, make_poll):
    poll = make_poll()
    for token in ("nonsense-token-123", poll.phone_token[:-3], "x"):
        garbled = client.get(f"/m/v/{token}")
        assert garbled.status_code == 404 and "请重新扫码" in text(garbled)
        assert 'class="phone"' in text(garbled)
    hands_only = make_poll(channels=(HAND,))
    assert client.get(f"/m/v/{hands_only.phone_token}").status_code == 404
    client.get(f"/m/v/{poll.phone_token}")
    services.close_poll(poll.id)
    db.session.commit()
    assert "投票已结束" in text(client.get(f"/m/v/{poll.phone_token}"))
    late = client.post_form(f"/m/v/{poll.phone_token}", {"option_id": option_id(poll, "赞成")})
    assert late.status_code == 409 and count(Ballot) == 0
    assert text(late).count("投票已结束") == 1  # said once, not in red and again in yellow


# ---------- the TV ----------


def test_the_tv_answers_204_with_one_query_when_nothing_changed(client, app, make_poll):
    poll = make_poll()
    meeting = poll.item.meeting
    page = text(client.get(f"/vote/tv/{meeting.display_token}"))
    version = re.search(r'data-version="(\d+)"', page).group(1)
    state_url = f"/vote/tv/{meeting.display_token}/state"
    statements = []

    def note(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        unchanged = client.get(f"{state_url}?v={version}", headers=HX)
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    assert unchanged.status_code == 204
    queries = [s for s in statements if s.split()[0].upper() not in ("BEGIN", "COMMIT",
                                                                      "ROLLBACK")]
    assert len(queries) == 1, queries
    assert queries[0].lstrip().upper().startswith("SELECT") and "display_token" in queries[0]
    services.tap_hand(poll.id, option_id(poll, "赞成"))
    db.session.commit()
    changed = client.get(f"/vote/tv/{meeting.display_token}/state?v={version}", headers=HX)
    assert changed.status_code == 200
    assert f"state?v={int(version) + 1}" in text(changed)
    assert client.get("/vote/tv/not-a-token/state?v=1").status_code == 404
    assert client.get("/vote/tv/not-a-token").status_code == 404


def test_the_tv_follows_the_item_the_poll_and_the_close(client, make_poll):
    poll = make_poll(question="是否同意建充电棚？", items=("电动车充电桩选址", "楼道灯维修"))
    meeting = poll.item.meeting
    tv = f"/vote/tv/{meeting.display_token}"
    yes, no = option_id(poll, "赞成"), option_id(poll, "反对")
    for _ in range(4):
        services.tap_hand(poll.id, yes)
    services.tap_hand(poll.id, no)
    services.cast_ballot(poll.id, no, PASS)
    services.cast_ballot(poll.id, no, PHONE, device_id="tv-phone-xxxxxxxxxxxx")
    db.session.commit()
    live = text(client.get(tv))
    assert "是否同意建充电棚？" in live and "已投 7 票" in live
    assert "4 票 · 80%" in live and "1 票 · 20%" in live  # hands are public
    assert "平板和手机已投 2 张不记名票" in live  # the rest stays secret
    assert "用手机扫码投票" in live and "<svg" in live
    assert "aria-live" not in live.split('id="tv-live"')[1]  # no live region on the updates
    services.close_poll(poll.id)
    db.session.commit()
    closed = text(client.get(tv))
    assert "通过" in closed and "共 7 票" in closed and "4 票 · 57%" in closed
    assert "用手机扫码投票" not in closed
    services.show_item(meeting, meeting.items[1])
    db.session.commit()
    nxt = text(client.get(tv))
    assert "议题 2：楼道灯维修" in nxt and "是否同意建充电棚？" not in nxt



def test_the_tv_speaks_the_language_of_its_link_not_of_its_browser(client, make_poll):
    """A TV bought in a shop asks for English: it still shows Chinese, the community's
    language, unless its link says ?lang=en; then the stream and the fallback stay English."""
    poll = make_poll(question="是否同意建充电棚？")
    tv = f"/vote/tv/{poll.item.meeting.display_token}"
    english_browser = {"Accept-Language": "en-US,en;q=0.9"}
    client.set_cookie("lang", "en")  # even a kiosk's language choice left in the browser
    plain = text(client.get(tv, headers=english_browser))
    assert '<html lang="zh-Hans"' in plain and "正在投票" in plain
    assert f'sse-connect="{tv}/events"' in plain
    english = text(client.get(f"{tv}?lang=en"))
    assert '<html lang="en"' in english and "Voting now · <strong>0 ballots cast" in english
    assert f'sse-connect="{tv}/events?lang=en"' in english
    assert "Scan to vote on your phone" in english
    stream = client.get(f"{tv}/events?lang=en", headers=english_browser, buffered=False)
    first = next(stream.iter_encoded()).decode()  # the display now; then it waits
    stream.close()
    assert "event: display" in first and "Voting now" in first and "是否同意建充电棚？" in first
    fallback = text(client.get(f"{tv}/state?v=0&lang=en", headers=HX))
    assert "Voting now" in fallback and "lang=en" in fallback
    chinese = text(client.get(f"{tv}/state?v=0", headers=english_browser | HX))
    assert "正在投票" in chinese



def test_staff_find_the_english_tv_link_next_to_the_tv_link(client, make_staff, sign_in,
                                                             make_meeting):
    meeting = make_meeting()
    tv = f"http://kiosk.test/vote/tv/{meeting.display_token}"
    sign_in(client, make_staff("admin"))
    console = text(client.get(f"/staff/votes/{meeting.id}"))
    assert f'<a href="{tv}">{tv}</a> · <a href="{tv}?lang=en">英文电视画面</a>' in console
    run = text(client.get(f"/vote/run/{meeting.id}/tv"))
    assert f"{tv}<br>英文电视画面：{tv}?lang=en" in run


# ---------- the facilitator on the tablet ----------


def test_staff_pages_send_residents_to_the_pin_pad(client, make_poll):
    poll = make_poll()
    for url in ("/vote/run/", f"/vote/run/polls/{poll.id}"):
        response = client.get(url)
        assert response.status_code == 303 and "/unlock?next=" in response.location


def test_opening_a_poll_takes_two_taps_from_the_defaults(client, facilitator, make_meeting):
    meeting = make_meeting(items=("电动车充电桩选址",))
    run = text(client.get(f"/vote/run/{meeting.id}"))
    assert "开始投票" in run and "电动车充电桩选址" in run
    form = text(client.get(f"/vote/run/items/{meeting.items[0].id}/poll"))
    assert 'value="是否同意：电动车充电桩选址？"' in form
    fields = {"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', form).group(1),
              "request_key": request_key(form), "question": "是否同意：电动车充电桩选址？",
              "option_mode": "default", "rule": "yes_over_no", "quorum_kind": "none",
              "quorum_value": "", "channels": ["hand", "pass", "phone"]}
    opened = client.post(f"/vote/run/items/{meeting.items[0].id}/poll", data=fields)
    assert opened.status_code == 303
    twice = client.post(f"/vote/run/items/{meeting.items[0].id}/poll", data=fields)
    assert twice.status_code == 303 and twice.location == opened.location
    poll = db.session.scalar(select(Poll))
    assert count(Poll) == 1 and poll.channels == (HAND, PASS, PHONE)
    assert poll.opened_by_id == facilitator.id
    assert db.session.get(Meeting, meeting.id).current_item_id == meeting.items[0].id
    screen = text(client.get(opened.location))
    assert TAP_YES.search(screen) and "每部手机只能投一票。这不是身份核验" in screen
    assert 'aria-label="二维码：用手机投票"' in screen  # the phones' QR, small, beside the count


def test_a_bad_poll_form_keeps_what_was_typed(client, facilitator, make_meeting):
    item = make_meeting().items[0]
    response = client.post_form(f"/vote/run/items/{item.id}/poll", {
        "question": "选哪个停车方案？", "option_mode": "custom", "options": ["方案一"],
        "rule": "majority_of_ballots", "quorum_kind": "ballots", "quorum_value": "-3",
        "channels": []})
    page = text(response)
    assert response.status_code == 422
    assert "请写 2 到 6 个选项" in page and "人数不能是负数" in page and "请至少选一种投票方式" in page
    assert 'value="选哪个停车方案？"' in page and 'value="方案一"' in page
    assert count(Poll) == 0


def test_hand_taps_undo_and_the_live_tally(client, facilitator, make_poll):
    poll = make_poll()
    yes = option_id(poll, "赞成")
    screen = text(client.get(f"/vote/run/polls/{poll.id}"))
    first = client.post_form(f"/vote/run/polls/{poll.id}/tap",
                             {"option_id": yes, "request_key": request_key(screen)}, htmx=True)
    assert first.status_code == 200 and text(first).lstrip().startswith('<div id="run-live"')
    assert "赞成：1 人举手。" in text(first)  # announced in the status region
    replay = client.post_form(f"/vote/run/polls/{poll.id}/tap",
                              {"option_id": yes, "request_key": request_key(screen)}, htmx=True)
    assert replay.status_code == 200 and services.hand_counts(poll.id) == {yes: 1}
    client.post_form(f"/vote/run/polls/{poll.id}/tap", {"option_id": yes}, htmx=True)
    undone = client.post_form(f"/vote/run/polls/{poll.id}/undo", {}, htmx=True)
    assert "已撤销。赞成：1 人举手。" in text(undone)
    version = db.session.get(Poll, poll.id).version
    live_url = f"/vote/run/polls/{poll.id}/live?v={version}"
    assert f'hx-get="{live_url}"' in text(undone)
    assert client.get(live_url, headers=HX).status_code == 204
    services.cast_ballot(poll.id, yes, PHONE, device_id="phone-run-xxxxxxxxxx")
    db.session.commit()
    live = client.get(live_url, headers=HX)
    assert live.status_code == 200 and "手机 1" in text(live)
    resident = client.application.test_client()  # staff mode ended: nothing, no redirect
    assert resident.get(live_url, headers=HX).status_code == 204
    bad = client.post_form(f"/vote/run/polls/{poll.id}/tap", {"option_id": "999"}, htmx=True)
    assert bad.status_code == 422 and "这个选项不属于这次投票" in text(bad)
    assert services.hand_counts(poll.id) == {yes: 1}


def test_typing_a_total(client, facilitator, make_poll):
    poll = make_poll()
    yes = option_id(poll, "赞成")
    url = f"/vote/run/polls/{poll.id}/total"
    assert "“赞成”的举手人数" in text(client.get(f"{url}?option_id={yes}"))
    for typed, message in (("-4", "人数不能是负数"), ("123456789", "数字太大了"), ("两个", "整数")):
        refused = client.post_form(url, {"option_id": yes, "total": typed})
        assert refused.status_code == 422 and message in text(refused)
        assert f'value="{typed}"' in text(refused)
    saved = client.post_form(url, {"option_id": yes, "total": "17"})
    assert saved.status_code == 303 and services.hand_counts(poll.id) == {yes: 17}
    assert count(HandCount) == 1


def test_closing_shows_the_result_and_a_second_close_changes_nothing(client, facilitator,
                                                                     make_poll):
    poll = make_poll(question="是否同意建充电棚？")
    yes = option_id(poll, "赞成")
    services.set_hand_total(poll.id, yes, 9)
    db.session.commit()
    confirm = text(client.get(f"/vote/run/polls/{poll.id}/close"))
    assert "结束后，这个问题就不能再投票，也不能重新打开" in confirm and "共 9 票" in confirm
    assert db.session.get(Poll, poll.id).is_open
    closed = client.post_form(f"/vote/run/polls/{poll.id}/close")
    assert closed.status_code == 303
    result = text(client.get(closed.location))
    assert "投票已结束。结果：通过" in result and "各投票方式的票数" in result
    assert "记录这个议题的现场承诺" in result and not TAP_YES.search(result)
    again = client.post_form(f"/vote/run/polls/{poll.id}/close")
    assert "这次投票已经结束了" in text(client.get(again.location))
    late = client.post_form(f"/vote/run/polls/{poll.id}/tap", {"option_id": yes}, htmx=True)
    assert late.status_code == 409 and "投票已结束" in text(late)
    assert db.session.get(Poll, poll.id).figures["total"] == 9


def test_present_count_and_promises_on_the_tablet(client, facilitator, make_meeting):
    meeting = make_meeting()
    bad = client.post_form(f"/vote/run/{meeting.id}/present", {"present": "-2"})
    assert bad.status_code == 422 and "人数不能是负数" in text(bad)
    client.post_form(f"/vote/run/{meeting.id}/present", {"present": "30"})
    client.post_form(f"/vote/run/{meeting.id}/present", {"present": "32"})
    assert "32 人" in text(client.get(f"/vote/run/{meeting.id}"))
    page = text(client.get(f"/vote/run/{meeting.id}/present"))  # 到会人数 has its own screen
    assert "32 人" in page and re.search(r"之前登记：\s*30 \(", page)
    item = meeting.items[0]
    refused = client.post_form(f"/vote/run/items/{item.id}/commitments",
                               {"who": "other", "who_other": "", "what": ""})
    assert refused.status_code == 422 and "请写明是谁承诺的" in text(refused)
    due = (meeting.starts_at + timedelta(days=14)).date().isoformat()
    saved = client.post_form(f"/vote/run/items/{item.id}/commitments",
                             {"who": "物业公司", "what": "两周内划出车位", "due_on": due})
    assert saved.status_code == 303
    assert [(c.who, c.what) for c in item.commitments] == [("物业公司", "两周内划出车位")]


def test_the_promise_form_speaks_english_in_english(client, facilitator, make_meeting):
    item = make_meeting().items[0]
    form = text(client.get(f"/vote/run/items/{item.id}/commitments",
                           headers={"Accept-Language": "en"}))
    for label in ("Building leader", "Stairwell leader", "Property management company",
                  "Community office", "Someone else"):
        assert f"<span>{label}</span>" in form
    assert 'value="物业公司"' in form  # the record keeps the usual words
    assert "<span>物业公司</span>" not in form


def test_passing_the_tablet_ends_staff_mode(client, facilitator, make_poll):
    poll = make_poll()
    handed = client.post_form(f"/vote/run/polls/{poll.id}/hand-over")
    assert handed.status_code == 303 and handed.location.endswith(f"/vote/poll/{poll.id}")
    ballot = text(client.get(handed.location))
    assert "工作人员模式：" not in ballot and f"next=/vote/run/polls/{poll.id}" in ballot
    assert client.get(f"/vote/run/polls/{poll.id}").status_code == 303  # PIN again


# ---------- the console ----------


def test_console_meetings_agenda_promises_and_minutes(client, make_staff, sign_in, make_poll,
                                                      clock):
    admin = make_staff("admin")
    sign_in(client, admin)
    created = client.post_form("/staff/votes/new", {"title": "停车秩序议事会", "place": "文化广场",
                                                     "starts_at": "2026-12-03T19:00"})
    assert created.status_code == 303
    meeting = db.session.scalar(select(Meeting).where(Meeting.title == "停车秩序议事会"))
    assert meeting.starts_at.hour == 11  # 19:00 in Yinchuan is 11:00 UTC
    bad = client.post_form(f"/staff/votes/{meeting.id}/items", {"title": ""})
    assert bad.status_code == 422 and "请给议题起个简短的名称" in text(bad)
    for title in ("车辆乱停乱放", "电动车飞线充电"):
        client.post_form(f"/staff/votes/{meeting.id}/items", {"title": title, "description": ""})
    db.session.expire_all()
    second = meeting.items[1]
    client.post_form(f"/staff/votes/items/{second.id}/move", {"direction": "up"})
    db.session.expire_all()
    assert [i.title for i in meeting.items] == ["电动车飞线充电", "车辆乱停乱放"]
    poll = make_poll(item=meeting.items[1], options=["方案一", "方案二", "方案三"], rule="majority_of_ballots")
    services.set_hand_total(poll.id, option_id(poll, "方案一"), 20)
    services.set_hand_total(poll.id, option_id(poll, "方案二"), 5)
    services.cast_ballot(poll.id, option_id(poll, "方案一"), PHONE, device_id="console-phone-xxxx")
    services.close_poll(poll.id)
    db.session.commit()
    refused = client.post_form(f"/staff/votes/items/{poll.agenda_item_id}/delete")
    assert "不能删除" in text(client.get(refused.location))
    client.post_form(f"/staff/votes/items/{poll.agenda_item_id}/commitments",
                     {"who": "other", "who_other": "物业公司", "what": "划出24个车位"})
    commitment = poll.item.commitments[0]
    listing = text(client.get("/staff/votes/commitments"))
    assert "划出24个车位" in listing and "标记完成" in listing
    clock.move_to(datetime.fromisoformat("2026-12-09T10:00+08:00"))  # done on a past day
    sign_in(client, admin)  # the console's sign-in does not last two weeks
    client.post_form(f"/staff/votes/commitments/{commitment.id}/done", {"done_on": "2026-12-08"})
    db.session.expire_all()
    assert str(commitment.done_on) == "2026-12-08"

    minutes = text(client.get(f"/staff/votes/{meeting.id}/minutes"))
    assert "板凳议事会会议纪要" in minutes and "通过：方案一" in minutes and "划出24个车位" in minutes
    csv = client.get(f"/staff/votes/{meeting.id}/minutes.csv")
    assert csv.data.startswith("\ufeff".encode()) and "attachment" in csv.headers["Content-Disposition"]
    lines = csv.data.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("议题,表决问题,表决规则")
    assert any("方案一" in line and ",20,0,1,21," in line and "通过：方案一" in line for line in lines)
    workbook = load_workbook(io.BytesIO(client.get(f"/staff/votes/{meeting.id}/minutes.xlsx").data))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][:3] == ("议题", "表决问题", "表决规则")
    assert ("2. 车辆乱停乱放", "物业公司", "划出24个车位", "2026-12-08") in {
        (r[0], r[10], r[11], r[13]) for r in rows}


def test_a_volunteer_sees_no_meeting_tools(client, make_staff, sign_in):
    sign_in(client, make_staff("volunteer"), via="tablet")
    assert "主持议事会" not in text(client.get("/"))
    assert client.get("/vote/run/").status_code == 403
    facilitator_client = client.application.test_client()
    sign_in(facilitator_client, make_staff("facilitator"), via="tablet")
    assert "主持议事会" in text(facilitator_client.get("/"))
