"""长者学堂 in Chromium: a resident signs up at tablet size, joins a waiting list, cancels in
我的报名 and the next person moves up; a volunteer signs someone up and checks people in;
staff manage a course, print the roster to PDF and open the Excel download."""

import io
import re
import unicodedata
from datetime import time, timedelta

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select

from muling_kiosk.audit.models import AuditEvent
from muling_kiosk.database import utcnow
from muling_kiosk.signups.models import CONFIRMED, WAITING, WITHDRAWN, Course, Signup
from muling_kiosk.signups.services import local_datetime, local_day, local_zone, week_start

from .checks import assert_no_broken_words, check_screen, check_screen_fits
from .conftest import CONSOLE_PASSWORD, KIOSK_VIEWS


def tap_digits(page, digits: str):
    for digit in digits:
        page.locator(f"[data-key='{digit}']").click()


def show_week_of(page, session):
    """From the class list, page forward to the week that holds the session."""
    weeks = (local_day(session.starts_at) - week_start(0, utcnow())).days // 7
    for _ in range(weeks):
        page.get_by_role("link", name="下一周").click()
        expect(page).to_have_url(re.compile(r"week=\d"))


def card(page, title):
    return page.locator(".class-card", has_text=title)


def open_card(page, title):
    """Tap a class's card, paging on (下一页) while it is on a later page of the week."""
    expect(card(page, title)).to_be_attached()
    page.wait_for_load_state("load")  # the pages are laid out
    while not card(page, title).is_visible():
        page.locator("[data-fit-next]").click()  # 下一页
    card(page, title).click()


# The CJK font maps some characters to radical look-alikes (⼿ for 手, ⻔ for 门): NFKC folds
# the Kangxi radicals; the supplement's simplified forms need this table.
RADICALS = str.maketrans("⻔⻅⻓⻆⻋⻛⻜⻢⻚⻉⻥⻦⻩⻬⻮⻰⻳⻘⻝", "门见长角车风飞马页贝鱼鸟黄齐齿龙龟青食")


def pdf_text(pdf: PdfReader) -> str:
    text = "".join(page.extract_text() for page in pdf.pages)
    return unicodedata.normalize("NFKC", text).translate(RADICALS)


def signups(committed, session) -> list[Signup]:
    return list(committed().scalars(select(Signup).where(Signup.session_id == session.id)
                                    .order_by(Signup.id)))


def test_a_resident_signs_up_for_a_class_in_three_screens(tablet, make_course,
                                                          make_class_session, committed):
    course = make_course(title="书法", teacher="王德明", place="睦邻驿站 活动室", capacity=12)
    session = make_class_session(course=course, starts_in=timedelta(hours=3))
    tablet.clock.install()
    tablet.goto("/")
    tablet.get_by_role("link", name=re.compile("长者学堂报名")).click()
    expect(tablet.get_by_role("heading", level=1)).to_have_text("长者学堂报名")
    show_week_of(tablet, session)
    expect(card(tablet, "书法")).to_contain_text("还剩 12 个名额")
    expect(card(tablet, "书法")).to_contain_text("老师：王德明")
    check_screen_fits(tablet, "signups-list-tablet")

    card(tablet, "书法").click()
    expect(tablet.get_by_role("heading", level=1)).to_have_text("报名：书法")
    check_screen_fits(tablet, "signups-details-tablet")
    tablet.get_by_label("您的名字").fill("王秀英")
    tap_digits(tablet, "13812345678")
    expect(tablet.get_by_label("手机号（11 位数字）")).to_have_value("138 1234 5678")
    tablet.get_by_role("button", name="下一步").click()

    expect(tablet.get_by_role("heading", level=1)).to_have_text("请确认报名信息")
    summary = tablet.locator(".summary")
    for text in ("书法", "睦邻驿站 活动室", "王秀英", "138****5678"):
        expect(summary).to_contain_text(text)
    expect(tablet.get_by_role("button", name="确认报名")).to_be_visible()
    expect(tablet.get_by_role("link", name="返回修改")).to_be_visible()
    check_screen_fits(tablet, "signups-confirm-tablet")
    assert signups(committed, session) == []  # nothing is written before 确认

    tablet.get_by_role("link", name="返回修改").click()  # change the number
    expect(tablet.get_by_label("您的名字")).to_have_value("王秀英")
    tablet.get_by_role("button", name="删除").click()
    tap_digits(tablet, "9")
    tablet.get_by_role("button", name="下一步").click()
    expect(tablet.locator(".summary")).to_contain_text("138****5679")
    tablet.get_by_role("button", name="确认报名").click()

    expect(tablet.get_by_role("heading", level=1)).to_have_text("报名成功")
    expect(tablet.locator(".done-mark .done-icon")).to_be_visible()
    expect(tablet.locator(".summary")).to_contain_text("138****5679")
    expect(tablet.get_by_role("link", name="返回首页").last).to_be_visible()
    check_screen_fits(tablet, "signups-done-tablet")
    [signup] = signups(committed, session)
    assert (signup.name, signup.phone, signup.status) == ("王秀英", "13812345679", CONFIRMED)

    tablet.clock.run_for("00:21")  # nobody touches the success screen
    expect(tablet).to_have_url(re.compile(r"/$"))


