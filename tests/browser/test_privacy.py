"""The privacy notice (PIPL Art. 17) as residents meet it: from the class list on the tablet
and from a suggestion's contact fields on a phone, and back to where they were."""

import re

from playwright.sync_api import expect

from .checks import check_screen, check_screen_fits


def test_the_tablet_says_what_the_number_is_for_and_shows_the_notice(kiosk_view,
                                                                     make_class_session):
    make_class_session()
    for view in ("tablet", "large-text-tablet", "large-text-portrait"):
        page = kiosk_view(view)
        page.goto("/classes/")
        expect(page.locator(".lead")).to_contain_text("姓名和手机号只用于上课和联系您")
        page.get_by_role("link", name="个人信息怎样保管").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("您的个人信息")
        check_screen_fits(page, f"privacy-{view}")
        # Every answer can be reached without a swipe: the cards page where they do not fit.
        seen = set(page.locator(".privacy-card h2:visible").all_inner_texts())
        while page.get_by_role("button", name="下一页").is_visible() and \
                page.get_by_role("button", name="下一页").is_enabled():
            page.get_by_role("button", name="下一页").click()
            check_screen_fits(page, None)
            seen |= set(page.locator(".privacy-card h2:visible").all_inner_texts())
        assert seen == {"谁保管", "用来做什么", "保存多久", "谁能看到", "您的权利"}
        page.get_by_role("link", name="返回", exact=True).click()
        expect(page).to_have_url(re.compile(r"/classes/$"))


def test_a_phone_sees_the_notice_beside_its_contact_fields_in_both_languages(phone,
                                                                             make_location):
    location = make_location(name="小区广场凉亭")
    phone.goto(f"/m/s/{location.token}")
    line = phone.locator(".contact-fields .privacy-line")
    expect(line).to_contain_text("只用来答复您")
    line.click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("您的个人信息")
    expect(phone.get_by_text("建议留下的姓名和手机号在办结 6 个月后删除。")).to_be_visible()
    check_screen(phone, "privacy-phone", kind="phone")
    phone.get_by_role("button", name="English").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Your personal information")
    expect(phone.get_by_text("Ballots are secret.", exact=False)).to_be_visible()
    phone.get_by_role("link", name="Back", exact=True).click()
    expect(phone).to_have_url(re.compile(rf"/m/s/{location.token}$"))
