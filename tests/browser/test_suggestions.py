"""百姓畅言亭 in Chromium: the poster's QR leads a phone to the form; a suggestion with a
photo is confirmed and followed; staff move it through every state and the resident rates
it; the tablet's 我有建议 screen, its form and the public board; double taps, refused
photos and the rate limit as a person meets them."""

import io
import re
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import func, select

from muling_kiosk.extensions import db
from muling_kiosk.suggestions import services as rules
from muling_kiosk.suggestions.models import Suggestion, SuggestionDraft

from ..factories_suggestions import gps_exif, jpeg_bytes
from .checks import LAYOUT_REPORT, check_screen
from .conftest import CONSOLE_PASSWORD as PASSWORD
from .conftest import TABLET, TABLET_PORTRAIT


def decode_qr(png: bytes) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


@pytest.fixture
def public_base(app, live_server):
    """QR codes point at the live server, so a phone can open what it decodes."""
    app.config["PUBLIC_BASE_URL"] = live_server
    return live_server


@pytest.fixture
def photo_file(tmp_path):
    path = tmp_path / "凉亭.jpg"
    path.write_bytes(jpeg_bytes(size=(2400, 1800), exif=gps_exif()))
    return path


def write_suggestion(page, text, category="停车"):
    page.locator("label.chip", has_text=category).click()
    page.get_by_role("textbox", name="您的建议").fill(text)


def test_from_the_posters_qr_a_phone_sends_a_suggestion_with_a_photo_and_follows_it(
        public_base, console, phone, make_staff, make_location, photo_file, committed):
    location = make_location(name="小区广场凉亭")
    staff = make_staff("facilitator", password=PASSWORD)
    desk = console(staff)
    desk.goto("/staff/suggestions/locations")
    check_screen(desk, "suggest-locations-console", kind="console")
    desk.get_by_role("link", name="小区广场凉亭的海报").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("扫一扫 说说您的建议")
    check_screen(desk, "suggest-poster-console", kind="console")
    desk.emulate_media(media="print")
    poster = desk.locator(".poster")
    expect(poster).to_contain_text("小区广场凉亭")
    expect(desk.locator(".poster-tools")).to_be_hidden()
    qr_width = desk.locator(".poster-qr svg").bounding_box()["width"]
    assert qr_width >= 8 / 2.54 * 96  # at least 8 cm at 96 CSS px per inch
    urls = decode_qr(poster.screenshot())
    assert urls == [f"{public_base}/m/s/{location.token}"]
    pdf = desk.pdf(format="A4")
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 1  # the poster fits on one A4

    phone.goto(urls[0])
    expect(phone.get_by_role("heading", level=1)).to_have_text("说说您的建议")
    expect(phone.locator(".lead")).to_contain_text("小区广场凉亭")
    check_screen(phone, "suggest-phone-form", kind="phone")
    text = "凉亭旁边的路灯坏了三盏，晚上看不清台阶，老人容易摔倒。"
    write_suggestion(phone, text)
    expect(phone.locator("#f-text-count")).to_have_text(f"已写 {len(text)} 字，最多 500 字")
    phone.get_by_label("照片（可以不加，最多 3 张）").set_input_files(photo_file)
    expect(phone.locator("#f-photos-count")).to_have_text("已选 1 张")
    phone.get_by_role("button", name="下一步：确认一下").click()

    expect(phone.get_by_role("heading", level=1)).to_have_text("请确认您的建议")
    expect(phone.locator(".review")).to_contain_text("路灯坏了三盏")
    expect(phone.locator(".review")).to_contain_text("没有留，匿名提交")
    expect(phone.locator(".review img")).to_have_count(1)
    # 2400×1800 taken with the phone on its side: shown upright and at most 1600 px.
    size = "img => [img.naturalWidth, img.naturalHeight]"
    assert phone.locator(".review img").evaluate(size) == [1200, 1600]
    db = committed()
    assert db.scalar(select(func.count(Suggestion.id))) == 0  # nothing counts before 确认
    check_screen(phone, "suggest-phone-confirm", kind="phone")
    phone.get_by_role("button", name="确认提交").click()

    expect(phone.get_by_role("heading", level=1)).to_have_text("您的建议已经收到了")
    code = phone.locator(".tracking-code").inner_text()
    assert re.fullmatch(r"[2-9A-HJ-NP-Z]{5}-[2-9A-HJ-NP-Z]{5}", code)
    expect(phone.get_by_role("status")).to_have_text("您的建议已经收到了。")
    check_screen(phone, "suggest-phone-receipt", kind="phone")
    phone.get_by_role("link", name="查看办理进度").click()

    expect(phone).to_have_url(re.compile(rf"/m/t/{code.replace('-', '')}$"))
    expect(phone.get_by_role("heading", level=1)).to_have_text("建议办理进度")
    expect(phone.locator(".state-line")).to_contain_text("已提交 · 民事民提")
    expect(phone.locator(".timeline")).to_contain_text("您的建议已收到。")
    image = phone.get_by_role("img", name="您的第 1 张照片")
    expect(image).to_be_visible()
    assert image.evaluate(size) == [1200, 1600]
    check_screen(phone, "suggest-phone-status", kind="phone")
    suggestion = committed().scalar(select(Suggestion))
    assert suggestion.location_id == location.id and suggestion.source == "phone"
    assert len(suggestion.photos) == 1