def test_bad_input_is_said_next_to_the_field_and_kept(tablet, make_class_session, committed):
    session = make_class_session()
    tablet.goto(f"/classes/{session.id}/")
    tablet.get_by_label("您的名字").fill("   ")
    tap_digits(tablet, "1281234")
    tablet.get_by_role("button", name="下一步").click()
    expect(tablet.locator("#f-name-error")).to_contain_text("请写上您的名字")
    expect(tablet.locator("#f-phone-error")).to_contain_text("11 位数字")
    expect(tablet.get_by_label("手机号（11 位数字）")).to_have_attribute("aria-invalid", "true")
    expect(tablet.get_by_label("手机号（11 位数字）")).to_have_value("128 1234")
    check_screen_fits(tablet, "signups-details-error-tablet")
    tablet.get_by_role("button", name="大字").click()  # larger text: still fits the rules
    expect(tablet.locator("html")).to_have_class(re.compile("large-text"))
    # Now two screens: the name (its error first), then the number, kept as typed.
    expect(tablet.locator(".keypad-field.is-split")).to_have_count(1)
    expect(tablet.locator("#f-phone-error")).to_be_hidden()
    check_screen_fits(tablet, "signups-details-large-text-toggled-tablet")
    tablet.get_by_label("您的名字").fill("<b>李桂兰</b>")
    tablet.get_by_role("button", name="下一步").click()
    expect(tablet.get_by_label("手机号（11 位数字）")).to_have_value("128 1234")
    tablet.get_by_role("button", name="清空").click()
    tap_digits(tablet, "13987654321")
    tablet.get_by_role("button", name="下一步").click()
    expect(tablet.locator(".summary")).to_contain_text("<b>李桂兰</b>")  # text, not markup
    tablet.get_by_role("button", name="确认报名").click()
    expect(tablet.get_by_role("heading", level=1)).to_have_text("报名成功")
    assert signups(committed, session)[0].name == "<b>李桂兰</b>"


def test_a_full_class_offers_the_waiting_list_and_says_the_place(tablet, make_course,
                                                                 make_class_session,
                                                                 make_signup, committed):
    course = make_course(title="剪纸", place="睦邻驿站 手工角", capacity=2)
    session = make_class_session(course=course, starts_in=timedelta(hours=3))
    make_signup(session=session)
    tablet.goto("/classes/")
    show_week_of(tablet, session)
    expect(card(tablet, "剪纸")).to_contain_text("还剩 1 个名额")
    card(tablet, "剪纸").click()
    tablet.get_by_label("您的名字").fill("张玉珍")
    tap_digits(tablet, "13700000001")
    tablet.get_by_role("button", name="下一步").click()
    tablet.get_by_role("button", name="确认报名").click()
    expect(tablet.get_by_role("heading", level=1)).to_have_text("报名成功")

    tablet.get_by_role("link", name="再报一门课").click()  # the class is now full
    show_week_of(tablet, session)
    expect(card(tablet, "剪纸")).to_contain_text("已满 · 可排队候补")
    check_screen_fits(tablet, "signups-list-full-tablet")
    card(tablet, "剪纸").click()
    expect(tablet.get_by_role("heading", level=1)).to_have_text("排队候补：剪纸")
    expect(tablet.get_by_text("这节课已满，可以排队候补")).to_be_visible()
    check_screen_fits(tablet, "signups-queue-details-tablet")
    tablet.get_by_label("您的名字").fill("刘淑芬")
    tap_digits(tablet, "13700000002")
    tablet.get_by_role("button", name="下一步").click()
    expect(tablet.get_by_role("heading", level=1)).to_have_text("请确认候补信息")
    tablet.get_by_role("button", name="确认排队候补").click()
    expect(tablet.get_by_role("heading", level=1)).to_have_text("已排队候补")
    expect(tablet.locator(".queue-place")).to_contain_text("您排在候补第 1 位")
    check_screen_fits(tablet, "signups-queue-done-tablet")
    assert [s.status for s in signups(committed, session)] == [CONFIRMED, CONFIRMED, WAITING]


