"""Staff mode on the tablet and the staff console, in Chromium."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from muling_kiosk.audit.models import AuditEvent

from .checks import check_screen, check_screen_fits
from .conftest import KIOSK_VIEWS


def tap_pin(page, pin: str):
    for digit in pin:
        page.locator(f"[data-key='{digit}']").click()


def test_pin_unlocks_staff_mode_and_exit_or_idle_ends_it(tablet, make_staff, committed):
    make_staff("facilitator", display_name="主持人 陈静", pin="135790")
    tablet.clock.install()
    tablet.goto("/")
    tablet.get_by_role("link", name="工作人员").click()
    expect(tablet.get_by_role("heading", level=1)).to_have_text("工作人员：请输入 PIN")
    check_screen_fits(tablet, "staff-unlock-tablet")
    tap_pin(tablet, "135790")
    expect(tablet.get_by_label("PIN（6 位数字）")).to_have_value("135790")
    tablet.get_by_role("button", name="解锁").click()
    banner = tablet.get_by_role("region", name="工作人员模式")
    expect(banner).to_contain_text("工作人员模式：主持人 陈静")
    expect(tablet.get_by_role("status")).to_have_text("主持人 陈静 已进入工作人员模式。")
    expect(tablet.get_by_text("10 分钟无操作后")).to_be_visible()  # the limit in staff mode
    expect(tablet.get_by_text("90 秒")).to_have_count(0)
    check_screen_fits(tablet, "staff-mode-home-tablet")

    banner.get_by_role("button", name="退出").click()
    expect(tablet.get_by_role("region", name="工作人员模式")).to_have_count(0)
    expect(tablet.get_by_role("link", name="工作人员")).to_be_visible()

    tablet.get_by_role("link", name="工作人员").click()
    tap_pin(tablet, "135790")
    tablet.get_by_role("button", name="解锁").click()
    expect(tablet.get_by_role("region", name="工作人员模式")).to_be_visible()
    tablet.clock.run_for("02:01")  # a facilitator listening: staff mode waits longer
    expect(tablet.get_by_role("region", name="工作人员模式")).to_be_visible()
    tablet.clock.run_for("08:30")  # ten and a half minutes without a touch
    expect(tablet.get_by_role("link", name="工作人员")).to_be_visible()
    expect(tablet.get_by_role("region", name="工作人员模式")).to_have_count(0)

    db = committed()
    kinds = list(db.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert kinds[-4:] == ["staff.unlock_tablet", "staff.lock_tablet", "staff.unlock_tablet",
                          "staff.lock_idle"]


def test_five_wrong_pins_lock_the_keypad(tablet, make_staff, committed):
    make_staff("facilitator", pin="135790")
    tablet.goto("/unlock")
    for _ in range(5):
        tablet.get_by_role("button", name="清空").click()
        tap_pin(tablet, "999999")
        tablet.get_by_role("button", name="解锁").click()
        expect(tablet.locator(".error")).to_be_visible()
    tablet.get_by_role("button", name="清空").click()
    tap_pin(tablet, "135790")
    tablet.get_by_role("button", name="解锁").click()
    error = tablet.locator("#f-pin-error")
    expect(error).to_contain_text("锁定 5 分钟")
    expect(tablet.get_by_label("PIN（6 位数字）")).to_have_attribute("aria-invalid", "true")
    check_screen_fits(tablet, "staff-locked-tablet")
    kinds = list(committed().scalars(select(AuditEvent.action)))
    assert kinds.count("staff.pin_failed") == 5
    assert "staff.pin_locked_out" in kinds and "staff.pin_refused_locked" in kinds


def test_a_malformed_pin_gets_a_message(tablet, make_staff):
    make_staff("facilitator", pin="135790")
    tablet.goto("/unlock")
    tap_pin(tablet, "135")
    tablet.get_by_role("button", name="解锁").click()
    expect(tablet.locator("#f-pin-error")).to_have_text(re.compile("请输入完整的 6 位 PIN"))


def test_the_console_signs_in_manages_staff_and_shows_the_audit_log(browser, live_server,
                                                                    make_staff):
    make_staff("admin", username="liuyang", password="right password", display_name="刘洋")
    make_staff("volunteer", display_name="格格管家 赵桂芝")
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900},
                                  locale="zh-CN")
    page = context.new_page()
    page.goto("/staff/")
    expect(page).to_have_url(re.compile(r"/staff/login"))
    page.get_by_label("用户名").fill("liuyang")
    page.get_by_label("密码").fill("wrong password")
    page.get_by_role("button", name="登录").click()
    expect(page.locator("#f-password-error")).to_contain_text("用户名或密码不正确")
    check_screen(page, "staff-login-console", kind="console")
    page.get_by_label("密码").fill("right password")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("刘洋，您好")
    check_screen(page, "staff-dashboard-console", kind="console")

    page.get_by_role("navigation").get_by_role("link", name="工作人员账号").click()
    page.get_by_role("link", name="添加工作人员").click()
    page.get_by_label("用户名").fill("wangfang")
    page.get_by_label("称呼").fill("楼栋长 王芳")
    page.get_by_label("角色").select_option("facilitator")
    page.get_by_label("密码", exact=True).fill("first password")
    page.get_by_role("button", name="添加").click()
    expect(page.get_by_role("status")).to_have_text("楼栋长 王芳 现在可以登录了。")
    expect(page.get_by_role("table")).to_contain_text("楼栋长 王芳")
    check_screen(page, "staff-people-console", kind="console")

    page.get_by_role("link", name="编辑 格格管家 赵桂芝").click()
    page.get_by_role("button", name="停用 格格管家 赵桂芝").click()
    expect(page.get_by_role("table")).to_contain_text("已停用")

    page.get_by_role("navigation").get_by_role("link", name="操作记录").click()
    table = page.get_by_role("table")
    for action in ("staff.password_failed", "staff.login", "staff.create", "staff.deactivate"):
        expect(table).to_contain_text(action)
    check_screen(page, "staff-audit-console", kind="console")
    context.close()


@pytest.mark.parametrize("view", KIOSK_VIEWS)
def test_unlock_and_staff_mode_home_fit_every_view(view, kiosk_view, make_staff):
    def check(screen):  # the landscape pictures of the PIN pad and the home: the test above
        pictured = view == "tablet" and screen in ("staff-unlock", "staff-mode-home")
        check_screen_fits(page, None if pictured else f"{screen}-{view}")

    make_staff("facilitator", display_name="主持人 陈静", pin="135790")
    make_staff("volunteer", display_name="格格管家 赵桂芝", pin="246813")
    make_staff("volunteer", display_name="楼栋长 王芳", pin="246802")  # a PIN is one person's
    page = kiosk_view(view)
    page.goto("/")
    page.get_by_role("link", name="工作人员").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("工作人员：请输入 PIN")
    check("staff-unlock")
    tap_pin(page, "135")
    page.get_by_role("button", name="解锁").click()
    expect(page.locator("#f-pin-error")).to_be_visible()
    check("staff-unlock-error")

    page.get_by_role("button", name="清空").click()
    tap_pin(page, "246802")  # the keypad never lists people: the PIN names one
    page.get_by_role("button", name="解锁").click()
    expect(page.get_by_role("region", name="工作人员模式")).to_contain_text("楼栋长 王芳")
    page.get_by_role("region", name="工作人员模式").get_by_role("button", name="退出").click()

    page.get_by_role("link", name="工作人员").click()
    tap_pin(page, "135790")
    page.get_by_role("button", name="解锁").click()
    expect(page.get_by_role("region", name="工作人员模式")).to_contain_text("主持人 陈静")
    for task in ("上课签到", "代报名", "主持议事会", "替居民写建议", "居民建议", "工作台"):
        expect(page.get_by_role("link", name=task)).to_be_visible()
    expect(page.get_by_text("10 分钟无操作后")).to_be_visible()
    check("staff-mode-home")
