"""板凳议事会 in Chromium: a facilitator runs a meeting on the tablet, neighbours vote by
hand, on the tablet and on their phones, a TV follows by itself, and the minutes print."""

import io
import re
import unicodedata

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select

from muling_kiosk.extensions import db
from muling_kiosk.votes import services
from muling_kiosk.votes.models import Poll

from .checks import check_screen
from .conftest import CONSOLE_PASSWORD, PHONE, TABLET, TABLET_PORTRAIT

TV = {"viewport": {"width": 1280, "height": 720}}
# The tablet four ways: name suffix → (device, 大字 on).
TABLETS = {"tablet": (TABLET, False), "portrait": (TABLET_PORTRAIT, False),
           "large-text-tablet": (TABLET, True), "large-text-portrait": (TABLET_PORTRAIT, True)}
# Screens the first test photographs on the landscape tablet, with its own data.
IN_THE_FLOW = {"votes-run-meetings", "votes-run-meeting", "votes-open-poll", "votes-run-poll",
               "votes-close-confirm", "votes-result", "votes-promise", "votes-ballot",
               "votes-ballot-confirm", "votes-ballot-recorded", "votes-board", "votes-meeting"}


def tap_pin(page, pin: str):
    for digit in pin:
        page.locator(f"[data-key='{digit}']").click()


def unlock(page, pin="135790"):
    tap_pin(page, pin)
    page.get_by_role("button", name="解锁").click()


def vote_on_phone(page, url: str, choice: str, name: str | None = None):
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text("是否同意：电动车充电桩选址？")
    if name:
        check_screen(page, f"{name}-ballot", kind="phone")
    page.get_by_role("button", name=choice, exact=True).click()
    expect(page.locator(".vote-confirm-question")).to_have_text(f"您选择了：{choice}，确认吗？")
    if name:
        check_screen(page, f"{name}-confirm", kind="phone")
    page.get_by_role("button", name="确认").click()
    expect(page.get_by_role("heading", level=2)).to_contain_text("您已投票")
    expect(page.locator(".vote-voted")).to_contain_text(f"您选的是：{choice}")
    if name:
        check_screen(page, f"{name}-voted", kind="phone")


def pass_the_tablet(page, choice: str, screenshots: bool = False):
    """One resident: choose, confirm, see 已记录 — then the next voter's screen comes alone."""
    page.get_by_role("button", name=choice, exact=True).click()
    expect(page.locator(".vote-confirm-question")).to_have_text(f"您选择了：{choice}，确认吗？")
    if screenshots:
        check_screen(page, "votes-ballot-confirm-tablet")
    page.get_by_role("button", name="确认").click()
    message = "已记录，请传给下一位。"
    recorded = page.get_by_role("heading", name=message)
    expect(recorded).to_be_visible()
    expect(page.locator("#ballot button")).to_have_count(0)  # nothing to tap while it shows
    expect(page.get_by_role("status")).to_have_text(message)  # heard once, by a screen reader
    expect(page.locator(".topbar")).to_be_hidden()  # once htmx has settled the new screen
    # Only the message, once: nothing to tap (no 返回首页 / 大字 / English / 工作人员), and
    # the status line does not show it a second time.
    assert page.evaluate(_VISIBLE_TAPPABLES) == []
    assert page.evaluate(_SEEN_TIMES, message) == 1
    if screenshots:
        check_screen(page, "votes-ballot-recorded-tablet")
    expect(recorded).to_be_hidden()
    expect(page.get_by_role("button", name=choice, exact=True)).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("")  # the next voter sees no 已记录
    expect(page.get_by_role("link", name="工作人员")).to_be_visible()


