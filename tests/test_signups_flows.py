"""长者学堂 flows through the test client: the kiosk screens, 我的报名, staff mode on the
tablet, and the staff console with its rosters and exports."""

import csv
import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from muling_kiosk.audit.models import AuditEvent
from muling_kiosk.extensions import db
from muling_kiosk.signups.models import (
    CANCELLED,
    CONFIRMED,
    WAITING,
    WITHDRAWN,
    ClassSession,
    Course,
    Signup,
)


def page(response) -> str:
    return response.get_data(as_text=True)


def signups_of(session) -> list[Signup]:
    db.session.rollback()
    return list(db.session.scalars(select(Signup).where(Signup.session_id == session.id)
                                   .order_by(Signup.id)))


def request_key_on(html: str) -> str:
    match = re.search(r'name="request_key" value="([^"]+)"', html)
    assert match, "the form carries no request key"
    return match.group(1)


def post(client, url, data=None, htmx=False):
    """A form POST with the CSRF token taken from a class page. (The client's post_form
    fetches the home screen for it, which rightly forgets what the person typed.)"""
    data = {"csrf_token": client.csrf_token("/classes/"), **(data or {})}
    return client.post(url, data=data, headers={"HX-Request": "true"} if htmx else {})


def fill_details(client, session, name="王秀英", phone="138 1234 5678", htmx=True):
    return post(client, f"/classes/{session.id}/", {"name": name, "phone": phone},
                            htmx=htmx)


def sign_up(client, session, name="王秀英", phone="13812345678"):
    """The three screens, as a browser with htmx sends them; returns the success page."""
    answer = fill_details(client, session, name, phone)
    assert answer.status_code == 204
    assert answer.headers["HX-Redirect"] == f"/classes/{session.id}/confirm"
    confirm = client.get(f"/classes/{session.id}/confirm")
    done = post(client, f"/classes/{session.id}/confirm",
                            {"request_key": request_key_on(page(confirm))}, htmx=True)
    assert done.status_code == 204 and done.headers["HX-Redirect"].startswith("/classes/done/")
    return client.get(done.headers["HX-Redirect"])


def week_of(session) -> int:
    """Which page of the class list shows this session (0 = this week)."""
    from muling_kiosk.database import utcnow
    from muling_kiosk.signups.services import local_day, week_start

    return (local_day(session.starts_at) - week_start(0, utcnow())).days // 7


def find_mine(client, phone):
    answer = post(client, "/classes/mine", {"phone": phone}, htmx=True)
    assert answer.headers.get("HX-Redirect") == "/classes/mine"
    return client.get("/classes/mine")


# ---------- the class list ----------


def test_the_class_list_in_its_three_shapes(client, make_class_session):
    session = make_class_session(capacity=3)
    url = f"/classes/?week={week_of(session)}"
    plain = client.get(url)
    assert "<html" in page(plain) and session.course.title in page(plain)
    assert "还剩 3 个名额" in page(plain) and "下一周" in page(plain)
    fragment = client.get(url, headers={"HX-Request": "true"})
    assert page(fragment).lstrip().startswith('<div id="class-week"')
    assert "<html" not in page(fragment) and session.course.title in page(fragment)
    restore = client.get(url, headers={"HX-Request": "true",
                                       "HX-History-Restore-Request": "true"})
    assert "<html" in page(restore)
    assert "上一周" in page(client.get("/classes/?week=1"))
    assert "上一周" not in page(client.get("/classes/"))
    for response in (plain, fragment, restore):
        assert "HX-Request" in response.headers["Vary"]


def test_a_full_class_offers_the_waiting_list(client, make_class_session, make_signup):
    session = make_class_session(capacity=1)
    make_signup(session=session)
    listing = page(client.get(f"/classes/?week={week_of(session)}"))
    assert "已满 · 可排队候补" in listing
    details = page(client.get(f"/classes/{session.id}/"))
    assert "排队候补：" in details and "有人取消时，按排队顺序自动递补" in details


