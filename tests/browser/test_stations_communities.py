"""One server, many stations, in Chromium: the tablets of two communities at once, each with
its own community's home and classes; a phone (no tablet, no default) chooses its community
on a big page and is brought back to it."""

import re
from datetime import timedelta

from playwright.sync_api import expect

from muling_kiosk.database import utcnow
from muling_kiosk.signups import services as signups

from .checks import check_screen
from .conftest import PHONE, TABLET, _page

# (community, its name, its class, the other community's class)
SIDES = (("shengli", "胜利社区", "剪纸班", "太极班"), ("yonghe", "永和社区", "太极班", "剪纸班"))


def test_two_communities_tablets_at_once_and_a_phone_chooses_its_own(
        browser, live_server, app, community, make_community, make_course, make_class_session):
    app.config["COMMUNITY"] = None  # a production server: no default community
    yonghe = make_community("yonghe", "永和社区", name_en="Yonghe Community")
    for owner, title in ((community, "剪纸班"), (yonghe, "太极班")):
        session = make_class_session(course=make_course(community=owner, title=title),
                                     starts_in=timedelta(hours=3))
    week = (signups.local_day(session.starts_at) - signups.week_start(0, utcnow())).days // 7
    contexts = []
    try:
        tablets = {}
        for owner in (community, yonghe):
            context, page = _page(browser, live_server, TABLET, station=(app, owner))
            contexts.append(context)
            tablets[owner.slug] = page
        # Both tablets open side by side, in turns: each keeps its own community.
        for tablet in tablets.values():
            tablet.goto("/")
        for slug, name, mine, theirs in SIDES:
            tablet = tablets[slug]
            expect(tablet.get_by_role("heading", level=1)).to_contain_text(name)
            tablet.goto(f"/classes/?week={week}")
            expect(tablet.get_by_text(mine)).to_be_visible()
            expect(tablet.get_by_text(theirs)).to_have_count(0)

        # A phone on the station Wi-Fi: two communities, no default: the chooser.
        phone_context, phone = _page(browser, live_server, PHONE)
        contexts.append(phone_context)
        phone.goto("/")
        expect(phone.get_by_role("heading", level=1)).to_have_text("请选择您的社区")
        expect(phone).to_have_url(re.compile(r"/community\?next=/$"))
        check_screen(phone, "communities-choose-phone", kind="phone")
        phone.get_by_role("button", name="永和社区").click()
        expect(phone).to_have_url(re.compile(r"/$"))
        expect(phone.get_by_role("status")).to_contain_text("永和社区")
        expect(phone.get_by_role("heading", level=1)).to_contain_text("永和社区")
        phone.goto(f"/classes/?week={week}")
        expect(phone.get_by_text("太极班")).to_be_visible()
        expect(phone.get_by_text("剪纸班")).to_have_count(0)
        # The choice is no tablet: no PIN pad.
        phone.goto("/unlock")
        expect(phone.get_by_role("heading", level=1)).to_have_text("请到驿站的平板上操作")
    finally:
        for context in contexts:
            context.close()