def test_staff_move_a_suggestion_through_every_state_and_the_resident_rates_it(
        console, phone, make_staff, make_suggestion, committed):
    staff = make_staff("facilitator", password=PASSWORD, display_name="主持人 陈静")
    make_staff("volunteer", display_name="格格管家 赵桂芝")
    suggestion = make_suggestion(text="5号楼和6号楼之间的消防通道天天停着车，晚上更多。",
                                 contact_name="李阿姨", contact_phone="13812345678", photos=1)
    duplicate = make_suggestion(text="消防通道总有车堵着，物业管一管吧。")
    loud = make_suggestion(text="希望在广场装个大音箱，早上放音乐做操。", category="other")
    desk = console(staff)
    desk.get_by_role("navigation").get_by_role("link", name="居民建议").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("居民建议")
    expect(desk.locator("#inbox-results tbody tr")).to_have_count(3)
    desk.get_by_role("searchbox", name="搜索").fill("消防通道")
    desk.get_by_role("button", name="筛选").click()
    expect(desk.locator("#inbox-results tbody tr")).to_have_count(2)
    check_screen(desk, "suggest-inbox-console", kind="console")
    desk.get_by_role("link", name=re.compile(suggestion.code[:5])).click()

    expect(desk.get_by_role("heading", level=1)).to_contain_text(suggestion.code[:5])
    facts = desk.locator(".facts")
    expect(facts).to_contain_text("138****5678")
    expect(facts).not_to_contain_text("13812345678")
    check_screen(desk, "suggest-detail-console", kind="console")
    desk.get_by_role("button", name="显示完整号码，用来回电话").click()
    expect(facts).to_contain_text("138 1234 5678")
    expect(desk.get_by_role("status")).to_have_text("已显示完整号码。这次查看已记入操作记录。")
    desk.get_by_label("指派给").select_option(label="格格管家 赵桂芝")
    desk.get_by_role("button", name="指派", exact=True).click()
    expect(desk.get_by_role("status")).to_have_text("已指派给格格管家 赵桂芝。")

    steps = [("讨论中", "收到。放到本周四的板凳议事会上请大家一起商量。", "民事民议"),
             ("已决定", "议事会表决通过：消防通道画禁停线，晚上物业巡查。", "民事民决"),
             ("处理中", "物业已联系施工队，下周画线。", "民事民决"),
             ("已解决", "禁停线已画好，提示牌也立起来了。", "民事民决")]
    for state, reply, stage in steps:
        desk.get_by_label("新状态").select_option(label=state)
        desk.get_by_label("公开答复").fill(reply)
        desk.get_by_role("button", name="发布").click()
        expect(desk.get_by_role("status")).to_have_text(f"现在是“{state}”。居民能看到您的答复。")
        expect(desk.locator(".state-line")).to_have_text(f"{state} · {stage}")
    history = desk.locator("table").last
    for _state, reply, _stage in steps:
        expect(history).to_contain_text(reply)

    phone.goto(f"/m/t/{suggestion.code}")
    timeline = phone.locator(".timeline")
    for state, reply, _stage in steps:
        expect(timeline).to_contain_text(state)
        expect(timeline).to_contain_text(reply)
    expect(phone.locator("main")).not_to_contain_text("李阿姨")
    expect(phone.locator("main")).not_to_contain_text("5678")
    rating = phone.locator("#rating")
    expect(rating).to_contain_text("您对办理结果满意吗？")
    check_screen(phone, "suggest-phone-rate", kind="phone")
    rating.locator("label.chip", has_text="基本满意").click()
    rating.get_by_label("还想说点什么吗？（可以不填）").fill("线画好了，晚上还是偶尔有车。")
    rating.get_by_role("button", name="下一步：确认一下").click()
    expect(rating).to_contain_text("您选的是：基本满意")
    expect(phone.get_by_role("status")).to_have_text("请确认您的评价")
    db = committed()
    assert db.get(Suggestion, suggestion.id).state == "resolved"  # nothing counts before 确认
    check_screen(phone, "suggest-phone-rate-confirm", kind="phone")
    rating.get_by_role("button", name="确认评价").click()
    expect(phone.get_by_role("status")).to_have_text("谢谢您的评价。")
    expect(phone.locator(".state-line")).to_have_text("现在： 已评价 · 民事民评")
    expect(phone.locator("#rating")).to_contain_text("基本满意")
    expect(phone.locator("#rating")).not_to_contain_text("确认评价")
    check_screen(phone, "suggest-phone-rated", kind="phone")

    desk.reload()
    expect(desk.locator(".facts")).to_contain_text("基本满意")
    expect(desk.locator(".facts")).to_contain_text("线画好了，晚上还是偶尔有车。")

    desk.goto(f"/staff/suggestions/{duplicate.id}")
    desk.get_by_label("合并到").select_option(index=1)
    assert suggestion.code[:5] in desk.get_by_label("合并到").evaluate(
        "s => s.options[s.selectedIndex].text")
    desk.get_by_role("button", name="合并", exact=True).click()
    expect(desk.get_by_role("status")).to_contain_text("现在跟着这条建议一起办理")
    expect(desk).to_have_url(re.compile(rf"/staff/suggestions/{suggestion.id}$"))

    desk.goto(f"/staff/suggestions/{loud.id}")
    desk.get_by_label("新状态").select_option(label="未采纳")
    desk.get_by_label("公开答复").fill("广场挨着住宅楼，早上放音乐会吵到上夜班的住户，暂不采纳。")
    desk.get_by_role("button", name="发布").click()
    expect(desk.locator(".state-line")).to_have_text("未采纳")

    phone.goto(f"/m/t/{duplicate.code}")
    expect(phone.locator(".notice")).to_contain_text("和同样的建议一起办理")
    merged_into = phone.locator(".merged-into")
    expect(merged_into).to_contain_text("5号楼和6号楼之间的消防通道")
    expect(merged_into).to_contain_text("已评价")
    expect(phone.locator("main")).not_to_contain_text("李阿姨")
    expect(phone.locator("main")).not_to_contain_text(suggestion.code[:5])
    check_screen(phone, "suggest-phone-merged", kind="phone")

    phone.get_by_role("link", name="看看百姓畅言栏").click()
    board = phone.locator(".board-list")
    expect(board.locator(".board-item")).to_have_count(2)  # the duplicate appears as the other
    expect(board).to_contain_text("禁停线已画好")
    expect(board).to_contain_text("暂不采纳")
    expect(board).to_contain_text("居民评价：基本满意")
    expect(board).not_to_contain_text("李阿姨")
    expect(board).not_to_contain_text("5678")
    expect(board.locator("img")).to_have_count(0)
    check_screen(phone, "suggest-board-phone", kind="phone")

    phone.get_by_role("link", name="用查询编号查看自己的建议").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("查看建议进度")
    phone.get_by_label("查询编号").fill("ABCDE-FGHJK")
    phone.get_by_role("button", name="查看进度").click()
    expect(phone.locator("#f-code-error")).to_contain_text("没有找到这个编号的建议")
    check_screen(phone, "suggest-phone-track", kind="phone")
    phone.get_by_label("查询编号").fill(rules.group_code(duplicate.code).lower())
    phone.get_by_role("button", name="查看进度").click()
    expect(phone).to_have_url(re.compile(rf"/m/t/{duplicate.code}$"))