def test_cancel_in_my_sign_ups_and_the_next_person_moves_up(tablet, make_course,
                                                            make_class_session, make_signup,
                                                            committed):
    course = make_course(title="太极拳", place="上河东区 小区广场凉亭", capacity=1)
    session = make_class_session(course=course, starts_in=timedelta(days=1))
    make_signup(session=session, name="王秀英", phone="13812345678")
    make_signup(session=session, name="李桂兰", phone="13987654321", status=WAITING)

    tablet.goto("/classes/")
    tablet.get_by_role("link", name="我的报名").click()
    expect(tablet.get_by_role("heading", level=1)).to_have_text("我的报名")
    check_screen_fits(tablet, "signups-mine-keypad-tablet")
    tap_digits(tablet, "13812345678")
    tablet.get_by_role("button", name="查看我的报名").click()
    mine = tablet.locator(".mine-card", has_text="太极拳")
    expect(mine).to_contain_text("已报名")
    expect(tablet.get_by_text("手机号 138****5678")).to_be_visible()
    check_screen_fits(tablet, "signups-mine-tablet")

    mine.get_by_role("link", name=re.compile("取消报名")).click()
    expect(tablet.get_by_role("heading", level=1)).to_have_text("请确认取消报名")
    expect(tablet.get_by_text("取消后，您的名额会让给排在第一位的候补。")).to_be_visible()
    check_screen_fits(tablet, "signups-cancel-confirm-tablet")
    assert signups(committed, session)[0].status == CONFIRMED  # nothing before 确认
    tablet.get_by_role("button", name="确认取消报名").click()
    expect(tablet.get_by_role("status")).to_contain_text("已取消报名：太极拳")
    expect(tablet.get_by_text("这个手机号还没有报名要上的课。")).to_be_visible()
    assert [s.status for s in signups(committed, session)] == [WITHDRAWN, CONFIRMED]

    tablet.get_by_role("link", name="返回首页").first.click()  # the next person
    tablet.get_by_role("link", name=re.compile("长者学堂报名")).click()
    tablet.get_by_role("link", name="我的报名").click()
    expect(tablet.get_by_label("手机号（11 位数字）")).to_have_value("")  # forgotten
    tap_digits(tablet, "13987654321")
    tablet.get_by_role("button", name="查看我的报名").click()
    expect(tablet.locator(".mine-card", has_text="太极拳")).to_contain_text(
        "候补已递补成功，您有名额了")
    check_screen_fits(tablet, "signups-mine-promoted-tablet")


def test_signing_up_twice_or_for_a_cancelled_class_says_why(tablet, make_course,
                                                           make_class_session, make_signup,
                                                           committed):
    session = make_class_session(course=make_course(title="合唱"))
    make_signup(session=session, name="王秀英", phone="13812345678")
    tablet.goto(f"/classes/{session.id}/")
    tablet.get_by_label("您的名字").fill("王秀英")
    tap_digits(tablet, "13812345678")
    tablet.get_by_role("button", name="下一步").click()
    expect(tablet.get_by_role("heading", level=1)).to_have_text("这个手机号已经报过这节课了")
    expect(tablet.get_by_text("已经有名额了，不用再报一次。")).to_be_visible()
    check_screen_fits(tablet, "signups-already-tablet")
    tablet.get_by_role("link", name="查看我的报名").click()
    expect(tablet.locator(".mine-card", has_text="合唱")).to_contain_text("已报名")

    committed()  # the tablet's steps wrote (what was typed is kept on the server)
    stopped = make_class_session(course=make_course(title="剪纸"), status="cancelled")
    tablet.goto(f"/classes/{stopped.id}/")
    expect(tablet.get_by_role("heading", level=1)).to_have_text("剪纸：不能报名")
    expect(tablet.get_by_text("这节课已经取消了。")).to_be_visible()
    expect(tablet.get_by_label("您的名字")).to_have_count(0)
    check_screen_fits(tablet, "signups-not-joinable-tablet")


def test_the_class_list_pages_by_week(tablet, make_course, make_class_session):
    monday = week_start(0, utcnow())
    next_week = make_class_session(course=make_course(title="合唱"), starts_at=local_datetime(
        monday + timedelta(weeks=1, days=5), time(9, 0)))
    tablet.goto("/classes/")
    expect(tablet.get_by_role("heading", level=2, name="本周的课")).to_be_visible()
    expect(tablet.get_by_role("link", name="上一周")).to_have_count(0)
    tablet.get_by_role("link", name="下一周").click()
    expect(tablet.get_by_role("heading", level=2, name="下周的课")).to_be_visible()
    expect(tablet).to_have_url(re.compile(r"week=1"))
    expect(card(tablet, "合唱")).to_be_visible()
    expect(tablet.locator(".day-title").first).to_contain_text(
        next_week.starts_at.astimezone(local_zone()).strftime("%-m月%-d日"))
    check_screen_fits(tablet, "signups-next-week-tablet")
    tablet.get_by_role("link", name="上一周").click()
    expect(tablet.get_by_role("heading", level=2, name="本周的课")).to_be_visible()


