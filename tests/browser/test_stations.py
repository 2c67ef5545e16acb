"""Station tablets in Chromium: an admin enrolls the device in hand with the password, the
tablet then unlocks staff mode and takes the passed-round ballot; a phone gets a kind page."""

import re

from playwright.sync_api import expect
from sqlalchemy import func, select

from muling_kiosk.votes.models import Ballot

from .checks import check_screen
from .conftest import CONSOLE_PASSWORD


def test_an_admin_enrolls_this_tablet_which_then_takes_the_passed_ballot(
        browser, live_server, phone, make_staff, make_poll, committed):
    make_staff("admin", username="liuyang", password=CONSOLE_PASSWORD, display_name="刘洋")
    make_staff("facilitator", display_name="主持人 陈静", pin="135790")
    poll = make_poll(question="是否同意：电动车充电桩选址？")
    context = browser.new_context(base_url=live_server, locale="zh-CN",
                                  viewport={"width": 1280, "height": 800}, has_touch=True)
    context.set_default_timeout(10_000)
    tablet = context.new_page()

    # Not yet enrolled: no PIN pad for this device.
    tablet.goto("/unlock")
    expect(tablet.get_by_role("heading", level=1)).to_have_text("请到驿站的平板上操作")

    # The admin signs in with the password on the tablet and enrolls it.
    tablet.goto("/staff/login")
    tablet.get_by_label("用户名").fill("liuyang")
    tablet.get_by_label("密码").fill(CONSOLE_PASSWORD)
    tablet.get_by_role("button", name="登录").click()
    tablet.get_by_role("link", name="驿站平板").click()
    tablet.get_by_label("平板名称").fill("驿站平板 1")
    tablet.get_by_role("button", name="设为本社区平板").click()
    expect(tablet.get_by_role("status")).to_contain_text("驿站平板 1")
    expect(tablet.get_by_role("cell", name="驿站平板 1 (这台设备)")).to_be_visible()
    check_screen(tablet, "stations-console", kind="console")
    tablet.get_by_role("button", name="退出登录").click()  # the admin signs out
    expect(tablet.get_by_role("heading", level=1)).to_be_visible()

    # Now the PIN pad opens staff mode, and the facilitator hands the tablet over.
    tablet.goto(f"/unlock?next=/vote/run/polls/{poll.id}")
    for digit in "135790":
        tablet.locator(f"[data-key='{digit}']").click()
    tablet.get_by_role("button", name="解锁").click()
    tablet.get_by_role("button", name="把平板交给居民投票").click()
    for choice in ("赞成", "反对"):
        tablet.get_by_role("button", name=choice, exact=True).click()
        tablet.get_by_role("button", name="确认").click()
        expect(tablet.get_by_role("heading", name="已记录，请传给下一位。")).to_be_visible()
        expect(tablet.get_by_role("button", name="赞成", exact=True)).to_be_visible()  # 下一位
    assert committed().scalar(select(func.count(Ballot.id))) == 2

    # A phone on the station Wi-Fi: a kind page, and no ballot.
    phone.goto(f"/vote/poll/{poll.id}")
    expect(phone.get_by_role("heading", level=1)).to_have_text("请到驿站的平板上操作")
    check_screen(phone, "stations-not-tablet-phone", kind="phone")
    phone.get_by_role("region", name="请到驿站的平板上操作").get_by_role("link", name="返回首页").click()
    expect(phone).to_have_url(re.compile(r"/$"))
    assert committed().scalar(select(func.count(Ballot.id))) == 2
    context.close()