# The tablet as residents meet it: landscape and portrait, with and without 大字. The
# screenshots are named suggest-kiosk-<screen>[-<variant>] (no variant: landscape).
KIOSK_VARIANTS = {"tablet": (TABLET, False), "portrait": (TABLET_PORTRAIT, False),
                  "large-text-tablet": (TABLET, True), "large-text-portrait": (TABLET_PORTRAIT, True)}


class Kiosk:
    def __init__(self, page, variant, language="zh"):
        self.page, self.variant, self.language = page, variant, language
        self.large = KIOSK_VARIANTS[variant][1]

    def name(self, screen: str) -> str:
        parts = ("suggest-kiosk", screen, "en" if self.language == "en" else "",
                 "" if self.variant == "tablet" else self.variant)
        return "-".join(part for part in parts if part)

    def check(self, screen: str, picture: bool = True) -> None:
        """check_screen, and the page itself no taller than the screen: nothing to scroll."""
        check_screen(self.page, self.name(screen) if picture else None)
        assert_no_scroll(self.page)

    def large_text(self) -> None:
        """Tap 大字 on the screen now shown (it holds for the next screens), if this variant
        uses it."""
        if self.large:
            self.page.get_by_role("button", name=re.compile("^(大字|Large text)$")).click()
            expect(self.page.locator("html")).to_have_class(re.compile("large-text"))