def test_a_volunteer_signs_someone_up_and_checks_people_in(tablet, make_staff, make_course,
                                                          make_class_session, make_signup,
                                                          committed):
    volunteer = make_staff("volunteer", display_name="格格管家 赵桂芝", pin="147258")
    coming = make_class_session(course=make_course(title="健康讲座"), starts_in=timedelta(days=2))
    now_on = make_class_session(course=make_course(title="智能手机入门"),
                                starts_in=-timedelta(minutes=5))
    make_signup(session=now_on, name="王秀英", phone="13812345678")
    make_signup(session=now_on, name="杨建华", phone="13512345678")

    tablet.goto("/unlock")
    tap_digits(tablet, "147258")
    tablet.get_by_role("button", name="解锁").click()
    expect(tablet.get_by_role("region", name="工作人员模式")).to_contain_text("格格管家 赵桂芝")

    tablet.get_by_role("link", name="代报名").click()
    show_week_of(tablet, coming)
    open_card(tablet, "健康讲座")
    expect(tablet.get_by_role("heading", level=1)).to_have_text("代报名：健康讲座")
    tablet.get_by_label("您的名字").fill("周桂英")
    tap_digits(tablet, "15012345678")
    tablet.get_by_role("button", name="下一步").click()
    expect(tablet.locator(".summary div", has_text="代报名")).to_contain_text("格格管家 赵桂芝")
    tablet.get_by_role("button", name="确认报名").click()
    expect(tablet.get_by_role("heading", level=1)).to_have_text("代报名成功")
    expect(tablet.locator(".summary")).to_contain_text("150****5678")
    check_screen_fits(tablet, "signups-on-behalf-done-tablet")
    assert signups(committed, coming)[0].created_by_staff_id == volunteer.id

    tablet.get_by_role("link", name="返回首页").last.click()
    tablet.get_by_role("link", name="上课签到").click()
    expect(tablet.get_by_role("heading", level=1)).to_have_text("签到：请选择课程")
    check_screen_fits(tablet, "signups-checkin-choose-tablet")
    card(tablet, "智能手机入门").click()
    person = tablet.get_by_role("button", name=re.compile("王秀英"))
    expect(person).to_have_attribute("aria-pressed", "false")
    expect(tablet.locator("#checkin-count")).to_contain_text("已到 0 人，共 2 人")
    person.click()
    expect(person).to_have_attribute("aria-pressed", "true")
    expect(person).to_contain_text("已到")
    expect(tablet.get_by_role("status")).to_have_text("王秀英 已签到。")
    expect(tablet.locator("#checkin-count")).to_contain_text("已到 1 人，共 2 人")
    check_screen_fits(tablet, "signups-checkin-tablet")
    person.click()  # tapped by mistake: undo
    expect(person).to_have_attribute("aria-pressed", "false")
    expect(tablet.get_by_role("status")).to_have_text("已撤销 王秀英 的签到。")
    person.click()
    expect(person).to_have_attribute("aria-pressed", "true")

    tablet.get_by_role("link", name="添加临时来的人").click()
    tablet.get_by_label("姓名").fill("孙秀云")
    check_screen_fits(tablet, "signups-walk-in-tablet")
    tablet.get_by_role("button", name="添加并签到").click()
    expect(tablet.get_by_role("status")).to_have_text("已添加 孙秀云，并已签到。")
    expect(tablet.get_by_role("button", name=re.compile("孙秀云"))).to_have_attribute(
        "aria-pressed", "true")
    rows = {s.name: s for s in signups(committed, now_on)}
    assert rows["王秀英"].attended_at and not rows["杨建华"].attended_at
    assert rows["孙秀云"].walk_in and rows["孙秀云"].attended_at


def test_staff_plan_a_course_print_the_roster_and_open_the_excel(console, make_staff,
                                                                  make_signup, committed,
                                                                  tmp_path):
    page = console(make_staff("facilitator", username="chenjing", password=CONSOLE_PASSWORD,
                              display_name="主持人 陈静"), accept_downloads=True)
    page.get_by_role("navigation").get_by_role("link", name="长者学堂").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("长者学堂课程")
    check_screen(page, None, kind="console")
    page.get_by_role("link", name="添加课程").click()
    page.get_by_label("课程名称").fill("智能手机入门")
    page.get_by_label("类别").select_option("phone")
    page.get_by_label("老师").fill("李文静")
    page.get_by_label("地点").fill("睦邻驿站 活动室")
    page.get_by_label("每节课名额").fill("2")
    check_screen(page, "signups-console-course-form", kind="console")
    page.get_by_role("button", name="添加课程").click()

    expect(page.get_by_role("status")).to_contain_text("已添加课程“智能手机入门”")
    first = (utcnow() + timedelta(days=2)).astimezone(local_zone()).date()
    page.get_by_label("第一节课的日期").fill(first.isoformat())
    page.get_by_label("开始时间").fill("09:00")
    page.get_by_label("时长（分钟）").fill("90")
    page.get_by_label("连续几周").fill("8")
    check_screen(page, "signups-console-sessions-form", kind="console")
    page.get_by_role("button", name="添加上课时间").click()
    expect(page.get_by_role("status")).to_contain_text("已添加 8 节课")
    expect(page.get_by_role("table").locator("tbody tr")).to_have_count(8)
    check_screen(page, "signups-console-course", kind="console")

    course = committed().scalar(select(Course).where(Course.title == "智能手机入门"))
    session = course.sessions[0]
    for name, phone in (("王秀英", "13812345678"), ("=HYPERLINK(1)", "13987654321")):
        make_signup(session=session, name=name, phone=phone)
    make_signup(session=session, name="李桂兰", phone="13512345678", status=WAITING)

    page.get_by_role("table").get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("名单：智能手机入门")
    expect(page.get_by_role("table").first).to_contain_text("138****5678")
    check_screen(page, "signups-console-roster", kind="console")
    page.get_by_role("link", name="修改这节课").click()
    expect(page.get_by_label("名额")).to_have_value("2")
    check_screen(page, None, kind="console")
    page.go_back()

    with page.expect_download() as download:
        page.get_by_role("link", name="下载 Excel").click()
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][:4] == ["序号", "姓名", "手机号", "状态"]
    assert rows[1][1:4] == ["王秀英", "13812345678", "已报名"]
    assert rows[2][1] == "=HYPERLINK(1)" and sheet["B3"].data_type == "s"
    assert rows[3][1:4] == ["李桂兰", "13512345678", "候补第 1 位"]

    page.get_by_role("link", name="打印签到表").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("智能手机入门 · 签到表")
    check_screen(page, "signups-roster-print", kind="console")
    page.emulate_media(media="print")
    name_size = page.locator(".sheet-table td.col-name").first.evaluate(
        "(el) => parseFloat(getComputedStyle(el).fontSize)")
    assert name_size >= 14 * 96 / 72  # at least 14 pt on paper
    pdf = PdfReader(io.BytesIO(page.pdf(format="A4", print_background=True)))
    text = pdf_text(pdf)
    assert abs(float(pdf.pages[0].mediabox.width) - 595.3) < 2  # A4
    for expected in ("智能手机入门", "签到表", "王秀英", "李桂兰", "已到", "睦邻驿站 活动室",
                     "138****5678"):
        assert expected in text.replace("\n", ""), expected
    assert "13812345678" not in text and "打印" not in text.replace("打印于", "")
    page.emulate_media(media="screen")

    page.get_by_role("link", name="返回名单").click()
    page.get_by_role("link", name="取消这节课").click()
    page.get_by_label("原因（可选）").fill("老师生病")
    check_screen(page, "signups-console-cancel-session", kind="console")
    page.get_by_role("button", name="确认取消这节课").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("请电话通知：智能手机入门 停课")
    table = page.get_by_role("table")
    for number in ("138 1234 5678", "139 8765 4321", "135 1234 5678"):
        expect(table).to_contain_text(number)
    check_screen(page, "signups-console-call-list", kind="console")
    actions = list(committed().scalars(select(AuditEvent.action)))
    assert {"signups.export_roster", "signups.cancel_session", "signups.call_list"} <= set(
        actions)


