"""The whole loop in Chromium — 民事民提 → 民事民议 → 民事民决 → 民事民评: at desktop size staff
move a suggestion through every state, bringing it to a bench meeting; the facilitator runs
the vote on a tablet-sized page (PIN, open the poll, tap hands, close); the resident reads
已决定 with the result on a phone-sized page, then rates it once it is 已解决."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect
from sqlalchemy import func, select

from muling_kiosk.suggestions import services as rules
from muling_kiosk.suggestions.models import Suggestion
from muling_kiosk.votes.models import AgendaItem

from .checks import check_screen
from .conftest import CONSOLE_PASSWORD as PASSWORD

TZ = ZoneInfo("Asia/Shanghai")


def publish(page, state: str, reply: str):
    page.get_by_label("新状态").select_option(label=state)
    page.get_by_label("公开答复").fill(reply)
    page.get_by_role("button", name="发布").click()
    expect(page.get_by_role("status")).to_have_text(f"现在是“{state}”。居民能看到您的答复。")


def unlock(page, pin="135790"):
    for digit in pin:
        page.locator(f"[data-key='{digit}']").click()
    page.get_by_role("button", name="解锁").click()


def test_a_suggestion_goes_round_the_loop_through_a_bench_meeting(
        console, tablet, phone, new_tablet, make_staff, make_meeting, make_suggestion, committed):
    facilitator = make_staff("facilitator", password=PASSWORD, pin="135790",
                             display_name="主持人 陈静")
    day = datetime.now(TZ).date() + timedelta(days=1)
    meeting = make_meeting(title="楼院环境议事会", place="林荫廊道", items=("楼道灯维修",),
                           starts_at=datetime(day.year, day.month, day.day, 19, 0, tzinfo=TZ))
    suggestion = make_suggestion(text="5号楼和6号楼之间的消防通道天天停着车，晚上更多。",
                                 contact_name="李阿姨", contact_phone="13812345678")
    code = rules.group_code(suggestion.code)
    desk = console(facilitator)
    desk.goto(f"/staff/suggestions/{suggestion.id}")
    expect(desk.get_by_role("heading", name="提交议事会")).to_be_visible()

    # 未采纳 first: a suggestion not adopted cannot go to a meeting, and the page says why.
    publish(desk, "未采纳", "先听听其他邻居的意见，暂不采纳。")
    expect(desk.locator(".state-line")).to_have_text("未采纳")
    desk.goto(f"/staff/suggestions/{suggestion.id}/meeting")
    expect(desk.get_by_role("alert")).to_contain_text("请先把它改回“讨论中”")
    expect(desk.locator("main select")).to_have_count(0)
    check_screen(desk, "suggest-bring-refused-console", kind="console")

    # Taken up again, then brought to tomorrow's meeting.
    desk.get_by_role("link", name=re.compile("返回建议")).click()
    publish(desk, "讨论中", "好几位邻居也反映了，我们重新受理。")
    desk.get_by_role("link", name="提交议事会").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("提交议事会")
    expect(desk.get_by_label("议题名称")).to_have_value("5号楼和6号楼之间的消防通道天天停着车")
    choice = desk.get_by_label("板凳议事会")
    expect(choice.locator("option")).to_have_text(["选一次议事会", re.compile(
        rf"^楼院环境议事会 · {day.month}月{day.day}日 星期. 下午7:00 · 林荫廊道$")])
    choice.select_option(value=str(meeting.id))
    desk.get_by_label("议题名称").fill("消防通道停车")
    check_screen(desk, "suggest-bring-console", kind="console")
    desk.get_by_role("button", name="下一步：确认一下").click()
    confirm = desk.locator("#bring")
    expect(confirm.get_by_role("heading", level=2)).to_have_text("请确认提交议事会")
    expect(desk.get_by_role("status")).to_have_text("请确认提交议事会")
    expect(confirm).to_contain_text("消防通道停车")
    expect(confirm).to_contain_text(f"已提交 {day.month}月{day.day}日")
    expect(confirm).to_contain_text("的板凳议事会（林荫廊道）讨论")
    check_screen(desk, "suggest-bring-confirm-console", kind="console")
    db = committed()
    assert db.scalar(select(func.count(AgendaItem.id))) == 1  # nothing before 确认
    desk.get_by_role("button", name="确认提交议事会").click()
    expect(desk.get_by_role("status")).to_have_text(
        "已列为“楼院环境议事会”的第 2 个议题。居民能看到它在讨论中。")
    expect(desk.locator(".state-line")).to_have_text("讨论中 · 民事民议")
    card = desk.get_by_role("region", name="板凳议事会")
    expect(card).to_contain_text("议题 2：消防通道停车")
    expect(card).to_contain_text("还没有表决")
    check_screen(desk, "suggest-detail-meeting-console", kind="console")

    # The agenda in the desk says where the item came from.
    card.get_by_role("link", name="打开“楼院环境议事会”的议程").click()
    source = desk.locator(".from-suggestion")
    expect(source).to_have_text(f"来自居民建议： 建议 {code}")
    expect(desk.locator("main")).not_to_contain_text("李阿姨")
    check_screen(desk, "suggest-agenda-console", kind="console")

    # The facilitator on the tablet: PIN, the meeting, the item, a vote by hands, the close.
    tablet.goto("/")
    tablet.get_by_role("link", name="工作人员").click()
    unlock(tablet)
    tablet.get_by_role("link", name="主持议事会").click()
    tablet.get_by_role("link", name=re.compile("楼院环境议事会")).click()
    item = tablet.locator("article", has_text="消防通道停车")
    expect(item.locator(".from-suggestion")).to_contain_text(f"来自居民建议： {code}")
    expect(item.get_by_role("link", name=f"查看这条建议 {code}")).to_be_visible()
    expect(tablet.locator("main")).not_to_contain_text("李阿姨")
    check_screen(tablet, "suggest-meeting-item-tablet")
    item.get_by_role("link", name="开始投票").click()
    expect(tablet.get_by_label("表决问题")).to_have_value("是否同意：消防通道停车？")
    tablet.get_by_role("button", name="开始投票").first.click()
    expect(tablet.get_by_role("heading", level=1)).to_have_text("是否同意：消防通道停车？")
    expect(tablet.locator(".from-suggestion")).to_have_text(f"来自居民建议： {code}")
    for n in range(1, 4):
        tablet.get_by_role("button", name="赞成 +1").click()
        expect(tablet.get_by_role("status")).to_have_text(f"赞成：{n} 人举手。")
    tablet.get_by_role("button", name="反对 +1").click()
    expect(tablet.get_by_role("status")).to_have_text("反对：1 人举手。")
    check_screen(tablet, "suggest-meeting-poll-tablet")
    tablet.get_by_role("link", name="结束投票并计票").click()
    tablet.get_by_role("button", name="确认结束并计票").click()
    expect(tablet.locator(".vote-result-word")).to_have_text("通过")

    # The resident's phone: 已决定, with the question, the result and the figures.
    phone.goto(f"/m/t/{suggestion.code}")
    expect(phone.locator(".state-line")).to_have_text("现在： 已决定 · 民事民决")
    timeline = phone.locator(".timeline")
    expect(timeline).to_contain_text("的板凳议事会（林荫廊道）讨论")
    expect(timeline).to_contain_text("的板凳议事会表决了“是否同意：消防通道停车？”。结果：通过。"
                                     "赞成 3 票、反对 1 票和弃权 0 票，共 4 票。")
    expect(phone.locator("main")).not_to_contain_text("李阿姨")
    check_screen(phone, "suggest-phone-decided", kind="phone")

    # Staff follow it up: 处理中, 已解决; the history says the meeting decided it.
    desk.goto(f"/staff/suggestions/{suggestion.id}")
    expect(desk.locator(".state-line")).to_have_text("已决定 · 民事民决")
    history = desk.locator("table").last
    expect(history.locator("tr", has_text="讨论中 → 已决定")).to_contain_text("板凳议事会")
    expect(desk.get_by_role("region", name="板凳议事会")).to_contain_text(
        "是否同意：消防通道停车？ — 通过")
    publish(desk, "处理中", "物业已联系施工队，下周画禁停线。")
    publish(desk, "已解决", "禁停线已画好，提示牌也立起来了。")

    # 民事民评: the resident rates it, once, after 请确认.
    phone.reload()
    rating = phone.locator("#rating")
    rating.locator("label.chip", has_text="满意").first.click()
    rating.get_by_role("button", name="下一步：确认一下").click()
    expect(rating).to_contain_text("您选的是：满意")
    rating.get_by_role("button", name="确认评价").click()
    expect(phone.get_by_role("status")).to_have_text("谢谢您的评价。")
    expect(phone.locator(".state-line")).to_have_text("现在： 已评价 · 民事民评")
    states = [e.to_state for e in committed().get(Suggestion, suggestion.id).events]
    assert states == ["submitted", "declined", "discussing", "discussing", "decided",
                      "in_progress", "resolved", "rated"]

    # The public record of the meeting says the item came from a resident, and no more.
    kiosk = new_tablet()
    kiosk.goto(f"/vote/meetings/{meeting.id}")
    item = kiosk.locator("article", has_text="消防通道停车")
    expect(item.locator(".from-suggestion")).to_have_text("来自居民建议")
    expect(kiosk.locator("main")).not_to_contain_text(suggestion.code[:5])
    expect(kiosk.locator("main")).not_to_contain_text("李阿姨")
    check_screen(kiosk, "suggest-meeting-public-tablet")