def test_a_bench_meeting_from_the_first_tap_to_the_printed_minutes(
        browser, live_server, tablet, phone, make_staff, make_meeting, committed):
    make_staff("facilitator", display_name="主持人 陈静", pin="135790")
    meeting = make_meeting(title="楼院环境议事会", place="林荫廊道",
                           items=("电动车充电桩选址", "楼道灯维修"))

    # The TV is switched on before the meeting and never touched again.
    tv_context = browser.new_context(base_url=live_server, locale="zh-CN", **TV)
    tv = tv_context.new_page()
    tv.goto(f"/vote/tv/{meeting.display_token}")
    expect(tv.locator(".tv-question")).to_have_text("楼院环境议事会")
    expect(tv.get_by_text("议事会马上开始。")).to_be_visible()
    check_screen(tv, "votes-tv-waiting", kind="tv")

    # The facilitator unlocks staff mode and picks the meeting.
    tablet.goto("/")
    tablet.get_by_role("link", name="工作人员").click()
    unlock(tablet)
    tablet.get_by_role("link", name="主持议事会").click()
    expect(tablet.get_by_role("heading", level=1)).to_have_text("主持议事会")
    check_screen(tablet, "votes-run-meetings-tablet")
    tablet.get_by_role("link", name=re.compile("楼院环境议事会")).click()
    tablet.get_by_role("link", name="登记到会人数").click()
    tablet.get_by_label("登记或更正到会人数").fill("30")
    tablet.get_by_role("button", name="保存到会人数").click()
    expect(tablet.locator(".vote-big-number")).to_have_text("30 人")
    expect(tablet.get_by_role("status")).to_have_text("到会 30 人。")
    check_screen(tablet, "votes-run-meeting-tablet")

    # Two taps from the defaults: 开始投票 on the item, 开始投票 on the ready form.
    tablet.get_by_role("link", name="开始投票").first.click()
    expect(tablet.get_by_label("表决问题")).to_have_value("是否同意：电动车充电桩选址？")
    check_screen(tablet, "votes-open-poll-tablet")
    tablet.get_by_role("button", name="开始投票").first.click()
    expect(tablet.get_by_role("heading", level=1)).to_have_text("是否同意：电动车充电桩选址？")
    expect(tablet.get_by_text("这不是身份核验")).to_be_visible()
    expect(tv.locator(".tv-question")).to_have_text("是否同意：电动车充电桩选址？")
    expect(tv.locator(".tv-status")).to_contain_text("已投 0 票")
    expect(tv.get_by_text("用手机扫码投票")).to_be_visible()
    check_screen(tv, "votes-tv-open", kind="tv")

    # Hands: three for, one against that was a mistake and is taken back.
    poll = committed().scalar(select(Poll))
    yes, no = (o.id for o in poll.options[:2])
    for n in range(1, 4):
        tablet.get_by_role("button", name="赞成 +1").click()
        expect(tablet.locator(f"#hand-count-{yes}")).to_have_text(f"{n} 人")
    tablet.get_by_role("button", name="反对 +1").click()
    expect(tablet.locator(f"#hand-count-{no}")).to_have_text("1 人")
    tablet.get_by_role("button", name="撤销上一次").click()
    expect(tablet.locator(f"#hand-count-{no}")).to_have_text("0 人")
    expect(tablet.get_by_role("status")).to_have_text("已撤销。反对：0 人举手。")
    check_screen(tablet, "votes-run-poll-tablet")
    expect(tv.locator(".tv-bar-row").first).to_contain_text("3 票 · 100%")

    # Two neighbours vote from their phones.
    phone_url = f"/m/v/{poll.phone_token}"
    vote_on_phone(phone, phone_url, "赞成", name="votes-phone")
    other_phone_context = browser.new_context(base_url=live_server, locale="zh-CN", **PHONE)
    other_phone = other_phone_context.new_page()
    vote_on_phone(other_phone, phone_url, "反对")
    phone.reload()
    expect(phone.locator(".vote-voted")).to_contain_text("您选的是：赞成")  # one vote per phone
    expect(phone.get_by_role("button", name="确认")).to_have_count(0)

    # The facilitator passes the tablet: staff mode ends, three residents vote in turn.
    tablet.get_by_role("button", name="把平板交给居民投票").click()
    expect(tablet.get_by_role("heading", level=1)).to_have_text("是否同意：电动车充电桩选址？")
    expect(tablet.get_by_role("region", name="工作人员模式")).to_have_count(0)
    expect(tablet.get_by_text("不记名投票。投票结束后公布结果。")).to_be_visible()
    check_screen(tablet, "votes-ballot-tablet")
    tablet.get_by_role("button", name="反对", exact=True).click()
    tablet.get_by_role("link", name="返回修改").click()  # changed their mind before confirming
    pass_the_tablet(tablet, "赞成", screenshots=True)
    pass_the_tablet(tablet, "赞成")
    pass_the_tablet(tablet, "弃权")
    expect(tablet.locator("#ballot")).not_to_contain_text("票 ·")  # no running tally for voters

    # The TV shows how many voted, not how, until the close.
    expect(tv.locator(".tv-status")).to_contain_text("已投 8 票")
    expect(tv.locator(".tv-secret")).to_contain_text("平板和手机已投 5 张不记名票")

    # Back to staff mode with the PIN; close; 通过.
    tablet.get_by_role("link", name="工作人员").click()
    unlock(tablet)
    expect(tablet.locator(".vote-run-status")).to_contain_text("共 8 票")
    tablet.get_by_role("link", name="结束投票并计票").click()
    expect(tablet.get_by_role("heading", level=1)).to_have_text("结束投票并计票吗？")
    check_screen(tablet, "votes-close-confirm-tablet")
    tablet.get_by_role("button", name="确认结束并计票").click()
    expect(tablet.locator(".vote-result-word")).to_have_text("通过")
    expect(tablet.get_by_role("status")).to_have_text("投票已结束。结果：通过")
    check_screen(tablet, "votes-result-tablet")
    expect(tv.locator(".tv-result")).to_have_text("通过")
    expect(tv.locator(".tv-status")).to_contain_text("共 8 票")
    expect(tv.locator(".tv-bar-row").first).to_contain_text("6 票 · 75%")
    check_screen(tv, "votes-tv-result", kind="tv")

    # A promise on the spot, then the next item: the TV follows again.
    tablet.get_by_role("link", name="记录这个议题的现场承诺").click()
    tablet.get_by_text("物业公司", exact=True).click()
    tablet.get_by_label("承诺做什么").fill("一个月内在5号楼西侧建好充电棚")
    tablet.get_by_label("什么时候完成（可不填）").fill("2026-12-31")
    check_screen(tablet, "votes-promise-tablet")
    tablet.get_by_role("button", name="保存承诺").click()
    expect(tablet.get_by_role("status")).to_have_text("承诺已记下。")
    tablet.get_by_role("button", name="下一项议题：楼道灯维修").click()
    expect(tv.locator(".tv-item")).to_have_text("议题 2：楼道灯维修")

    db = committed()
    closed = db.get(Poll, poll.id)
    assert closed.result == "passed"
    assert closed.figures["channels"] == {"hand": 3, "pass": 3, "phone": 2}
    assert [o["total"] for o in closed.figures["options"]] == [6, 1, 1]

    # The minutes, printed on A4.
    tablet.goto(f"/staff/votes/{meeting.id}/minutes")
    expect(tablet.get_by_role("heading", level=1)).to_contain_text("板凳议事会会议纪要")
    check_screen(tablet, "votes-minutes-console", kind="console")
    pdf = PdfReader(io.BytesIO(tablet.pdf(format="A4")))
    width, height = pdf.pages[0].mediabox.width, pdf.pages[0].mediabox.height
    assert abs(width - 595.3) < 1.5 and abs(height - 841.9) < 1.5  # A4: 210 × 297 mm
    printed = "".join(page.extract_text() for page in pdf.pages)
    # The PDF's font names some glyphs by their Kangxi radical (⽉ for 月): NFKC folds them.
    compact = re.sub(r"\s+", "", unicodedata.normalize("NFKC", printed))
    for words in ("板凳议事会会议纪要", "楼院环境议事会", "是否同意：电动", "充电桩选址？", "通过",
                  "物业公司", "一个月内在5号楼西侧建好充电棚", "楼道灯维修", "记录人"):
        assert unicodedata.normalize("NFKC", words) in compact, words
    assert "打印" not in compact  # the buttons stay on the screen
    tv_context.close()
    other_phone_context.close()