# ---------- sign up in three screens ----------


def test_sign_up_in_three_screens_writes_only_on_confirm(client, make_class_session):
    session = make_class_session(capacity=5)
    details = client.get(f"/classes/{session.id}/")
    assert 'data-keypad-kind="phone"' in page(details) and "下一步" in page(details)
    fill_details(client, session)
    confirm = page(client.get(f"/classes/{session.id}/confirm"))
    assert "请确认报名信息" in confirm and "确认报名" in confirm and "返回修改" in confirm
    assert "138****5678" in confirm and "13812345678" not in confirm
    assert signups_of(session) == []  # nothing before 确认报名
    key = request_key_on(confirm)
    done = post(client, f"/classes/{session.id}/confirm", {"request_key": key}, htmx=True)
    success = page(client.get(done.headers["HX-Redirect"]))
    assert "报名成功" in success and "138****5678" in success and "13812345678" not in success
    assert session.course.title in success and session.course.place in success
    assert 'data-return-home-seconds="20"' in success and "返回首页" in success
    assert [(s.name, s.phone, s.status) for s in signups_of(session)] == [
        ("王秀英", "13812345678", CONFIRMED)]


def test_go_back_and_change_keeps_what_was_typed(client, make_class_session):
    session = make_class_session()
    fill_details(client, session, name="王秀英", phone="13812345678")
    back = page(client.get(f"/classes/{session.id}/"))
    assert 'value="王秀英"' in back and 'value="138 1234 5678"' in back


def test_the_same_confirmation_sent_twice_makes_one_sign_up(client, make_class_session):
    session = make_class_session()
    fill_details(client, session)
    key = request_key_on(page(client.get(f"/classes/{session.id}/confirm")))
    first = post(client, f"/classes/{session.id}/confirm", {"request_key": key})
    second = post(client, f"/classes/{session.id}/confirm", {"request_key": key})
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert len(signups_of(session)) == 1


@pytest.mark.parametrize(("name", "phone", "field", "words"), [
    ("", "13812345678", "name", "请写上您的名字"),
    ("   ", "13812345678", "name", "请写上您的名字"),
    ("李" * 21, "13812345678", "name", "最多 20 个字"),
    ("王\x07秀英", "13812345678", "name", "不能用的符号"),
    ("王秀英", "12812345678", "phone", "11 位数字"),
    ("王秀英", "1381234567", "phone", "11 位数字"),
    ("王秀英", "", "phone", "请输入手机号"),
])
def test_bad_input_is_said_next_to_the_field_and_kept(client, make_class_session, name, phone,
                                                      field, words):
    session = make_class_session()
    answer = fill_details(client, session, name=name, phone=phone)
    html = page(answer)
    assert answer.status_code == 422
    assert html.lstrip().startswith("<form")  # the form fragment, swapped in place
    error = re.search(rf'<p class="error" id="f-{field}-error">(.*?)</p>', html, re.S)
    assert error and words in error.group(1)
    assert re.search(rf'id="f-{field}"[^>]*aria-invalid="true"', html, re.S)
    assert f'aria-describedby="f-{field}-hint f-{field}-error"' in html
    if field == "phone" and phone:
        assert f'value="{" ".join([phone[:3], phone[3:7], phone[7:]]).strip()}"' in html
    if field == "name" and name.strip():
        assert "李" * 21 in html or "王" in html
    assert signups_of(session) == [] and "person_signup" not in _session_keys(client)


def _session_keys(client) -> set[str]:
    with client.session_transaction() as session:
        return set(session)


def test_names_with_html_are_stored_as_text_and_shown_escaped(client, make_class_session,
                                                              make_staff, sign_in):
    session = make_class_session()
    name = "<script>x</script>"
    success = page(sign_up(client, session, name=name))
    assert "&lt;script&gt;x&lt;/script&gt;" in success and "<script>x</script>" not in success
    assert signups_of(session)[0].name == name
    staff = make_staff("facilitator")
    console = app_client(client)
    sign_in(console, staff)
    roster = page(console.get(f"/staff/classes/sessions/{session.id}"))
    assert "&lt;script&gt;x&lt;/script&gt;" in roster and "<script>x</script>" not in roster