def assert_no_scroll(page) -> None:
    """What main holds ends inside the screen (its bottom padding may not): nothing of the
    step is below the fold, and nothing makes the browser scroll to show it."""
    height = page.evaluate("""() => {
      const main = document.querySelector('main');
      const padding = parseFloat(getComputedStyle(main).paddingBottom);
      return [Math.ceil(main.getBoundingClientRect().bottom + scrollY - padding), innerHeight];
    }""")
    problem = f"the screen's content ends at {height[0]}px on a {height[1]}px screen"
    if height[0] > height[1] and LAYOUT_REPORT:  # while fixing screens: note it, go on
        with open(LAYOUT_REPORT, "a", encoding="utf-8") as report:
            report.write(f"{page.url}\n  {problem}\n")
        return
    assert height[0] <= height[1], problem


@pytest.fixture(params=list(KIOSK_VARIANTS))
def kiosk(request, browser, live_server, enroll_context):
    device, _large = KIOSK_VARIANTS[request.param]
    context = browser.new_context(base_url=live_server, locale="zh-CN", **device)
    context.set_default_timeout(10_000)
    enroll_context(context)  # the station's tablet
    yield Kiosk(context.new_page(), request.param)
    context.close()


def test_the_tablet_shows_the_qr_and_takes_a_suggestion_typed_there(
        kiosk, public_base, make_location, committed):
    tablet = kiosk.page
    location = make_location(name="睦邻驿站门口")
    tablet.goto("/")
    kiosk.large_text()
    tablet.get_by_role("link", name=re.compile("我有建议")).click()
    expect(tablet.get_by_role("heading", level=1)).to_have_text("我有建议")
    kiosk.check("")
    qr = tablet.locator(".qr-box svg")
    assert decode_qr(qr.screenshot()) == [f"{public_base}/m/s/{location.token}"]

    tablet.get_by_role("link", name="在这里写建议").click()
    expect(tablet.get_by_role("heading", level=1)).to_have_text("写建议")
    kiosk.check("write")
    text_box = tablet.get_by_role("textbox", name="您的建议")
    if kiosk.large:
        # 大字: the category on a screen of its own, then the text.
        expect(text_box).to_be_hidden()
        tablet.get_by_role("button", name="下一步：写建议").click()
        expect(tablet.locator("#f-category-error")).to_have_text(re.compile("请选一个类别"))
        kiosk.check("write-errors")
        tablet.locator("label.chip", has_text="设施维修").click()
        tablet.get_by_role("button", name="下一步：写建议").click()
        expect(tablet.locator(".suggest-chosen")).to_contain_text("设施维修")
        kiosk.check("write-text")
        tablet.get_by_role("button", name="下一步：确认一下").click()
        expect(tablet.locator("#f-text-error")).to_have_text(re.compile("请至少写 5 个字"))
        kiosk.check("write-text-errors")
        text_box.fill("驿站门口的台阶没有扶手，下雨天很滑。")
    else:
        tablet.get_by_role("button", name="下一步：确认一下").click()
        expect(tablet.locator("#f-category-error")).to_have_text(re.compile("请选一个类别"))
        expect(tablet.locator("#f-text-error")).to_have_text(re.compile("请至少写 5 个字"))
        kiosk.check("write-errors")
        write_suggestion(tablet, "驿站门口的台阶没有扶手，下雨天很滑。", category="设施维修")
    tablet.get_by_role("button", name="下一步：确认一下").click()
    expect(tablet.get_by_role("heading", level=1)).to_have_text("请确认您的建议")
    expect(tablet.locator(".review")).to_contain_text("设施维修")
    kiosk.check("confirm")

    tablet.get_by_role("link", name="返回修改").click()  # nothing is lost going back
    expect(tablet.get_by_role("radio", name="设施维修")).to_be_checked()
    if kiosk.large:
        tablet.get_by_role("button", name="下一步：写建议").click()
    expect(text_box).to_have_value("驿站门口的台阶没有扶手，下雨天很滑。")
    long_text = "驿站门口的台阶没有扶手，下雨天很滑，老人上下不方便。" + "请尽快装上扶手。" * 59
    text_box.fill(long_text)
    expect(tablet.locator("#f-text-count")).to_have_text("已写 498 字，最多 500 字")
    tablet.get_by_role("button", name="下一步：确认一下").click()
    expect(tablet.locator(".review")).to_contain_text("老人上下不方便")
    kiosk.check("confirm-long")  # the longest text: the buttons stay in sight
    tablet.get_by_role("button", name="确认提交").click()

    expect(tablet.get_by_role("heading", level=1)).to_have_text("您的建议已经收到了")
    expect(tablet.locator("body")).to_have_attribute("data-return-home-seconds", "20")
    code = tablet.locator(".tracking-code").inner_text().replace("-", "")
    assert decode_qr(tablet.locator(".qr-box svg").screenshot()) == [
        f"{public_base}/m/t/{code}"]
    kiosk.check("done")
    suggestion = committed().scalar(select(Suggestion))
    assert (suggestion.code, suggestion.source, suggestion.location_id) == (code, "kiosk", None)
    assert suggestion.text == long_text

    tablet.get_by_role("link", name="返回首页").last.click()
    expect(tablet).to_have_url(re.compile(r"/$"))
    tablet.goto("/suggest/done")  # the next person finds no trace of the last one's code
    expect(tablet).to_have_url(re.compile(r"/suggest/$"))
    expect(tablet.locator("main")).not_to_contain_text(code[:5])


