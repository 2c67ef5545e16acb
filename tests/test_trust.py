"""Smaller trust items of issue 13: redirects after a write stay on the site, exports are
safe to open and not kept by caches, masking, the lock-out and sessions after a password
change."""

import pytest

from muling_kiosk.extensions import db
from muling_kiosk.responses import is_local_path

# ---------- where a write goes back to ----------

OFF_SITE = ["//evil.example/x", "https://evil.example/", "/\\evil.example", "/\t/evil.example",
            "/\n/evil.example", "/\r\n/evil.example", " //evil.example", "/\x00/x",
            "/\u200b/evil.example", "http:/evil.example", "javascript:alert(1)",
            "\\/evil.example", "/\x0b/evil.example", "evil.example", "/" + "a" * 3000]


@pytest.mark.parametrize("target", OFF_SITE)
def test_a_next_that_a_browser_would_read_as_another_site_is_refused(target):
    assert not is_local_path(target)


@pytest.mark.parametrize("target", ["/", "/classes/", "/vote/run/polls/3?x=1",
                                    "/m/s/abc%09def", "/board?c=shengli#top"])
def test_paths_of_the_site_are_kept(target):
    assert is_local_path(target)


def test_the_language_switch_never_sends_to_a_tab_hidden_host(client):
    # /language?next=/%09/evil.example: the tab arrives decoded.
    for bad in ("/\t/evil.example", "/\n/evil.example", "/\r\nSet-Cookie: x=1"):
        response = client.post_form("/language", {"lang": "en", "next": bad})
        assert response.status_code == 303 and response.headers["Location"] == "/"


def test_signing_in_with_a_crafted_next_goes_to_the_dashboard_not_off_site(
        client, make_staff):
    staff = make_staff("admin", community=None)
    for bad in ("/%09/evil.example", "/%0a/evil.example", "/%0d%0aX-Evil:%201"):
        page = client.get(f"/staff/login?next={bad}")
        assert page.status_code == 200
        token = client.csrf_token("/staff/login")
        response = client.post(f"/staff/login?next={bad}", data={
            "csrf_token": token, "username": staff.username, "password": "correct horse"})
        assert response.status_code == 303
        assert response.headers["Location"] == "/staff/", response.headers["Location"]
        client.post_form("/staff/logout")


# ---------- downloads ----------


def _sheet(response):
    import io

    import openpyxl

    return openpyxl.load_workbook(io.BytesIO(response.data)).active


def test_a_course_title_excel_refuses_as_a_sheet_name_still_downloads(
        client, make_staff, sign_in, make_course, make_class_session, make_signup):
    course = make_course(title='书法/绘画 [初级]: 为什么?* 班 "甲"\x07')
    session = make_class_session(course=course)
    make_signup(session=session, name="李桂兰")
    sign_in(client, make_staff("admin"))
    response = client.get(f"/staff/classes/sessions/{session.id}/roster.xlsx")
    assert response.status_code == 200
    sheet = _sheet(response)
    assert sheet.title == "书法 绘画 初级 为什么 班 \"甲\""
    assert any("李桂兰" in str(cell.value) for row in sheet.iter_rows() for cell in row)
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=UTF-8''" in disposition
    assert "\x07" not in disposition and '"甲"' not in disposition
    assert response.headers["Cache-Control"] == "no-store"
    csv = client.get(f"/staff/classes/sessions/{session.id}/roster.csv")
    assert csv.status_code == 200 and csv.headers["Cache-Control"] == "no-store"


def test_control_characters_in_agenda_titles_do_not_break_the_minutes_download(
        client, make_staff, sign_in, make_meeting):
    meeting = make_meeting(items=("充电桩选址",))
    meeting.items[0].title = "充电桩\x01选址\x1b[31m\x0c"  # (PostgreSQL refuses NUL)
    db.session.commit()
    sign_in(client, make_staff("admin"))
    response = client.get(f"/staff/votes/{meeting.id}/minutes.xlsx")
    assert response.status_code == 200
    cells = [str(c.value) for row in _sheet(response).iter_rows() for c in row]
    assert "1. 充电桩选址[31m" in cells
    assert response.headers["Cache-Control"] == "no-store"


def test_a_quote_in_a_download_name_cannot_break_the_header(app):
    from werkzeug.http import parse_options_header

    from muling_kiosk.exports import download

    with app.test_request_context():
        response = download(b"x", '名单 "a"; filename=evil.exe\r\n.csv', "text/csv")
    disposition = response.headers["Content-Disposition"]
    assert "\r" not in disposition and "\n" not in disposition
    kind, params = parse_options_header(disposition)  # as a browser reads it
    assert kind == "attachment"
    assert params == {"filename": '名单 "a"; filename=evil.exe .csv'}


def test_pages_with_whole_numbers_are_never_stored(client, make_staff, sign_in,
                                                   make_class_session, make_signup):
    session = make_class_session()
    make_signup(session=session)
    sign_in(client, make_staff("admin"))
    for path in (f"/staff/classes/sessions/{session.id}/print",
                 f"/staff/classes/sessions/{session.id}/roster.xlsx"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    secure = client.get("/", base_url="https://kiosk.test")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")
    assert int(secure.headers["Strict-Transport-Security"].split("=")[1].split(";")[0]) >= (
        180 * 24 * 3600)