def test_a_phone_gets_a_cancel_code_and_finds_its_sign_up_only_with_it(phone, make_class_session,
                                                                        committed):
    session = make_class_session()
    phone.goto(f"/classes/{session.id}/")
    phone.get_by_label("您的名字").fill("李桂兰")
    tap_digits(phone, "13987654321")
    phone.get_by_role("button", name="下一步").click()
    phone.get_by_role("button", name="确认报名").click()
    code = phone.locator(".cancel-code").inner_text().split("：")[1].strip()
    assert re.fullmatch(r"\d{6}", code)
    assert committed().scalar(select(Signup)).cancel_code_hash  # kept, hashed
    check_screen(phone, "signups-done-phone", kind="phone")

    phone.goto("/classes/mine")
    tap_digits(phone, "13987654321")
    phone.get_by_label("取消码（报名成功页上的 6 位数字）").fill("000000" if code != "000000"
                                                         else "111111")
    phone.get_by_role("button", name="查看我的报名").click()
    expect(phone.get_by_text(session.title)).to_have_count(0)  # a wrong code finds nothing
    phone.get_by_label("取消码（报名成功页上的 6 位数字）").fill(code)
    phone.get_by_role("button", name="查看我的报名").click()
    expect(phone.get_by_text(session.title).first).to_be_visible()
    check_screen(phone, "signups-mine-phone", kind="phone")


def test_staff_take_someone_off_a_list_after_asking_and_call_who_moved_up(
        console, make_staff, make_class_session, make_signup, committed):
    session = make_class_session(capacity=1)
    leaving = make_signup(session=session, name="王秀英", phone="13812345678")
    make_signup(session=session, name="李桂兰", phone="13512345678", status=WAITING)
    page = console(make_staff("facilitator", username="chenjing", password=CONSOLE_PASSWORD,
                              display_name="主持人 陈静"))
    page.goto(f"{page.url.split('/staff')[0]}/staff/classes/sessions/{session.id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("名单")
    page.get_by_role("link", name="取消 王秀英 的报名").click()

    # Asked first, naming who leaves and who moves up; nothing has changed yet.
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"将王秀英从{session.title}的名单中移出？")
    expect(page.locator(".notice-warning")).to_contain_text("候补第一位李桂兰将转为正式报名")
    check_screen(page, "signups-console-cancel-signup", kind="console")
    assert committed().get(Signup, leaving.id).status == CONFIRMED
    page.get_by_role("button", name="确定将王秀英移出名单").click()

    expect(page.get_by_role("status")).to_contain_text("李桂兰")
    statuses = {s.name: s.status for s in committed().scalars(select(Signup))}
    assert statuses == {"王秀英": WITHDRAWN, "李桂兰": CONFIRMED}

    page.goto(f"{page.url.split('/staff')[0]}/staff/classes/{session.course_id}")
    page.get_by_role("link", name="候补转正的人：电话名单").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("候补转为正式报名的人")
    rows = page.get_by_role("table").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("李桂兰")
    expect(rows.first).to_contain_text("135 1234 5678")  # whole, to call her
    check_screen(page, "signups-console-moved-up", kind="console")


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_the_sign_up_step_on_a_320px_phone(browser, live_server, locale, make_course,
                                           make_class_session):
    """A resident may sign up on their own phone: it scrolls up and down, never sideways; the
    keypad is under the number and the hint says so; English words wrap whole."""
    course = make_course(title="Calligraphy for beginners", teacher="Wang Deming",
                         place="Neighbourhood station, activity room")
    session = make_class_session(course=course, starts_in=timedelta(hours=3))
    context = browser.new_context(base_url=live_server, viewport={"width": 320, "height": 640},
                                  has_touch=True, is_mobile=True, device_scale_factor=2,
                                  locale=locale)
    page = context.new_page()
    page.goto(f"/classes/{session.id}/")
    english = locale == "en-US"
    below, beside = (("Tap the number keys below.", "Tap the number keys on the right.")
                     if english else ("请点下面的数字键。", "请点右边的数字键。"))
    expect(page.get_by_text(below)).to_be_visible()
    expect(page.get_by_text(beside)).to_be_hidden()
    keys = page.locator(".keypad").bounding_box()
    number = page.locator(".keypad-display").bounding_box()
    assert keys["y"] > number["y"] + number["height"]  # the keys are below the number
    assert page.evaluate("document.documentElement.scrollWidth") == 320
    check_screen(page, f"signups-details-320-{'en' if english else 'zh'}", kind="phone")
    assert_no_broken_words(page)
    page.get_by_label("Your name" if english else "您的名字").fill("Li Guilan")
    tap_digits(page, "13987654321")
    page.get_by_role("button", name="Next" if english else "下一步").click()
    expect(page.locator(".summary")).to_contain_text("139****4321")
    check_screen(page, f"signups-confirm-320-{'en' if english else 'zh'}", kind="phone")
    assert_no_broken_words(page)
    context.close()