def test_the_public_board_on_the_tablet(kiosk, app, make_suggestion, make_staff):
    tablet = kiosk.page
    admin = make_staff("admin")
    long_one = make_suggestion(state="decided", category="parking",
                               text="消防通道上天天停着车。" + "救护车进不来，" * 60)
    for reply in ("收到，放到周四的板凳议事会上商量。" * 3, "议事会决定画禁停线。" * 5,
                  "物业说下周施工，请大家把车挪开。" * 4):
        rules.change_state(long_one, None, reply, staff=admin)
    bench = make_suggestion(state="in_progress", category="repairs",
                            text="凉亭的木椅子有一块板子松了，坐上去会翘。")
    rules.change_state(bench, None, "已报修，等配件。", staff=admin)
    make_suggestion(state="discussing", text="8号楼前面的绿地被人种了菜。", category="greenery")
    make_suggestion(text="还没人看过的建议不上墙。")
    for number in range(4):
        make_suggestion(state="discussing", text=f"第 {number + 1} 条：楼道里的灯晚上不亮。")
    db.session.commit()

    tablet.goto("/suggest/")
    kiosk.large_text()
    tablet.get_by_role("link", name="看看大家的建议：百姓畅言栏").click()
    expect(tablet.get_by_role("heading", level=1)).to_have_text("百姓畅言栏")
    cards = tablet.locator(".kiosk-board-card")
    expect(cards).to_have_count(3)  # a page, not a scroll
    kiosk.check("board")
    expect(tablet.get_by_role("link", name="上一页")).to_have_count(0)
    tablet.get_by_role("link", name="下一页").click()
    expect(tablet.locator(".kiosk-pager-at")).to_have_text("第 2 页")
    expect(cards).to_have_count(3)
    kiosk.check("board-page-2")
    tablet.get_by_role("link", name="下一页").click()
    expect(tablet.locator(".kiosk-pager-at")).to_have_text("第 3 页")
    expect(cards).to_have_count(1)
    expect(tablet.locator(".kiosk-board-list")).to_contain_text("消防通道上天天停着车")
    expect(tablet.locator("main")).not_to_contain_text("还没人看过")
    expect(tablet.get_by_role("link", name="下一页")).to_have_count(0)

    cards.first.click()  # the whole suggestion, every reply, moved by taps
    expect(tablet.get_by_role("heading", level=1)).to_contain_text("停车")
    whole = tablet.locator(".kiosk-board-whole")
    expect(whole).to_contain_text("物业说下周施工")
    kiosk.check("board-item")
    earlier = tablet.get_by_role("button", name="▲ 往上看")
    expect(earlier).to_be_disabled()
    tablet.get_by_role("button", name="▼ 往下看").click()
    assert whole.evaluate("box => box.scrollTop") > 0
    expect(earlier).to_be_enabled()
    tablet.get_by_role("link", name="返回百姓畅言栏").click()
    expect(tablet.locator(".kiosk-pager-at")).to_have_text("第 3 页")  # where it was

    tablet.get_by_role("link", name="类别：全部").click()
    expect(tablet.get_by_role("heading", level=1)).to_have_text("看哪一类的建议？")
    kiosk.check("board-kinds")
    tablet.get_by_role("link", name="绿化环境").click()
    expect(cards).to_have_count(1)
    expect(cards).to_contain_text("绿地被人种了菜")
    tablet.get_by_role("link", name="类别：绿化环境").click()
    expect(tablet.get_by_role("link", name="绿化环境")).to_have_attribute("aria-current", "page")
    kiosk.check("board-kinds-chosen", picture=False)