def app_client(client):
    return client.application.test_client()


def test_a_full_class_queues_and_the_success_screen_says_the_place(client, make_class_session,
                                                                   make_signup):
    session = make_class_session(capacity=1)
    make_signup(session=session)
    make_signup(session=session, status=WAITING)
    fill_details(client, session)
    confirm_page = page(client.get(f"/classes/{session.id}/confirm"))
    assert "请确认候补信息" in confirm_page and "确认排队候补" in confirm_page
    success = page(client.get(post(client,
        f"/classes/{session.id}/confirm", {"request_key": request_key_on(confirm_page)},
        htmx=True).headers["HX-Redirect"]))
    assert "已排队候补" in success and "您排在候补第 2 位" in success
    assert signups_of(session)[-1].status == WAITING


def test_signing_up_again_says_so_and_shows_the_existing_place(client, make_class_session):
    session = make_class_session(capacity=3)
    sign_up(client, session)
    answer = fill_details(client, session, name="王秀英", phone="13812345678")
    assert answer.headers["HX-Redirect"] == f"/classes/{session.id}/already"
    already = page(client.get(answer.headers["HX-Redirect"]))
    assert "这个手机号已经报过这节课了" in already and "已经有名额了" in already
    assert "138****5678" in already
    assert len(signups_of(session)) == 1


@pytest.mark.parametrize(("change", "words"), [
    ({"status": CANCELLED}, "这节课已经取消了"),
    ({"status": "closed"}, "报名已经截止"),
    ({"starts_in": -timedelta(minutes=5)}, "已经开始了，不能再报名"),
])
def test_a_class_that_cannot_be_joined_says_why(client, make_class_session, change, words):
    session = make_class_session(**change)
    details = page(client.get(f"/classes/{session.id}/"))
    assert words in details and "f-phone" not in details and "看看别的课" in details
    answer = fill_details(client, session)
    assert answer.headers["HX-Redirect"] == f"/classes/{session.id}/"
    assert signups_of(session) == []


def test_a_class_that_closes_between_the_screens_is_not_joined(client, make_class_session):
    session = make_class_session()
    fill_details(client, session)
    key = request_key_on(page(client.get(f"/classes/{session.id}/confirm")))
    db.session.get(ClassSession, session.id).status = CANCELLED
    db.session.commit()
    answer = post(client, f"/classes/{session.id}/confirm", {"request_key": key},
                              htmx=True)
    assert answer.headers["HX-Redirect"] == f"/classes/{session.id}/"
    assert signups_of(session) == []


def test_the_success_screen_is_only_for_the_browser_that_signed_up(client, make_class_session):
    session = make_class_session()
    success = sign_up(client, session)
    url = success.request.path
    assert client.get(url).status_code == 200
    other = app_client(client)
    assert other.get(url).status_code == 302
    client.get("/")  # the home screen forgets the person
    assert client.get(url).status_code == 302


def test_another_communitys_session_does_not_exist_on_this_kiosk(client, make_community,
                                                                 make_course,
                                                                 make_class_session):
    elsewhere = make_class_session(course=make_course(community=make_community()))
    assert client.get(f"/classes/{elsewhere.id}/").status_code == 404
    assert fill_details(client, elsewhere).status_code == 404


# ---------- 我的报名 ----------