# ---------- every kiosk screen in every view: landscape, portrait, and with 大字 ----------
# Each screen in the four views of the tablet, where nothing may fall below the fold. The
# flows above keep the landscape pictures of the screens they pass through.

PICTURED_BY_THE_FLOWS = {"list", "details", "details-error", "confirm", "done", "already",
                         "queue-details", "queue-done", "not-joinable", "mine-keypad", "mine",
                         "cancel-confirm", "on-behalf-done", "checkin-choose", "checkin",
                         "walk-in"}


def check_view(page, view: str, screen: str):
    """check_screen_fits, with the picture signups-<screen>-<view>."""
    pictured = view == "tablet" and screen in PICTURED_BY_THE_FLOWS
    check_screen_fits(page, None if pictured else f"signups-{screen}-{view}")


def is_split(page) -> bool:
    """Whether the step is two screens (the name, then the number): it did not fit on one."""
    page.wait_for_load_state("load")
    return page.locator(".keypad-field.is-split").count() > 0


def to_the_number(page):
    """In a step split in two, go on (下一步) from the name to the number and the keypad."""
    if is_split(page):
        expect(page.locator(".keypad")).to_be_hidden()
        page.locator("[data-show-part='number']").click()  # 下一步
        expect(page.locator(".keypad")).to_be_visible()


def enter_details(page, name: str, phone: str):
    page.get_by_label("您的名字").fill(name)
    to_the_number(page)
    tap_digits(page, phone)


