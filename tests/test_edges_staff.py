"""Issue 16's rough edges in staff accounts and the console home: each test fails without
its fix."""

import re

from sqlalchemy import select

from muling_kiosk.extensions import db
from muling_kiosk.staff import services
from muling_kiosk.staff.models import Staff


def page(response) -> str:
    return response.get_data(as_text=True)


def selected(html: str, name: str) -> str | None:
    """The value a <select> sends when nobody touches it (the selected option, else the
    first), as a browser would."""
    select_html = re.search(rf'<select id="f-{name}" name="{name}".*?</select>', html, re.S)
    options = re.findall(r'<option value="([^"]*)"( selected)?', select_html.group(0))
    return next((v for v, chosen in options if chosen), options[0][0] if options else None)


def test_a_new_account_starts_as_a_volunteer_of_the_admins_community(make_staff, community):
    admin = make_staff("admin")
    subdistrict_admin = make_staff("admin", community=None)
    assert services.new_account_values(admin) == {"role": "volunteer",
                                                  "community_id": community.id}
    values = services.new_account_values(subdistrict_admin)
    assert values["role"] == "volunteer"
    assert values["community_id"] == subdistrict_admin.community_ids()[0]


def test_the_untouched_new_account_form_makes_a_volunteer_not_a_subdistrict_admin(
        client, make_staff, sign_in):
    subdistrict_admin = make_staff("admin", community=None)
    sign_in(client, subdistrict_admin)
    form = page(client.get("/staff/people/new"))
    role, community_id = selected(form, "role"), selected(form, "community_id")
    assert role == "volunteer" and community_id == str(subdistrict_admin.community_ids()[0])
    made = client.post_form("/staff/people/new", {
        "username": "zhaomin", "display_name": "赵敏", "role": role,
        "community_id": community_id, "password": "first password"})
    assert made.status_code == 303
    person = db.session.scalar(select(Staff).where(Staff.username == "zhaomin"))
    assert (person.role, person.community_id) == ("volunteer",
                                                  subdistrict_admin.community_ids()[0])


# ---------- the dashboard offers only what the role may open ----------


def test_may_open_follows_the_routes_declared_roles(app, make_staff):
    from flask import g

    from muling_kiosk.staff.auth import may_open

    with app.test_request_context("/staff/"):
        g.current_staff, g.staff_via = make_staff("volunteer"), "console"
        assert may_open("signups.staff_courses") and may_open("suggestions.inbox")
        assert not may_open("signups.export_roster_xlsx")
        assert not may_open("suggestions.export_csv") and not may_open("audit.index")
        assert not may_open("no.such.endpoint")
    with app.test_request_context("/staff/"):
        g.current_staff, g.staff_via = make_staff("admin"), "console"
        assert may_open("suggestions.export_csv") and may_open("audit.index")


def test_the_volunteers_dashboard_promises_nothing_that_answers_403(client, make_staff,
                                                                   sign_in):
    for role in ("volunteer", "facilitator", "admin"):
        browser = client.application.test_client()
        sign_in(browser, make_staff(role))
        dashboard = page(browser.get("/staff/"))
        cards = dashboard.split('class="console-cards"')[1].split("</section>")[0]
        offers_downloads = "导出表格" in cards and "名单打印或下载" in cards
        assert offers_downloads == (role != "volunteer"), role
        for href in re.findall(r'href="(/staff/[^"]*)"', cards):
            assert browser.get(href.replace("&amp;", "&")).status_code != 403, (role, href)