def test_the_public_board_and_a_closed_ballot_on_the_kiosk(tablet, make_poll, make_commitment,
                                                            hand_over_tablet):
    poll = make_poll(question="是否同意清理绿地上的菜地？", title="公共绿地议事会")
    services.set_hand_total(poll.id, poll.options[0].id, 21)
    services.set_hand_total(poll.id, poll.options[1].id, 4)
    make_commitment(item=poll.item, who="单元长", what="上门劝导种菜的住户")
    db.session.commit()
    hand_over_tablet(tablet, poll)
    tablet.goto(f"/vote/poll/{poll.id}")
    services.close_poll(poll.id)
    db.session.commit()
    tablet.get_by_role("button", name="赞成", exact=True).click()  # a late voter
    expect(tablet.locator(".vote-ended")).to_have_text("投票已结束。")
    expect(tablet.locator(".vote-result-word")).to_have_text("通过")
    check_screen(tablet, "votes-ballot-closed-tablet")
    tablet.goto("/")
    tablet.get_by_role("link", name=re.compile("议事会投票")).click()
    expect(tablet.get_by_role("heading", level=1)).to_have_text("议事会：大家的决定")
    check_screen(tablet, "votes-board-tablet")
    tablet.get_by_role("link", name=re.compile("公共绿地议事会")).click()
    expect(tablet.get_by_text("上门劝导种菜的住户")).to_be_visible()
    check_screen(tablet, "votes-meeting-tablet")