@pytest.mark.parametrize("view", KIOSK_VIEWS)
def test_every_sign_up_screen_fits_without_scrolling(view, kiosk_view, make_course,
                                                    make_class_session, make_signup):
    page = kiosk_view(view)
    course = make_course(title="智能手机入门", teacher="李文静", place="实成·幸福里党群活动服务站")
    session = make_class_session(course=course, starts_in=timedelta(hours=3))
    full = make_class_session(course=make_course(title="剪纸", capacity=1),
                              starts_in=timedelta(hours=4))
    make_signup(session=full)
    stopped = make_class_session(course=make_course(title="合唱"), status="cancelled")

    page.goto("/classes/")
    check_view(page, view, "list")

    page.goto(f"/classes/{session.id}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("报名：智能手机入门")
    split = is_split(page)
    assert split or view != "large-text-tablet"  # 大字 on a landscape tablet: two screens
    check_view(page, view, "details")
    if split:  # the second screen of the step, then back: nothing typed is lost
        page.get_by_label("您的名字").fill("王秀英")
        page.get_by_role("button", name="下一步").click()
        expect(page.get_by_text("您的名字：王秀英")).to_be_visible()
        tap_digits(page, "1381234")
        check_view(page, view, "details-number")
        page.get_by_role("button", name="改名字").click()
        expect(page.get_by_label("您的名字")).to_have_value("王秀英")
        page.get_by_role("button", name="下一步").click()
        expect(page.get_by_label("手机号（11 位数字）")).to_have_value("138 1234")
        page.get_by_role("button", name="清空").click()
        page.get_by_role("button", name="改名字").click()
        page.get_by_label("您的名字").fill("")
        page.get_by_role("button", name="下一步").click()
    tap_digits(page, "1281234")
    page.get_by_role("button", name="下一步").click()
    expect(page.locator("#f-name-error")).to_contain_text("请写上您的名字")
    check_view(page, view, "details-error")

    page.get_by_label("您的名字").fill("王秀英")
    to_the_number(page)
    page.get_by_role("button", name="清空").click()
    tap_digits(page, "13812345678")
    page.get_by_role("button", name="下一步").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("请确认报名信息")
    check_view(page, view, "confirm")
    page.get_by_role("button", name="确认报名").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("报名成功")
    check_view(page, view, "done")

    page.goto(f"/classes/{session.id}/")  # the same number again
    enter_details(page, "王秀英", "13812345678")
    page.get_by_role("button", name="下一步").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("这个手机号已经报过这节课了")
    check_view(page, view, "already")

    page.goto(f"/classes/{full.id}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("排队候补：剪纸")
    check_view(page, view, "queue-details")
    to_the_number(page)  # no name, half a number: both messages
    tap_digits(page, "137")
    page.get_by_role("button", name="下一步").click()
    expect(page.locator("#f-name-error")).to_be_visible()
    check_view(page, view, "queue-details-error")
    page.get_by_label("您的名字").fill("刘淑芬")
    to_the_number(page)
    page.get_by_role("button", name="清空").click()
    tap_digits(page, "13700000002")
    page.get_by_role("button", name="下一步").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("请确认候补信息")
    check_view(page, view, "queue-confirm")
    page.get_by_role("button", name="确认排队候补").click()
    expect(page.locator(".queue-place")).to_contain_text("您排在候补第 1 位")
    check_view(page, view, "queue-done")

    page.goto(f"/classes/{stopped.id}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("合唱：不能报名")
    check_view(page, view, "not-joinable")


@pytest.mark.parametrize("view", KIOSK_VIEWS)
def test_my_sign_ups_fit_without_scrolling_and_page_a_long_list(view, kiosk_view, make_course,
                                                              make_class_session, make_signup):
    page = kiosk_view(view)
    titles = ["书法", "太极拳", "合唱", "剪纸", "智能手机入门", "健康讲座", "八段锦"]
    for day, title in enumerate(titles):
        make_signup(session=make_class_session(course=make_course(title=title),
                                               starts_in=timedelta(days=day + 1)),
                    name="王秀英", phone="13812345678")
    page.goto("/classes/mine")
    check_view(page, view, "mine-keypad")
    tap_digits(page, "1381234567")
    page.get_by_role("button", name="查看我的报名").click()
    expect(page.locator("#f-phone-error")).to_be_visible()
    check_view(page, view, "mine-keypad-error")
    tap_digits(page, "8")
    page.get_by_role("button", name="查看我的报名").click()
    expect(page.get_by_text("手机号 138****5678")).to_be_visible()
    check_view(page, view, "mine-many")
    seen = read_pages(page, ".mine-card .mine-title")
    assert sorted(seen) == sorted(titles)  # every sign-up once, page by page

    page.locator(".mine-card:visible").first.get_by_role("link", name=re.compile("取消报名")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("请确认取消报名")
    check_view(page, view, "cancel-confirm")


def read_pages(page, selector: str) -> list[str]:
    """The texts of what each page of a paged list shows, tapping 下一页 to the last page."""
    texts = []
    while True:
        texts += [el.inner_text() for el in page.locator(selector).all() if el.is_visible()]
        forward = page.get_by_role("button", name="下一页")
        if not forward.is_visible() or forward.is_disabled():
            return texts
        forward.click()


@pytest.mark.parametrize("view", KIOSK_VIEWS)
def test_staff_screens_on_the_tablet_fit_without_scrolling(view, kiosk_view, make_staff,
                                                          make_course, make_class_session,
                                                          make_signup):
    page = kiosk_view(view)
    make_staff("volunteer", display_name="格格管家 赵桂芝", pin="147258")
    coming = make_class_session(course=make_course(title="健康讲座"), starts_in=timedelta(days=2))
    now_on = make_class_session(course=make_course(title="智能手机入门"),
                                starts_in=-timedelta(minutes=5))
    names = ["王秀英", "杨建华", "李桂兰", "张玉珍", "刘淑芬", "陈国强", "赵玉梅", "孙秀云",
             "周桂英", "吴建国", "郑淑华", "马桂芳", "胡永红", "郭秀珍", "何秀兰", "高建军",
             "林凤英", "罗志明", "梁淑珍", "宋国华"]  # more than one page holds
    for n, name in enumerate(names):
        make_signup(session=now_on, name=name, phone=f"1381234{n:04d}")
    make_signup(session=now_on, name="何建平", status=WAITING)
    page.goto("/unlock")
    tap_digits(page, "147258")
    page.get_by_role("button", name="解锁").click()
    expect(page.get_by_role("region", name="工作人员模式")).to_be_visible()

    page.get_by_role("link", name="代报名").click()
    show_week_of(page, coming)
    open_card(page, "健康讲座")
    expect(page.get_by_role("heading", level=1)).to_have_text("代报名：健康讲座")
    check_view(page, view, "on-behalf-details")
    enter_details(page, "周桂英", "15012345678")
    page.get_by_role("button", name="下一步").click()
    expect(page.locator(".summary div", has_text="代报名")).to_contain_text("格格管家 赵桂芝")
    check_view(page, view, "on-behalf-confirm")
    page.get_by_role("button", name="确认报名").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("代报名成功")
    check_view(page, view, "on-behalf-done")

    page.goto("/classes/checkin/")
    check_view(page, view, "checkin-choose")
    open_card(page, "智能手机入门")
    page.get_by_role("button", name=re.compile("王秀英")).click()
    expect(page.get_by_role("status")).to_have_text("王秀英 已签到。")
    check_view(page, view, "checkin-many")
    expect(page.get_by_role("navigation", name="分页")).to_contain_text("第 1 页")
    seen = read_pages(page, ".checkin-name")
    assert sorted(seen) == sorted(names)  # every name once, page by page
    check_view(page, view, "checkin-many-last-page")
    expect(page.get_by_role("button", name="下一页")).to_be_disabled()
    page.get_by_role("button", name="上一页").click()
    expect(page.get_by_role("button", name="下一页")).to_be_enabled()

    page.get_by_role("link", name="添加临时来的人").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("临时来的人")
    check_view(page, view, "walk-in")
    page.get_by_label("姓名").fill("钱美华")
    if is_split(page):
        page.get_by_role("button", name="下一步").click()
        check_view(page, view, "walk-in-number")
    page.get_by_role("button", name="添加并签到").click()
    expect(page.get_by_role("status")).to_have_text("已添加 钱美华，并已签到。")
    expect(page.locator(".checkin-person", has_text="钱美华")).to_have_attribute(
        "aria-pressed", "true")


def no_chinese(page) -> str:
    """The text of the page in English, but for the language switch (中文): what is left
    in Chinese was not translated."""
    text = page.locator("body").inner_text().replace("中文", "")
    found = re.findall(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]+", text)
    assert not found, f"not translated: {found}"
    return text


def test_staff_and_resident_screens_in_english(new_tablet, make_staff, make_course,
                                               make_class_session, make_signup):
    """In English every word of these screens is English (names and classes are data), and
    the longer words still fit the tablet."""
    make_staff("facilitator", display_name="Facilitator Chen Jing", pin="135790")
    course = make_course(title="Smartphone basics", teacher="Li Wenjing",
                         place="Shicheng happiness service station")
    coming = make_class_session(course=course, starts_in=timedelta(days=2))
    now_on = make_class_session(course=make_course(title="Tai chi", place="Square pavilion"),
                                starts_in=-timedelta(minutes=5))
    for n, name in enumerate(["Wang Xiuying", "Yang Jianhua", "Li Guilan", "Zhang Yuzhen"]):
        make_signup(session=now_on, name=name, phone=f"1381234{n:04d}")
    make_signup(session=now_on, name="He Jianping", status=WAITING)
    page = new_tablet(locale="en-US")
    page.goto("/")
    no_chinese(page)
    page.get_by_role("link", name="Staff").click()
    no_chinese(page)
    check_screen_fits(page, "staff-unlock-en-tablet")
    tap_digits(page, "135790")
    page.get_by_role("button", name="Unlock").click()
    banner = page.get_by_role("region", name="Staff mode")
    expect(banner).to_contain_text("Staff mode: Facilitator Chen Jing")
    expect(banner.get_by_role("button", name="Exit")).to_be_visible()
    assert "10 minutes without a touch" in no_chinese(page)
    check_screen_fits(page, "staff-mode-home-en-tablet")

    page.get_by_role("link", name="Sign someone up").click()
    show_week_of(page, coming)
    open_card(page, "Smartphone basics")
    no_chinese(page)
    check_screen_fits(page, "signups-on-behalf-details-en-tablet")
    page.get_by_label("Your name").fill("Zhou Guiying")
    to_the_number(page)
    tap_digits(page, "15012345678")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Please check the sign-up details")
    no_chinese(page)
    check_screen_fits(page, "signups-on-behalf-confirm-en-tablet")
    page.get_by_role("button", name="Confirm sign-up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Signed up on their behalf")
    no_chinese(page)
    check_screen_fits(page, "signups-on-behalf-done-en-tablet")

    page.goto(f"/classes/checkin/{now_on.id}")
    page.get_by_role("button", name=re.compile("Wang Xiuying")).click()
    expect(page.get_by_role("status")).to_contain_text("Wang Xiuying")
    no_chinese(page)
    check_screen_fits(page, "signups-checkin-en-tablet")
    page.get_by_role("link", name="Add a walk-in").click()
    no_chinese(page)
    check_screen_fits(page, "signups-walk-in-en-tablet")
    banner.get_by_role("button", name="Exit").click()
    expect(page.get_by_role("link", name="Staff")).to_be_visible()


def test_a_resident_signs_up_in_english_with_large_text(new_tablet, make_course,
                                                        make_class_session):
    course = make_course(title="Smartphone basics", teacher="Li Wenjing",
                         place="Shicheng happiness service station")
    session = make_class_session(course=course, starts_in=timedelta(days=2))
    page = new_tablet(locale="en-US")
    page.goto("/")
    page.get_by_role("button", name="Large text").click()
    no_chinese(page)
    check_screen_fits(page, "home-en-large-text-tablet")
    page.goto(f"/classes/{session.id}/")
    no_chinese(page)
    check_screen_fits(page, "signups-details-en-large-text-tablet")
    page.get_by_label("Your name").fill("Zhou Guiying")
    to_the_number(page)
    no_chinese(page)
    check_screen_fits(page, "signups-details-number-en-large-text-tablet")
    tap_digits(page, "15012345678")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Please check the sign-up details")
    no_chinese(page)
    check_screen_fits(page, "signups-confirm-en-large-text-tablet")
    page.get_by_role("button", name="Confirm sign-up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are signed up")
    no_chinese(page)
    check_screen_fits(page, "signups-done-en-large-text-tablet")
    page.goto("/classes/mine")
    no_chinese(page)
    check_screen_fits(page, "signups-mine-keypad-en-large-text-tablet")
    page.goto("/unlock")
    no_chinese(page)
    check_screen_fits(page, "staff-unlock-en-large-text-tablet")
