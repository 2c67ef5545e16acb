"""Communities in the console, in Chromium at tablet size: before setup the sign-in page says
what to do; the subdistrict admin adds a community (a wrong short name first), retires one and
restores it."""

from playwright.sync_api import expect

from .checks import check_screen
from .conftest import CONSOLE_PASSWORD


def _tablet(browser, live_server):
    context = browser.new_context(base_url=live_server, locale="zh-CN",
                                  viewport={"width": 1280, "height": 800}, has_touch=True)
    context.set_default_timeout(10_000)
    return context, context.new_page()


def test_before_setup_the_sign_in_page_says_to_run_flask_setup(browser, live_server, app):
    context, page = _tablet(browser, live_server)
    try:
        page.goto("/staff/login")
        expect(page.get_by_role("heading", name="系统还没有安装设置")).to_be_visible()
        expect(page.get_by_text("flask --app app setup")).to_be_visible()
        expect(page.get_by_label("密码")).to_have_count(0)
        check_screen(page, "staff-login-setup-needed", kind="console")
    finally:
        context.close()


def test_the_subdistrict_admin_adds_retires_and_restores_a_community(
        browser, live_server, make_staff, community, committed):
    make_staff("admin", community=None, username="jiedao-li", password=CONSOLE_PASSWORD,
               display_name="街道 李主任")
    context, page = _tablet(browser, live_server)
    try:
        page.goto("/staff/login")
        page.get_by_label("用户名").fill("jiedao-li")
        page.get_by_label("密码").fill(CONSOLE_PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.get_by_role("link", name="社区管理").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("社区管理")

        page.get_by_label("社区名称").fill("河畔社区")
        page.get_by_label("简称").fill("He Pan")
        page.get_by_role("button", name="添加这个社区").click()
        expect(page.get_by_text("1 到 40 个小写字母")).to_be_visible()
        expect(page.get_by_label("社区名称")).to_have_value("河畔社区")
        page.get_by_label("简称").fill("hepan")
        page.get_by_role("button", name="添加这个社区").click()
        expect(page.get_by_role("status")).to_contain_text("已添加河畔社区")
        expect(page.get_by_role("cell", name="hepan", exact=True)).to_be_visible()

        page.get_by_role("button", name="停用胜利社区").click()
        expect(page.get_by_role("status")).to_contain_text("胜利社区已停用")
        expect(page.get_by_role("button", name="恢复胜利社区")).to_be_visible()
        check_screen(page, "communities-console", kind="console")
        db = committed()
        db.refresh(community)
        assert community.is_retired

        page.get_by_role("button", name="恢复胜利社区").click()
        expect(page.get_by_role("button", name="停用胜利社区")).to_be_visible()
        db = committed()
        db.refresh(community)
        assert not community.is_retired
    finally:
        context.close()