def test_the_console_plans_a_meeting_and_follows_up_promises(console, make_staff, make_poll,
                                                             make_commitment):
    admin = make_staff("admin", username="liuyang", password=CONSOLE_PASSWORD,
                       display_name="刘洋")
    poll = make_poll(title="停车秩序议事会")
    make_commitment(item=poll.item, who="物业公司", what="在北侧空地划出24个车位",
                    due_on="2026-12-01")
    page = console(admin)
    page.get_by_role("navigation").get_by_role("link", name="议事会").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("议事会")
    check_screen(page, "votes-meetings-console", kind="console")

    page.get_by_role("link", name="新建会议").click()
    page.get_by_label("会议名称").fill("垃圾分类议事会")
    page.get_by_label("地点").fill("文化广场")
    page.get_by_label("日期和时间").fill("2026-12-03T19:00")
    check_screen(page, "votes-new-meeting-console", kind="console")
    page.get_by_role("button", name="保存会议").click()
    expect(page.get_by_role("status")).to_have_text("会议已保存。请添加议题。")
    page.get_by_label("议题名称").fill("楼道堆物清理")
    page.get_by_label("简要说明（可不填）").fill("楼道里堆放杂物，挡住消防通道。")
    page.get_by_role("button", name="添加议题").click()
    expect(page.get_by_role("heading", level=3)).to_have_text("1. 楼道堆物清理")
    check_screen(page, "votes-meeting-console", kind="console")

    page.goto("/staff/votes/")
    page.get_by_role("link", name="待落实的承诺").click()
    expect(page.get_by_role("table")).to_contain_text("在北侧空地划出24个车位")
    check_screen(page, "votes-commitments-console", kind="console")
    page.get_by_label("完成日期").fill("2026-11-24")  # today: a day to come is refused
    page.get_by_role("button", name=re.compile("标记完成")).click()
    expect(page.get_by_role("status")).to_have_text("已标记为完成。")
    expect(page.get_by_role("button", name=re.compile("改为未完成"))).to_be_visible()


# ---------- every tablet screen fits, upright or not, with 大字 or not ----------


class Tablet:
    """A tablet in one of the TABLETS ways; shot(name) checks the screen and photographs it
    as <name>-<way> (the flow test above already has the landscape photo of some)."""

    def __init__(self, browser, live_server, way, enroll):
        device, large = TABLETS[way]
        self.way, self.large = way, large
        self.context = browser.new_context(base_url=live_server, locale="zh-CN", **device)
        self.context.set_default_timeout(10_000)
        enroll(self.context)  # the station's tablet
        if large:
            self.context.add_cookies([{"name": "large_text", "value": "1", "url": live_server}])
        self.page = self.context.new_page()

    def shot(self, name):
        taken = self.way == "tablet" and name in IN_THE_FLOW
        check_screen(self.page, None if taken else f"{name}-{self.way}")


@pytest.fixture(params=list(TABLETS))
def any_tablet(request, browser, live_server, enroll_context):
    tablet = Tablet(browser, live_server, request.param, enroll_context)
    yield tablet
    tablet.context.close()


