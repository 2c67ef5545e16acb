"""板凳议事会 in Chromium: a facilitator runs a meeting on the tablet, neighbours vote by
hand, on the tablet and on their phones, a TV follows by itself, and the minutes print."""

import io
import re
import unicodedata

from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select

from muling_kiosk.votes.models import Poll

from .checks import check_screen
from .conftest import CONSOLE_PASSWORD, PHONE

TV = {"viewport": {"width": 1280, "height": 720}}


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
    check_screen(tv, "votes-tv-waiting")

    # The facilitator unlocks staff mode and picks the meeting.
    tablet.goto("/")
    tablet.get_by_role("link", name="工作人员").click()
    unlock(tablet)
    tablet.get_by_role("link", name="主持议事会").click()
    expect(tablet.get_by_role("heading", level=1)).to_have_text("主持议事会")
    check_screen(tablet, "votes-run-meetings-tablet")
    tablet.get_by_role("link", name=re.compile("楼院环境议事会")).click()
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
    check_screen(tv, "votes-tv-open")

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
    check_screen(tv, "votes-tv-result")

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


def test_the_public_board_and_a_closed_ballot_on_the_kiosk(tablet, make_poll, make_commitment):
    from muling_kiosk.extensions import db
    from muling_kiosk.votes import services

    poll = make_poll(question="是否同意清理绿地上的菜地？", title="公共绿地议事会")
    services.set_hand_total(poll.id, poll.options[0].id, 21)
    services.set_hand_total(poll.id, poll.options[1].id, 4)
    make_commitment(item=poll.item, who="单元长", what="上门劝导种菜的住户")
    db.session.commit()
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
    page.get_by_label("完成日期").fill("2026-11-28")
    page.get_by_role("button", name=re.compile("标记完成")).click()
    expect(page.get_by_role("status")).to_have_text("已标记为完成。")
    expect(page.get_by_role("table")).to_contain_text("2026年11月28日")


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