def test_my_sign_ups_cancel_with_a_confirmation_and_the_queue_moves_up(client, make_class_session,
                                                                      make_signup):
    session = make_class_session(capacity=1)
    mine = make_signup(session=session, phone="13812345678", name="王秀英")
    waiting = make_signup(session=session, status=WAITING, name="李桂兰",
                          phone="13987654321")
    keypad = page(client.get("/classes/mine"))
    assert 'data-keypad-kind="phone"' in keypad
    listing = page(find_mine(client, "138 1234 5678"))
    assert "138****5678" in listing and "13812345678" not in listing
    assert session.course.title in listing and "已报名" in listing
    confirm = page(client.get(f"/classes/mine/{mine.id}/cancel"))
    assert "请确认取消报名" in confirm and "您选择了取消" in confirm and "确认取消报名" in confirm
    assert signups_of(session)[0].status == CONFIRMED  # nothing before 确认
    answer = post(client, f"/classes/mine/{mine.id}/cancel", {}, htmx=True)
    assert answer.headers["HX-Redirect"] == "/classes/mine"
    after = page(client.get("/classes/mine"))
    assert "已取消报名" in after and "这个手机号还没有报名要上的课" in after
    assert [(s.name, s.status) for s in signups_of(session)] == [("王秀英", WITHDRAWN),
                                                                 ("李桂兰", CONFIRMED)]
    client.get("/")  # next person
    assert 'data-keypad-kind="phone"' in page(client.get("/classes/mine"))
    promoted = page(find_mine(client, waiting.phone))
    assert "候补已递补成功，您有名额了" in promoted


def test_my_sign_ups_show_queue_places_and_cancelled_classes(client, make_class_session,
                                                            make_signup):
    full = make_class_session(capacity=1)
    make_signup(session=full)
    make_signup(session=full, status=WAITING, phone="13812345678")
    stopped = make_class_session(status=CANCELLED)
    make_signup(session=stopped, phone="13812345678")
    listing = page(find_mine(client, "13812345678"))
    assert "候补第 1 位" in listing and "这节课已取消，不用来了" in listing


def test_one_cannot_see_or_cancel_another_numbers_sign_up(client, make_signup):
    theirs = make_signup(phone="13987654321")
    assert client.get(f"/classes/mine/{theirs.id}/cancel").status_code == 404
    find_mine(client, "13812345678")
    assert client.get(f"/classes/mine/{theirs.id}/cancel").status_code == 404
    assert post(client, f"/classes/mine/{theirs.id}/cancel", {}).status_code == 404
    assert signups_of(theirs.session)[0].status == CONFIRMED


def test_a_bad_number_in_my_sign_ups_is_said_next_to_the_keypad(client):
    answer = post(client, "/classes/mine", {"phone": "1281234"}, htmx=True)
    assert answer.status_code == 422 and "11 位数字" in page(answer)
    assert 'value="128 1234"' in page(answer)


# ---------- staff mode on the tablet ----------


def test_a_volunteer_signs_someone_up_on_their_behalf(client, make_staff, sign_in,
                                                     make_class_session):
    volunteer = make_staff("volunteer", display_name="格格管家 赵桂芝")
    sign_in(client, volunteer, via="tablet")
    session = make_class_session()
    assert "代报名：" in page(client.get(f"/classes/{session.id}/"))
    success = page(sign_up(client, session, name="张玉珍", phone="13912345678"))
    assert "代报名成功" in success and re.search(r"<dt>代报名</dt><dd>格格管家 赵桂芝</dd>", success)
    assert "data-return-home-seconds" not in success  # going home would end staff mode
    assert "139****5678" in success
    assert signups_of(session)[0].created_by_staff_id == volunteer.id
    home = page(client.get("/"))
    assert "上课签到" in home and "代报名" in home