def test_the_facilitators_screens_need_no_scrolling(any_tablet, make_staff, make_meeting):
    make_staff("facilitator", display_name="主持人 陈静", pin="135790")
    meeting = make_meeting(title="楼院环境议事会", place="林荫廊道",
                           items=("电动车充电桩选址", "楼道灯维修", "是否同意在3号楼前加装休息长椅？"))
    page, shot = any_tablet.page, any_tablet.shot
    page.goto("/unlock?next=/vote/run/")
    unlock(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("主持议事会")
    shot("votes-run-meetings")

    page.get_by_role("link", name=re.compile("楼院环境议事会")).click()
    # A page of the agenda: two items, or one with 大字.
    expect(page.locator(".vote-agenda-item")).to_have_count(1 if any_tablet.large else 2)
    shot("votes-run-meeting")
    page.get_by_role("link", name="登记到会人数").click()
    page.get_by_label("登记或更正到会人数").fill("30")
    shot("votes-present")
    page.get_by_role("button", name="保存到会人数").click()
    expect(page.get_by_role("status")).to_have_text("到会 30 人。")
    expect(page.locator(".vote-present-link")).to_contain_text("30 人")
    page.get_by_role("link", name="连接电视").click()
    expect(page.locator(".vote-link-text")).to_contain_text(f"/vote/tv/{meeting.display_token}")
    shot("votes-run-tv")
    page.get_by_role("link", name="返回会议").click()
    page.goto(f"/vote/run/{meeting.id}" + ("?page=2" if any_tablet.large else ""))
    page.get_by_role("link", name="下一页").click()
    expect(page.get_by_role("heading", level=2)).to_have_text("3. 是否同意在3号楼前加装休息长椅？")
    shot("votes-run-meeting-page-2")

    # A question-like title is the question as it is; every setting has a screen that fits.
    page.get_by_role("link", name="开始投票").click()
    expect(page.get_by_label("表决问题")).to_have_value("是否同意在3号楼前加装休息长椅？")
    shot("votes-open-poll")
    for name, section, heading in (("options", "选项", "选项"), ("rule", "怎样算通过", "怎样算通过"),
                                   ("quorum", "最低人数", "最低人数"),
                                   ("channels", "投票方式", "投票方式（可多选）")):
        page.get_by_role("button", name=f"更改 · {section}").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        shot(f"votes-open-poll-{name}")
        page.get_by_role("button", name="确定").click()
    page.get_by_role("button", name="开始投票").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("是否同意在3号楼前加装休息长椅？")
    for _ in range(2):
        page.get_by_role("button", name="赞成 +1").click()
    page.get_by_role("button", name="反对 +1").click()
    expect(page.get_by_role("status")).to_have_text("反对：1 人举手。")
    shot("votes-run-poll")
    page.get_by_role("link", name="输入总数").click()
    shot("votes-hand-total-choose")
    page.get_by_role("link", name=re.compile("弃权")).click()
    page.get_by_role("textbox", name="举手人数").fill("4")
    shot("votes-hand-total")
    page.get_by_role("button", name="保存总数").click()
    expect(page.get_by_role("status")).to_have_text("弃权：4 人举手。")

    page.get_by_role("link", name="结束投票并计票").click()
    shot("votes-close-confirm")
    page.get_by_role("button", name="确认结束并计票").click()
    expect(page.locator(".vote-result-word")).to_have_text("通过")
    shot("votes-result")
    page.get_by_role("link", name="记录这个议题的现场承诺").click()
    page.get_by_text("物业公司", exact=True).click()
    page.get_by_label("承诺做什么").fill("一个月内在3号楼前装好两张长椅")
    shot("votes-promise")


def test_six_options_fit_the_show_of_hands(any_tablet, make_staff, make_poll):
    make_staff("facilitator", display_name="主持人 陈静", pin="135790")
    poll = make_poll(question="选哪个停车方案？", title="停车秩序议事会",
                     items=("车辆乱停乱放",),
                     options=["北侧划车位", "错时共享", "维持现状", "扩建车库", "路边限停", "再议"])
    page, shot = any_tablet.page, any_tablet.shot
    page.goto(f"/unlock?next=/vote/run/polls/{poll.id}")
    unlock(page)
    expect(page.locator(".vote-tap")).to_have_count(6)
    page.get_by_role("button", name="维持现状 +1").click()
    expect(page.get_by_role("status")).to_have_text("维持现状：1 人举手。")
    shot("votes-run-poll-six")
    page.get_by_role("link", name="输入总数").click()
    shot("votes-hand-total-choose-six")
    page.goto(f"/vote/run/polls/{poll.id}/close")
    page.get_by_role("button", name="确认结束并计票").click()
    expect(page.locator(".vote-channel-table tbody tr")).to_have_count(6)
    shot("votes-result-six")


def test_a_tap_is_not_lost_when_the_screen_refreshes_under_the_finger(tablet, make_staff, make_poll,
                                                                      committed):
    """A tap is a press and a release. If the once-a-second refresh (a phone ballot arrived)
    replaces the button in between, the browser clicks nothing (seen in CI: a 反对 tap lost)."""
    make_staff("facilitator", display_name="主持人 陈静", pin="135790")
    poll = make_poll(question="是否同意加装休息长椅？", title="楼院环境议事会", items=("休息长椅",))
    poll_id, yes, no = poll.id, poll.options[0].id, poll.options[1].id
    committed()  # the test's own reading ends: the live server writes
    tablet.goto(f"/unlock?next=/vote/run/polls/{poll_id}")
    unlock(tablet)
    box = tablet.locator(f"#tap-{no}").bounding_box()
    tablet.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    tablet.mouse.down()
    with tablet.expect_response(lambda r: "/live" in r.url and r.status == 200):
        services.tap_hand(poll_id, yes)  # another tablet's count changes the screen …
        db.session.commit()
    tablet.mouse.up()  # … while the finger is down
    expect(tablet.get_by_role("status")).to_have_text("反对：1 人举手。")
    expect(tablet.locator(f"#hand-count-{no}")).to_have_text("1 人")
    expect(tablet.locator(f"#hand-count-{yes}")).to_have_text("1 人")
    assert services.tally(committed().get(Poll, poll_id)).hand == 2


def test_the_residents_tablet_screens_need_no_scrolling(any_tablet, make_poll, make_meeting,
                                                         make_commitment, hand_over_tablet):
    # Five past meetings (the board pages them), the last with three items.
    for title in ("停车秩序议事会", "电动车充电议事会", "楼道堆物议事会", "垃圾分类议事会"):
        old = make_poll(title=title, question=f"是否同意{title[:-3]}方案？")
        services.tap_hand(old.id, old.options[0].id)
        services.close_poll(old.id)
    meeting = make_meeting(title="公共绿地议事会", items=("公共绿地种菜", "物业管理", "廊道加装围栏"))
    for item, question in zip(meeting.items, ("是否同意清理绿地上的菜地、恢复草坪，另在东南角设共享小菜园？",
                                              "是否同意要求物业每季度在公告栏公示收支？",
                                              "是否同意在林荫廊道两侧加装铁艺围栏？"), strict=True):
        poll = make_poll(item=item, question=question)
        services.set_hand_total(poll.id, poll.options[0].id, 21)
        services.set_hand_total(poll.id, poll.options[1].id, 4)
        services.close_poll(poll.id)
    db.session.commit()
    for who, what in (("单元长", "上门劝导种菜的住户，两周内自行收菜"),
                      ("社区", "联系园林站补种草坪，划出共享小菜园"),
                      ("物业公司", "每季度第一周在各楼公告栏公示收支明细")):
        make_commitment(item=meeting.items[0], who=who, what=what, due_on="2026-12-20")
    page, shot = any_tablet.page, any_tablet.shot

    page.goto("/vote/")
    expect(page.get_by_role("heading", level=1)).to_have_text("议事会：大家的决定")
    shot("votes-board")
    page.get_by_role("link", name="下一页").click()
    expect(page.get_by_role("link", name="上一页")).to_be_visible()
    shot("votes-board-page-2")
    page.goto("/vote/?page=9")  # past the end: the last page
    expect(page.get_by_role("link", name=re.compile("停车秩序议事会"))).to_be_visible()
    page.goto("/vote/")
    page.get_by_role("link", name=re.compile("公共绿地议事会")).click()
    expect(page.locator(".vote-list article")).to_have_count(2 if any_tablet.large else 3)
    shot("votes-meeting")
    page.get_by_role("link", name=re.compile("议题 1：公共绿地种菜")).click()
    expect(page.get_by_text("上门劝导种菜的住户，两周内自行收菜")).to_be_visible()
    shot("votes-meeting-item")
    page.get_by_role("link", name="下一项").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("议题 2：物业管理")
    shot("votes-meeting-item-2")

    # Pass the tablet: choose, confirm, 已记录 — only the message, once, nothing to tap.
    poll = make_poll(question="是否同意在3号楼前加装休息长椅？", title="楼院环境议事会")
    hand_over_tablet(page, poll)
    page.goto("/vote/")
    expect(page.get_by_role("heading", level=1)).to_have_text("是否同意在3号楼前加装休息长椅？")
    shot("votes-ballot")
    page.get_by_role("button", name="赞成", exact=True).click()
    expect(page.locator(".vote-confirm-question")).to_have_text("您选择了：赞成，确认吗？")
    shot("votes-ballot-confirm")
    page.get_by_role("button", name="确认").click()
    message = "已记录，请传给下一位。"
    expect(page.get_by_role("heading", name=message)).to_be_visible()
    expect(page.get_by_role("status")).to_have_text(message)  # heard once, by a screen reader
    expect(page.locator(".topbar")).to_be_hidden()  # once htmx has settled the new screen
    assert page.evaluate(_VISIBLE_TAPPABLES) == []  # no 返回首页 / 大字 / English / 工作人员
    assert page.evaluate(_SEEN_TIMES, message) == 1  # and seen once, not in the status line too
    shot("votes-ballot-recorded")
    expect(page.get_by_role("heading", name=message)).to_be_hidden()
    expect(page.get_by_role("button", name="赞成", exact=True)).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("")  # the next voter sees no 已记录
    expect(page.get_by_role("link", name="工作人员")).to_be_visible()
    assert services.tally(poll).pass_ == 1


@pytest.mark.parametrize("width", [320, 390])
def test_the_phone_ballot_never_scrolls_sideways(browser, live_server, make_poll, width):
    """Phones may scroll down, never sideways, from 320 px wide; a late ballot hears
    "投票已结束" once."""
    poll = make_poll(question="选哪个停车方案？", options=["北侧空地划车位", "错时共享单位车位",
                                                          "维持现状"])
    context = browser.new_context(base_url=live_server, locale="zh-CN", **{
        **PHONE, "viewport": {"width": width, "height": 700}})
    page = context.new_page()
    page.goto(f"/m/v/{poll.phone_token}")
    check_screen(page, f"votes-phone-ballot-{width}", kind="phone")
    page.get_by_role("button", name="错时共享单位车位").click()
    expect(page.locator(".vote-confirm-question")).to_contain_text("错时共享单位车位")
    check_screen(page, f"votes-phone-confirm-{width}", kind="phone")
    services.close_poll(poll.id)  # closed while this phone was confirming
    db.session.commit()
    page.get_by_role("button", name="确认").click()
    expect(page.locator(".vote-ended")).to_have_text("投票已结束。")
    expect(page.get_by_text("投票已结束")).to_have_count(1)
    check_screen(page, f"votes-phone-late-{width}", kind="phone")
    context.close()


# Every link and button a finger could reach (not hidden, not in a hidden bar).
_VISIBLE_TAPPABLES = """() => [...document.querySelectorAll('a[href], button, input, select')]
  .filter((el) => el.checkVisibility({visibilityProperty: true}) && el.type !== 'hidden')
  .filter((el) => { const r = el.getBoundingClientRect();
                    return r.right > 0 && r.bottom > 0 && r.left < innerWidth && r.top < innerHeight; })
  .map((el) => el.textContent.trim())"""
# How many elements show this text where an eye can read it (not clipped to a pixel).
_SEEN_TIMES = """(text) => [...document.querySelectorAll('body *')]
  .filter((el) => [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.includes(text)))
  .filter((el) => el.checkVisibility({visibilityProperty: true})
                  && el.getBoundingClientRect().width > 1 && el.getBoundingClientRect().height > 1)
  .length"""