def test_a_volunteer_in_staff_mode_writes_for_a_resident(kiosk, make_staff, committed):
    tablet = kiosk.page
    volunteer = make_staff("volunteer", display_name="格格管家 赵桂芝", pin="147258")
    tablet.goto("/unlock")
    for digit in "147258":
        tablet.locator(f"[data-key='{digit}']").click()
    tablet.get_by_role("button", name="解锁").click()
    tablet.get_by_role("link", name="替居民写建议").click()
    expect(tablet.locator("main")).to_contain_text("您正以格格管家 赵桂芝的身份替居民写建议")
    kiosk.large_text()  # switched on here: the screen splits without a reload
    kiosk.check("staff-write")
    tablet.locator("label.chip", has_text="设施维修").click()
    if kiosk.large:
        tablet.get_by_role("button", name="下一步：写建议").click()
    tablet.get_by_role("textbox", name="您的建议").fill("3号楼的王奶奶说楼道灯坏了，她晚上下楼看不见。")
    if kiosk.large:
        kiosk.check("staff-write-text")
    tablet.get_by_role("button", name="下一步：称呼和电话").click()
    tablet.get_by_label("怎么称呼您").fill("王奶奶")
    tablet.get_by_label("手机号").fill("139 5101 2345")
    kiosk.check("staff-contact")
    tablet.get_by_role("button", name="返回改建议").click()  # nothing is lost going back
    expect(tablet.get_by_role("textbox", name="您的建议")).to_have_value(
        "3号楼的王奶奶说楼道灯坏了，她晚上下楼看不见。")
    tablet.get_by_role("button", name="下一步：称呼和电话").click()
    expect(tablet.get_by_label("怎么称呼您")).to_have_value("王奶奶")
    tablet.get_by_role("button", name="下一步：确认一下").click()
    expect(tablet.locator(".review")).to_contain_text("王奶奶 139****2345")
    expect(tablet.locator(".review")).to_contain_text("格格管家 赵桂芝")
    kiosk.check("staff-confirm")
    tablet.get_by_role("button", name="确认提交").click()
    expect(tablet.get_by_role("heading", level=1)).to_have_text("您的建议已经收到了")
    suggestion = committed().scalar(select(Suggestion))
    assert (suggestion.source, suggestion.written_by_id) == ("staff", volunteer.id)
    assert (suggestion.contact_name, suggestion.contact_phone) == ("王奶奶", "13951012345")


@pytest.mark.parametrize("variant", ["large-text-tablet", "large-text-portrait"])
def test_the_tablet_in_english_with_large_text(browser, live_server, make_location,
                                               make_suggestion, variant):
    """English words are longer than Chinese ones: the same screens still fit, words whole."""
    make_location()
    make_suggestion(state="discussing", category="greenery",
                    text="Someone has planted vegetables on the lawn in front of building 8.")
    device, _large = KIOSK_VARIANTS[variant]
    context = browser.new_context(base_url=live_server, locale="en-US", **device)
    context.set_default_timeout(10_000)
    kiosk = Kiosk(context.new_page(), variant, language="en")
    tablet = kiosk.page

    def check(screen):
        kiosk.check(screen)
        assert_no_broken_words(tablet)

    tablet.goto("/suggest/")
    kiosk.large_text()
    expect(tablet.get_by_role("heading", level=1)).to_have_text("I have a suggestion")
    check("")
    tablet.get_by_role("link", name="Write a suggestion here").click()
    tablet.get_by_role("button", name="Next: write it").click()
    expect(tablet.locator("#f-category-error")).to_be_visible()
    check("write-errors")
    tablet.locator("label.chip", has_text="Greenery and environment").click()
    tablet.get_by_role("button", name="Next: write it").click()
    tablet.get_by_role("textbox", name="Your suggestion").fill(
        "The hedge by the east gate hides the steps; please cut it back.")
    check("write-text")
    tablet.get_by_role("button", name="Next: check it").click()
    expect(tablet.get_by_role("heading", level=1)).to_have_text("Please check your suggestion")
    check("confirm")
    tablet.get_by_role("button", name="Confirm and send").click()
    expect(tablet.get_by_role("heading", level=1)).to_have_text(
        "Your suggestion has been received")
    check("done")
    tablet.goto("/suggest/board")
    check("board")
    tablet.goto("/suggest/board/kinds")
    check("board-kinds")
    context.close()