def test_check_in_taps_a_name_and_a_second_tap_undoes_it(client, make_staff, sign_in,
                                                         make_class_session, make_signup):
    sign_in(client, make_staff("volunteer"), via="tablet")
    session = make_class_session(starts_in=-timedelta(minutes=5))
    person = make_signup(session=session, name="王秀英", phone="13812345678")
    make_signup(session=session, name="李桂兰")
    listing = page(client.get(f"/classes/checkin/{session.id}"))
    assert "王秀英" in listing and "138****5678" in listing and "13812345678" not in listing
    assert "已到 0 人，共 2 人" in listing
    url = f"/classes/checkin/{session.id}/{person.id}"
    tap = post(client, url, {"attended": "1"}, htmx=True)
    html = page(tap)
    assert html.lstrip().startswith("<form") and 'aria-pressed="true"' in html
    assert 'hx-swap-oob="innerHTML:#status">王秀英 已签到。' in html
    assert 'id="checkin-count" class="checkin-count" hx-swap-oob="true"' in html
    assert "已到 1 人，共 2 人" in html
    post(client, url, {"attended": "1"}, htmx=True)  # the same tap resent
    assert signups_of(session)[0].attended_at is not None
    undo = page(post(client, url, {"attended": "0"}, htmx=True))
    assert 'aria-pressed="false"' in undo and "已撤销 王秀英 的签到" in undo
    assert signups_of(session)[0].attended_at is None


def test_a_walk_in_is_added_and_checked_in(client, make_staff, sign_in, make_class_session):
    sign_in(client, make_staff("facilitator"), via="tablet")
    session = make_class_session(starts_in=-timedelta(minutes=5))
    form = page(client.get(f"/classes/checkin/{session.id}/walk-in"))
    bad = post(client, f"/classes/checkin/{session.id}/walk-in",
                           {"name": "", "phone": "123", "request_key": request_key_on(form)},
                           htmx=True)
    assert bad.status_code == 422 and "请写上您的名字" in page(bad) and "11 位数字" in page(bad)
    data = {"name": "赵德胜", "phone": "", "request_key": request_key_on(form)}
    for _ in range(2):  # a double tap
        answer = post(client, f"/classes/checkin/{session.id}/walk-in", data, htmx=True)
        assert answer.headers["HX-Redirect"] == f"/classes/checkin/{session.id}"
    [walk_in] = signups_of(session)
    assert walk_in.walk_in and walk_in.attended_at and walk_in.phone is None
    assert "临时来的" in page(client.get(f"/classes/checkin/{session.id}"))


def test_check_in_waits_for_the_day_of_the_class(client, make_staff, sign_in,
                                                 make_class_session, make_signup):
    sign_in(client, make_staff("volunteer"), via="tablet")
    session = make_class_session(starts_in=timedelta(days=3))
    person = make_signup(session=session)
    assert "上课当天才能签到" in page(client.get(f"/classes/checkin/{session.id}"))
    post(client, f"/classes/checkin/{session.id}/{person.id}", {"attended": "1"})
    assert signups_of(session)[0].attended_at is None


def test_check_in_lists_todays_classes_first(client, make_staff, sign_in, make_class_session):
    sign_in(client, make_staff("volunteer"), via="tablet")
    now_session = make_class_session(starts_in=-timedelta(minutes=1))
    make_class_session(starts_in=timedelta(days=9))
    listing = page(client.get("/classes/checkin/"))
    assert now_session.course.title in listing


def test_residents_are_sent_to_the_pin_pad_for_check_in(client, make_class_session):
    session = make_class_session()
    answer = client.get(f"/classes/checkin/{session.id}")
    assert answer.status_code == 303 and answer.headers["Location"].startswith("/unlock")


# ---------- the staff console ----------


def test_facilitators_create_a_course_and_a_weekly_series(client, make_staff, sign_in, community):
    sign_in(client, make_staff("facilitator"))
    assert "添加课程" in page(client.get("/staff/classes/"))
    bad = post(client, "/staff/classes/new", {"title": "", "place": "", "capacity": "0",
                                                  "category": "phone"}, htmx=True)
    assert bad.status_code == 422 and "请写上课程名称" in page(bad)
    made = post(client, "/staff/classes/new", {
        "title": "智能手机入门", "teacher": "李文静", "place": "睦邻驿站 活动室",
        "category": "phone", "description": "学用微信", "capacity": "12"}, htmx=True)
    course = db.session.scalar(select(Course).where(Course.title == "智能手机入门"))
    assert made.headers["HX-Redirect"] == f"/staff/classes/{course.id}/sessions/new"
    from muling_kiosk.database import utcnow
    from muling_kiosk.signups.services import local_zone
    first = (utcnow() + timedelta(days=2)).astimezone(local_zone()).date()
    added = post(client, f"/staff/classes/{course.id}/sessions/new", {
        "day": first.isoformat(), "start": "09:00", "minutes": "90", "weeks": "8",
        "capacity": "12"}, htmx=True)
    assert added.headers["HX-Redirect"] == f"/staff/classes/{course.id}"
    course_page = page(client.get(f"/staff/classes/{course.id}"))
    assert course_page.count("上午9:00") == 8
    actions = [e for e in db.session.scalars(select(AuditEvent.action))]
    assert actions.count("signups.add_session") == 8 and "signups.create_course" in actions


