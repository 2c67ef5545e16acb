"""A person's data in Chromium: an admin finds a resident's records by number, is asked
to confirm, and erases them."""

from playwright.sync_api import expect
from sqlalchemy import select

from muling_kiosk.signups.models import Signup

from .checks import check_screen
from .conftest import CONSOLE_PASSWORD


def test_an_admin_finds_and_erases_a_residents_data(console, make_staff, make_signup,
                                                    make_suggestion, committed):
    signup = make_signup(name="王秀英", phone="13812345678")
    make_suggestion(contact_name="王秀英", contact_phone="13812345678", text="路灯坏了。")
    desk = console(make_staff("admin", password=CONSOLE_PASSWORD))
    desk.get_by_role("link", name="个人信息查询").click()
    desk.get_by_label("手机号").fill("138 1234 5678")
    desk.get_by_role("button", name="搜索").click()
    expect(desk.get_by_role("heading", level=2)).to_have_text("138****5678 的个人信息")
    expect(desk.get_by_role("cell", name="王秀英", exact=True)).to_be_visible()
    check_screen(desk, "personal-console", kind="console")
    desk.get_by_role("button", name="删除此人的个人信息…").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("删除 138****5678 的个人信息？")
    check_screen(desk, "personal-forget-console", kind="console")
    desk.get_by_role("button", name="确认删除").click()
    expect(desk.get_by_role("status")).to_contain_text("138****5678 已删除")
    session = committed()
    assert session.scalar(select(Signup.phone).where(Signup.id == signup.id)) is None