def _to_confirm(phone, location, text="小区东门的门禁坏了好几天，谁都能进来。"):
    phone.goto(f"/m/s/{location.token}")
    write_suggestion(phone, text, category="治安")
    phone.get_by_role("button", name="下一步：确认一下").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("请确认您的建议")


def test_a_double_tap_and_a_resend_after_a_dropped_connection_make_one_suggestion(
        phone, make_location, committed):
    location = make_location()
    _to_confirm(phone, location)
    phone.get_by_role("button", name="确认提交").dblclick()
    expect(phone.get_by_role("heading", level=1)).to_have_text("您的建议已经收到了")
    assert committed().scalar(select(func.count(Suggestion.id))) == 1

    _to_confirm(phone, location, text="第二条：凉亭的灯晚上不亮。")
    dropped = []

    def lose_the_answer(route):
        if route.request.method == "POST" and not dropped:
            route.fetch()  # the server gets it and stores the suggestion …
            dropped.append(True)
            route.abort()  # … but the answer never reaches the phone
        else:
            route.continue_()

    phone.route("**/confirm", lose_the_answer)
    phone.get_by_role("button", name="确认提交").click()
    banner = phone.locator("#network-banner")
    expect(banner).to_be_visible()
    assert committed().scalar(select(func.count(Suggestion.id))) == 2
    banner.get_by_role("button", name="重试").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("您的建议已经收到了")
    db = committed()
    assert db.scalar(select(func.count(Suggestion.id))) == 2
    latest = db.scalar(select(Suggestion).order_by(Suggestion.id.desc()))
    assert phone.locator(".tracking-code").inner_text().replace("-", "") == latest.code


def test_refused_photos_are_named_with_what_to_do_and_the_rest_is_kept(
        phone, make_location, tmp_path, committed):
    location = make_location()
    fake = tmp_path / "照片.jpg"
    fake.write_text("这不是一张照片，只是改了名字的文本文件。")
    good = tmp_path / "路灯.jpg"
    good.write_bytes(jpeg_bytes())
    phone.goto(f"/m/s/{location.token}")
    write_suggestion(phone, "路灯不亮，附上照片。", category="设施维修")
    phone.get_by_label("怎么称呼您").fill("张师傅")
    phone.get_by_label("照片（可以不加，最多 3 张）").set_input_files([fake, good])
    phone.get_by_role("button", name="下一步：确认一下").click()
    error = phone.locator("#f-photos-error")
    expect(error).to_contain_text("“照片.jpg”不是我们能打开的照片")
    expect(error).to_contain_text("用相机重新拍一张")
    expect(phone.get_by_role("textbox", name="您的建议")).to_have_value("路灯不亮，附上照片。")
    expect(phone.get_by_role("radio", name="设施维修")).to_be_checked()
    expect(phone.get_by_label("怎么称呼您")).to_have_value("张师傅")
    expect(phone.locator(".photo-item img")).to_have_count(1)  # the good one is kept
    expect(phone.locator("#f-photos-count")).to_have_text("已保存 1 张，还能再加 2 张。")
    check_screen(phone, "suggest-phone-photo-refused", kind="phone")
    assert committed().scalar(select(func.count(Suggestion.id))) == 0
    phone.get_by_role("button", name="下一步：确认一下").click()
    expect(phone.locator(".review img")).to_have_count(1)
    phone.get_by_role("button", name="确认提交").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("您的建议已经收到了")
    db = committed()
    assert len(db.scalar(select(Suggestion)).photos) == 1
    assert db.scalar(select(func.count(SuggestionDraft.id))) == 0