def test_volunteers_see_rosters_masked_but_cannot_manage_or_export(client, make_staff, sign_in,
                                                                   make_signup):
    signup = make_signup(phone="13812345678")
    sign_in(client, make_staff("volunteer"))
    roster = page(client.get(f"/staff/classes/sessions/{signup.session_id}"))
    assert "138****5678" in roster and "13812345678" not in roster
    assert "下载 Excel" not in roster and "添加课程" not in page(client.get("/staff/classes/"))
    for url in (f"/staff/classes/sessions/{signup.session_id}/roster.csv",
                f"/staff/classes/sessions/{signup.session_id}/roster.xlsx",
                f"/staff/classes/sessions/{signup.session_id}/cancel", "/staff/classes/new"):
        assert client.get(url).status_code == 403, url
    printed = page(client.get(f"/staff/classes/sessions/{signup.session_id}/print"))
    assert "签到表" in printed and "138****5678" in printed and "13812345678" not in printed


def test_roster_exports_hold_whole_numbers_are_formula_safe_and_audited(client, make_staff,
                                                                       sign_in, make_signup,
                                                                       make_class_session):
    session = make_class_session(capacity=1)
    make_signup(session=session, name="=HYPERLINK(1)", phone="13812345678")
    make_signup(session=session, name="李桂兰", phone="13987654321", status=WAITING)
    sign_in(client, make_staff("facilitator"))
    exported = client.get(f"/staff/classes/sessions/{session.id}/roster.csv")
    assert exported.data.startswith("\ufeff".encode())
    assert "filename*=UTF-8''" in exported.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(exported.data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["序号", "姓名", "手机号"]
    assert rows[1][1:4] == ["'=HYPERLINK(1)", "13812345678", "已报名"]
    assert rows[2][1:4] == ["李桂兰", "13987654321", "候补第 1 位"]
    workbook = client.get(f"/staff/classes/sessions/{session.id}/roster.xlsx")
    sheet = load_workbook(io.BytesIO(workbook.data)).active
    assert sheet["B2"].value == "=HYPERLINK(1)" and sheet["B2"].data_type == "s"
    assert sheet["C2"].value == "13812345678" and sheet["B3"].value == "李桂兰"
    events = list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "signups.export_roster")))
    assert [e.after["format"] for e in events] == ["csv", "xlsx"]
    assert all("13812345678" not in str(e.after) for e in events)


def test_cancelling_a_session_gives_the_call_list_with_whole_numbers(client, make_staff, sign_in,
                                                                     make_class_session,
                                                                     make_signup):
    session = make_class_session(capacity=1)
    make_signup(session=session, name="王秀英", phone="13812345678")
    make_signup(session=session, name="李桂兰", phone="13987654321", status=WAITING)
    sign_in(client, make_staff("admin"))
    ask = page(client.get(f"/staff/classes/sessions/{session.id}/cancel"))
    assert "已报名的 1 人和候补的 1 人" in ask
    assert db.session.get(ClassSession, session.id).status != CANCELLED
    answer = post(client, f"/staff/classes/sessions/{session.id}/cancel",
                              {"reason": "老师生病"}, htmx=True)
    assert answer.headers["HX-Redirect"] == f"/staff/classes/sessions/{session.id}/call-list"
    calls = page(client.get(answer.headers["HX-Redirect"]))
    assert "138 1234 5678" in calls and "139 8765 4321" in calls and "老师生病" in calls
    db.session.rollback()
    actions = list(db.session.scalars(select(AuditEvent.action)))
    assert "signups.cancel_session" in actions and "signups.call_list" in actions
    details = page(app_client(client).get(f"/classes/{session.id}/"))
    assert "这节课已经取消了" in details