def test_too_many_suggestions_get_a_kind_message_and_what_was_typed_stays(
        app, phone, make_location, committed):
    app.config.update(RATELIMIT_ENABLED=True, SUGGESTION_RATE_LIMIT="1 per 10 minutes")
    location = make_location()
    _to_confirm(phone, location)
    phone.get_by_role("button", name="确认提交").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("您的建议已经收到了")
    phone.get_by_role("link", name="再提一条建议").click()
    write_suggestion(phone, "又想起一件事：垃圾桶满了。", category="卫生")
    phone.get_by_role("button", name="下一步：确认一下").click()
    notice = phone.get_by_role("alert")
    expect(notice).to_contain_text("您刚才已经提了好几条建议")
    expect(notice).to_contain_text("请等 10 分钟再点一次按钮")
    expect(phone.get_by_role("textbox", name="您的建议")).to_have_value("又想起一件事：垃圾桶满了。")
    expect(phone.get_by_role("radio", name="卫生")).to_be_checked()
    check_screen(phone, "suggest-phone-rate-limited", kind="phone")
    assert committed().scalar(select(func.count(Suggestion.id))) == 1


_MEASURE_WORDS = (Path(__file__).parent / "measure_words.js").read_text()


def assert_no_broken_words(page) -> None:
    broken = page.evaluate(_MEASURE_WORDS)
    assert not broken, f"words broken over two lines: {broken}"


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_phone_screens_fit_320px_in_both_languages(browser, live_server, make_location,
                                                       make_suggestion, language):
    """A resident's own small phone: the form, 请确认, the receipt, the progress page and the
    rating scroll up and down, never sideways; English words stay whole."""
    location = make_location(name="小区广场凉亭")
    resolved = make_suggestion(state="resolved", text="东门的路灯已经修好了吗？晚上还是很黑。")
    context = browser.new_context(base_url=live_server, viewport={"width": 320, "height": 640},
                                  has_touch=True, is_mobile=True, locale="zh-CN")
    page = context.new_page()
    english = language == "en"

    def check(screen):
        check_screen(page, f"suggest-phone-{screen}-320-{language}", kind="phone")
        assert_no_broken_words(page)

    page.goto(f"/m/s/{location.token}")
    if english:
        page.get_by_role("button", name="English").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Tell us your suggestion")
        expect(page.get_by_role("radio", name="Parking")).to_be_attached()
        page.get_by_role("textbox", name="Your suggestion").fill("x" * 520)
        expect(page.locator("#f-text-count")).to_have_text("520 characters: 20 too many")
        page.locator("label.chip", has_text="Greenery and environment").click()
        check("form")
        page.get_by_role("textbox", name="Your suggestion").fill(
            "The streetlight by the east gate has been broken for a week; neighbours "
            "stumble on the steps after dark.")
        page.get_by_role("button", name="Next: check it").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Please check your suggestion")
        check("confirm")
        page.get_by_role("button", name="Confirm and send").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Your suggestion has been received")
    else:
        write_suggestion(page, "东门的路灯坏了一个星期了，晚上邻居在台阶上绊倒。", category="绿化环境")
        check("form")
        page.get_by_role("button", name="下一步：确认一下").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("请确认您的建议")
        check("confirm")
        page.get_by_role("button", name="确认提交").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("您的建议已经收到了")
    check("receipt")
    page.locator(".receipt .btn-primary").click()
    expect(page.locator(".tracking-code-inline")).to_be_visible()
    check("status")
    page.goto(f"/m/t/{resolved.code}")
    expect(page.locator("#rating")).to_be_visible()
    check("rate")
    page.locator("#rating label.chip").nth(1).click()
    page.locator("#rating .btn-primary").click()
    expect(page.locator("#rating .btn-primary")).to_have_text(
        "Confirm my rating" if english else "确认评价")
    check("rate-confirm")
    page.goto(f"/board?c={location.community.slug}")
    check("board")
    context.close()


def test_a_switched_off_qr_point_tells_the_phone_so(console, phone, make_staff, make_location):
    location = make_location(name="3号楼公告栏")
    desk = console(make_staff("admin", password=PASSWORD))
    desk.goto("/staff/suggestions/locations")
    desk.get_by_role("link", name="3号楼公告栏", exact=True).click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("3号楼公告栏")
    check_screen(desk, "suggest-location-edit-console", kind="console")
    desk.get_by_label("在用：扫二维码能打开建议表").uncheck()
    desk.get_by_role("button", name="保存").click()
    expect(desk.get_by_role("status")).to_have_text("已保存。")
    expect(desk.get_by_role("table")).to_contain_text("已停用")
    phone.goto(f"/m/s/{location.token}")
    expect(phone.get_by_role("heading", level=1)).to_have_text("这个二维码已经停用了")
    check_screen(phone, "suggest-phone-closed", kind="phone")
    phone.get_by_role("link", name="看看百姓畅言栏").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("百姓畅言栏")