def test_staff_take_someone_off_the_list_and_the_queue_moves_up(client, make_staff, sign_in,
                                                               make_class_session, make_signup):
    session = make_class_session(capacity=1)
    first = make_signup(session=session, name="王秀英")
    make_signup(session=session, name="李桂兰", status=WAITING)
    sign_in(client, make_staff("facilitator"))
    answer = post(client, f"/staff/classes/signups/{first.id}/cancel", {"confirm": "yes"},
                  htmx=True)
    assert answer.headers["HX-Redirect"] == f"/staff/classes/sessions/{session.id}"
    assert "李桂兰 从候补转为正式报名" in page(client.get(answer.headers["HX-Redirect"]))
    assert [s.status for s in signups_of(session)] == [WITHDRAWN, CONFIRMED]


def test_editing_a_session_with_more_places_moves_people_up(client, make_staff, sign_in,
                                                            make_class_session, make_signup):
    session = make_class_session(capacity=1)
    make_signup(session=session)
    make_signup(session=session, status=WAITING)
    sign_in(client, make_staff("facilitator"))
    form = page(client.get(f"/staff/classes/sessions/{session.id}/edit"))
    values = {name: re.search(rf'name="{name}"[^>]*value="([^"]*)"', form).group(1)
              for name in ("day", "start", "minutes")}
    fewer = post(client, f"/staff/classes/sessions/{session.id}/edit",
                             {**values, "capacity": "0", "status": "open"}, htmx=True)
    assert fewer.status_code == 422
    more = post(client, f"/staff/classes/sessions/{session.id}/edit",
                            {**values, "capacity": "2", "status": "open"}, htmx=True)
    assert more.status_code == 204
    assert [s.status for s in signups_of(session)] == [CONFIRMED, CONFIRMED]


def test_course_page_shows_the_attendance_rate(client, make_staff, sign_in, make_course,
                                               make_class_session, make_signup):
    from muling_kiosk.database import utcnow

    course = make_course()
    held = make_class_session(course=course, starts_in=-timedelta(days=7))
    for came in (True, True, True, False):
        make_signup(session=held, attended_at=utcnow() if came else None)
    make_signup(session=held, walk_in=True, attended_at=utcnow())
    sign_in(client, make_staff("volunteer"))
    course_page = page(client.get(f"/staff/classes/{course.id}"))
    assert "75%（已报名 4 人次，到了 3 人次）" in course_page
    assert "临时来的 1 人次" in course_page


def test_forms_answer_in_their_three_shapes(client, make_staff, sign_in, make_class_session):
    """Each form page: the page, its form fragment for htmx, the page again on history restore."""
    session = make_class_session(starts_in=-timedelta(minutes=5))
    sign_in(client, make_staff("facilitator"))
    for url in ("/staff/classes/new", f"/staff/classes/{session.course_id}/edit",
                f"/staff/classes/{session.course_id}/sessions/new",
                f"/staff/classes/sessions/{session.id}/edit",
                f"/classes/checkin/{session.id}/walk-in"):
        plain = client.get(url)
        fragment = client.get(url, headers={"HX-Request": "true"})
        restore = client.get(url, headers={"HX-Request": "true",
                                           "HX-History-Restore-Request": "true"})
        assert plain.status_code == fragment.status_code == restore.status_code == 200, url
        assert "<html" in page(plain) and "<html" in page(restore), url
        assert page(fragment).lstrip().startswith("<form") and "<html" not in page(fragment)
        assert all("HX-Request" in r.headers["Vary"] for r in (plain, fragment, restore))
