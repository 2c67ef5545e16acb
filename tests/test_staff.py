"""Staff accounts, sign-in, facilitator mode, lock-out and the audit log."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from muling_kiosk.audit.models import AuditEvent
from muling_kiosk.database import utcnow
from muling_kiosk.extensions import db
from muling_kiosk.staff import services
from muling_kiosk.staff.models import Staff, StaffSession
from muling_kiosk.validation import Invalid


def actions() -> list[str]:
    db.session.rollback()
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


# ---------- rules, without HTTP ----------


def test_passwords_and_pins_are_hashed_with_a_kdf(make_staff):
    staff = make_staff(password="s3cret-pass", pin="135790")
    assert "s3cret-pass" not in staff.password_hash and "135790" not in staff.pin_hash
    assert staff.password_hash.startswith(("pbkdf2:", "scrypt:"))


def test_production_defaults_use_scrypt(app):
    from muling_kiosk.config import Defaults

    assert Defaults.STAFF_PASSWORD_HASH.startswith("scrypt")
    assert Defaults.STAFF_PIN_HASH.startswith("scrypt")


@pytest.mark.parametrize(("pin", "ok"), [
    ("135790", True), ("12345", False), ("1234567", False), ("12a456", False),
    ("111111", False), ("123456", False), ("654321", False), ("", False),
])
def test_pin_rules(pin, ok):
    assert (services.pin_problem(pin) is None) == ok


def test_account_fields_are_checked(app, community):
    with pytest.raises(Invalid) as invalid:
        services.create_staff(username="A b", display_name=" ", role="boss",
                              subdistrict_id=community.subdistrict_id, community_id=None,
                              password="short", pin="1")
    assert set(invalid.value.errors) == {"username", "display_name", "role", "password", "pin"}


def test_facilitators_must_belong_to_a_community(app, community):
    with pytest.raises(Invalid) as invalid:
        services.create_staff(username="nobody", display_name="无社区", role="facilitator",
                              subdistrict_id=community.subdistrict_id, community_id=None,
                              password="long enough")
    assert "community_id" in invalid.value.errors


def test_usernames_are_unique_case_insensitively(make_staff):
    make_staff(username="chenjing")
    with pytest.raises(Invalid) as invalid:
        make_staff(username="ChenJing")
    assert "username" in invalid.value.errors


def test_unknown_name_wrong_password_and_inactive_account_get_the_same_answer(make_staff):
    staff = make_staff(username="liuyang", password="right password")
    answers = []
    for username, password in (("nobody", "x"), ("liuyang", "wrong password")):
        with pytest.raises(Invalid) as invalid:
            services.authenticate(username, password, "10.0.0.1")
        answers.append(str(invalid.value.errors["password"]))
    services.set_active(staff, False)
    db.session.commit()
    with pytest.raises(Invalid) as invalid:
        services.authenticate("liuyang", "right password", "10.0.0.2")
    answers.append(str(invalid.value.errors["password"]))
    assert len(set(answers)) == 1


def test_five_wrong_passwords_close_the_account_to_that_address_for_five_minutes(make_staff):
    make_staff(username="zhuchi", password="right password")
    now = utcnow()
    for _ in range(5):
        with pytest.raises(Invalid):
            services.authenticate("zhuchi", "wrong", "10.0.0.1", now=now)
    with pytest.raises(services.LockedOut) as locked:
        services.authenticate("zhuchi", "right password", "10.0.0.1", now=now)
    assert 4 * 60 < locked.value.seconds <= 5 * 60 + 1
    assert locked.value.minutes == 5
    later = now + timedelta(minutes=5, seconds=1)
    assert services.authenticate("zhuchi", "right password", "10.0.0.1", now=later)


def test_a_stranger_with_five_addresses_cannot_lock_a_real_person_out(make_staff):
    """Issue 13: five failures from five addresses locked any account."""
    make_staff(username="zhuchi", password="right password")
    now = utcnow()
    for i in range(5):
        with pytest.raises(Invalid):
            services.authenticate("zhuchi", "wrong", f"10.0.0.{i}", now=now)
    assert services.authenticate("zhuchi", "right password", "10.0.0.99", now=now)


def test_guessing_one_account_from_many_addresses_stays_bounded(make_staff):
    make_staff(username="zhuchi", password="right password")
    now = utcnow()
    tries = 0
    for address in range(20):
        for _ in range(10):
            try:
                services.authenticate("zhuchi", "wrong", f"10.1.0.{address}", now=now)
            except Invalid:
                tries += 1
            except services.LockedOut:
                pass
    assert tries == services.PASSWORD_FAILURES["staff"]  # 30 guesses, then shut for all
    with pytest.raises(services.LockedOut):
        services.authenticate("zhuchi", "right password", "10.2.0.1", now=now)


def test_twenty_wrong_passwords_from_one_address_close_that_address(make_staff):
    make_staff(username="ann1", password="right password")
    make_staff(username="ann2", password="right password")
    now = utcnow()
    for n in range(19):
        with pytest.raises(Invalid):
            services.authenticate(f"x{n}", "wrong", "10.9.9.9", now=now)
    with pytest.raises(Invalid):
        services.authenticate("ann1", "wrong", "10.9.9.9", now=now)
    with pytest.raises(services.LockedOut):
        services.authenticate("ann2", "right password", "10.9.9.9", now=now)
    assert services.authenticate("ann2", "right password", "10.1.1.1", now=now)


def test_a_success_clears_the_count(make_staff):
    """The account's own count; the address's is not cleared by a success (those failures
    may be someone else's guesses): the second round comes from another address."""
    make_staff(username="count", password="right password")
    now = utcnow()
    for _ in range(4):
        with pytest.raises(Invalid):
            services.authenticate("count", "wrong", "10.0.0.1", now=now)
    services.authenticate("count", "right password", "10.0.0.1", now=now)
    for _ in range(4):
        with pytest.raises(Invalid):
            services.authenticate("count", "wrong", "10.0.0.2", now=now)
    assert services.authenticate("count", "right password", "10.0.0.2", now=now)


def test_pin_unlocks_only_active_staff_of_this_kiosks_community(make_staff, make_community,
                                                                 community):
    mine = make_staff("facilitator", pin="135790")
    other = make_community("jianshe", "建设社区")
    make_staff("facilitator", community=other, pin="246810")
    inactive = make_staff("admin", pin="975312")
    services.set_active(inactive, False)
    db.session.commit()
    assert services.unlock_with_pin("135790", community, "tablet") == mine
    for pin in ("246810", "975312"):
        with pytest.raises(Invalid):
            services.unlock_with_pin(pin, community, "tablet")


def test_a_subdistrict_admin_unlocks_any_kiosk_of_the_subdistrict(make_staff, community):
    chief = make_staff("admin", community=None, pin="802468")
    assert services.unlock_with_pin("802468", community, "tablet") == chief


def test_a_malformed_pin_is_a_message_not_a_wrong_try(app, community):
    now = utcnow()
    for _ in range(10):
        with pytest.raises(Invalid) as invalid:
            services.unlock_with_pin("12ab", community, "tablet", now=now)
        assert "6" in str(invalid.value.errors["pin"])
    assert services.seconds_locked(["pin:client:tablet"], now) == 0


def test_five_wrong_pins_lock_the_keypad_for_five_minutes(make_staff, community):
    make_staff("facilitator", pin="135790")
    now = utcnow()
    for _ in range(5):
        with pytest.raises(Invalid):
            services.unlock_with_pin("999999", community, "tablet", now=now)
    with pytest.raises(services.LockedOut):
        services.unlock_with_pin("135790", community, "tablet", now=now + timedelta(minutes=4))
    assert services.unlock_with_pin("135790", community, "tablet",
                                    now=now + timedelta(minutes=5, seconds=2))
    assert "staff.pin_locked_out" in actions()


def test_sessions_end_at_logout_after_eight_hours_and_on_deactivation(make_staff):
    staff = make_staff()
    now = utcnow()
    token = services.start_session(staff, "console", "x", now=now)
    db.session.commit()
    assert services.staff_for_token(token, now=now) == (staff, "console")
    assert services.staff_for_token(token, now=now + timedelta(hours=8, seconds=1)) is None
    services.end_session(token)
    db.session.commit()
    assert services.staff_for_token(token, now=now) is None
    token = services.start_session(staff, "console", "x", now=now)
    services.set_active(staff, False)
    db.session.commit()
    assert services.staff_for_token(token, now=now) is None
    assert db.session.scalar(select(func.count(StaffSession.id))) == 0


def test_admins_see_only_accounts_of_their_own_community(make_staff, make_community):
    admin = make_staff("admin")
    colleague = make_staff("volunteer")
    elsewhere = make_staff("volunteer", community=make_community("yonghe", "永和社区"))
    chief = make_staff("admin", community=None)
    assert colleague in services.staff_visible_to(admin)
    assert elsewhere not in services.staff_visible_to(admin)
    assert {colleague, elsewhere} <= set(services.staff_visible_to(chief))


# ---------- the console over HTTP ----------


def test_login_logout_and_a_new_session_identifier_each_time(client, make_staff):
    make_staff("admin", username="liuyang", password="right password")
    client.get("/staff/login")
    with client.session_transaction() as session:
        before = dict(session)
    response = client.post_form("/staff/login", {"username": "liuyang", "password": "right password"})
    assert response.status_code == 303 and response.headers["Location"] == "/staff/"
    with client.session_transaction() as session:
        first = session["staff_token"]
        assert session.get("csrf_token") != before.get("csrf_token")
    assert "刘" not in first and client.get("/staff/").status_code == 200
    client.post_form("/staff/logout")
    assert client.get("/staff/").status_code == 303
    client.post_form("/staff/login", {"username": "liuyang", "password": "right password"})
    with client.session_transaction() as session:
        assert session["staff_token"] != first
    assert actions().count("staff.login") == 2 and "staff.logout" in actions()


def test_a_wrong_password_shows_the_form_again_with_the_message(client, make_staff):
    make_staff(username="liuyang", password="right password")
    response = client.post_form("/staff/login", {"username": "liuyang", "password": "nope"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "用户名或密码不正确" in page and 'value="liuyang"' in page
    assert 'aria-invalid="true"' in page
    assert "staff.password_failed" in actions()


def test_lockout_message_says_how_long(client, make_staff):
    make_staff(username="liuyang", password="right password")
    for _ in range(5):
        client.post_form("/staff/login", {"username": "liuyang", "password": "nope"})
    response = client.post_form("/staff/login", {"username": "liuyang", "password": "right password"})
    assert response.status_code == 429
    assert "锁定 5 分钟" in response.get_data(as_text=True)
    assert "staff.password_locked_out" in actions()
    assert "staff.password_refused_locked" in actions()


def test_a_deactivated_account_is_signed_out_on_its_next_request(client, make_staff, sign_in):
    staff = make_staff("admin")
    sign_in(client, staff)
    assert client.get("/staff/").status_code == 200
    services.set_active(staff, False)
    db.session.commit()
    response = client.get("/staff/")
    assert response.status_code == 303 and "/staff/login" in response.headers["Location"]
    with client.session_transaction() as session:
        assert "staff_token" not in session


def test_change_own_password_and_pin(client, make_staff, sign_in):
    staff = make_staff(password="old password")
    sign_in(client, staff)
    bad = client.post_form("/staff/account/password", {
        "current_password": "wrong", "new_password": "new password", "confirm_password": "x"})
    assert bad.status_code == 422 and "当前密码不对" in bad.get_data(as_text=True)
    ok = client.post_form("/staff/account/password", {
        "current_password": "old password", "new_password": "new password",
        "confirm_password": "new password"})
    assert ok.status_code == 303
    assert services.authenticate(staff.username, "new password", "x")
    ok = client.post_form("/staff/account/pin", {
        "pin_password": "new password", "pin": "579135", "pin_confirm": "579135"})
    assert ok.status_code == 303
    db.session.refresh(staff)
    from muling_kiosk.communities.models import Community
    assert services.unlock_with_pin("579135", db.session.get(Community, staff.community_id), "t")


def test_admin_creates_edits_resets_and_deactivates_staff(client, make_staff, sign_in):
    admin = make_staff("admin")
    sign_in(client, admin)
    response = client.post_form("/staff/people/new", {
        "username": "wangfang", "display_name": "楼栋长 王芳", "role": "facilitator",
        "community_id": str(admin.community_id), "password": "first password", "pin": "258147"})
    assert response.status_code == 303
    person = db.session.scalar(select(Staff).where(Staff.username == "wangfang"))
    assert person.community_id == admin.community_id
    assert "楼栋长 王芳" in client.get("/staff/people").get_data(as_text=True)

    response = client.post_form(f"/staff/people/{person.id}", {
        "display_name": "网格长 王芳", "role": "volunteer", "community_id": str(admin.community_id)})
    assert response.status_code == 303
    client.post_form(f"/staff/people/{person.id}/password", {"password": "second password"})
    client.post_form(f"/staff/people/{person.id}/pin", {"pin": "369258"})
    client.post_form(f"/staff/people/{person.id}/active", {"active": "0"})
    db.session.refresh(person)
    assert (person.display_name, person.role, person.active) == ("网格长 王芳", "volunteer", False)
    audit = db.session.scalars(select(AuditEvent).where(AuditEvent.target_id == str(person.id),
                                                        AuditEvent.target_type == "Staff")).all()
    kinds = [event.action for event in audit]
    assert kinds == ["staff.create", "staff.update", "staff.reset_password", "staff.reset_pin",
                     "staff.deactivate"]
    update = audit[1]
    assert update.before["role"] == "facilitator" and update.after["role"] == "volunteer"
    assert update.staff_id == admin.id and update.client == "127.0.0.1"


def test_bad_staff_form_keeps_what_was_entered(client, make_staff, sign_in):
    sign_in(client, make_staff("admin"))
    response = client.post_form("/staff/people/new", {
        "username": "ok.name", "display_name": "", "role": "facilitator", "password": "short"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'value="ok.name"' in page and "请填写大家熟悉的称呼" in page and "至少要 8 个字符" in page
    assert db.session.scalar(select(func.count(Staff.id)).where(Staff.username == "ok.name")) == 0


def test_an_admin_cannot_reach_another_communitys_staff(client, make_staff, make_community,
                                                        sign_in):
    elsewhere = make_staff("volunteer", community=make_community("yonghe", "永和社区"))
    sign_in(client, make_staff("admin"))
    assert client.get(f"/staff/people/{elsewhere.id}").status_code == 404
    assert client.post_form(f"/staff/people/{elsewhere.id}/active", {"active": "0"}).status_code == 404
    db.session.refresh(elsewhere)
    assert elsewhere.active


def test_an_admin_cannot_lock_themselves_out(client, make_staff, sign_in):
    admin = make_staff("admin")
    sign_in(client, admin)
    client.post_form(f"/staff/people/{admin.id}/active", {"active": "0"})
    client.post_form(f"/staff/people/{admin.id}", {"display_name": "x", "role": "volunteer",
                                                   "community_id": str(admin.community_id)})
    db.session.refresh(admin)
    assert admin.active and admin.role == "admin"


def test_audit_log_filters_by_person_type_and_date(client, make_staff, sign_in):
    admin = make_staff("admin", username="boss")
    helper = make_staff("volunteer", username="helper", password="helper password")
    client.post_form("/staff/login", {"username": "helper", "password": "wrong"})
    client.post_form("/staff/login", {"username": "helper", "password": "helper password"})
    sign_in(client, admin)
    everything = client.get("/staff/audit/").get_data(as_text=True)
    assert "staff.password_failed" in everything and "staff.login" in everything
    only_helper = client.get(f"/staff/audit/?staff_id={helper.id}").get_data(as_text=True)
    assert "staff.login" in only_helper and "staff.create" not in only_helper
    by_type = client.get("/staff/audit/?action=staff.password").get_data(as_text=True)
    assert "staff.password_failed" in by_type and "staff.create" not in by_type
    today = utcnow().date()
    future = client.get(f"/staff/audit/?from={today + timedelta(days=2)}").get_data(as_text=True)
    assert "没有符合条件的记录" in future


# ---------- the tablet ----------


def test_pin_unlocks_staff_mode_with_a_banner_and_exit_ends_it(client, make_staff):
    make_staff("facilitator", display_name="主持人 陈静", pin="135790")
    assert "工作人员模式" not in client.get("/").get_data(as_text=True)
    response = client.post_form("/unlock", {"pin": "135 790"})
    assert response.status_code == 303
    page = client.get("/").get_data(as_text=True)
    assert "工作人员模式：主持人 陈静" in page and "退出" in page
    client.post_form("/lock")
    assert "工作人员模式：" not in client.get("/").get_data(as_text=True)
    assert {"staff.unlock_tablet", "staff.lock_tablet"} <= set(actions())


def test_staff_mode_waits_longer_before_the_idle_reset(client, make_staff):
    make_staff("facilitator", pin="135790")
    assert 'data-idle-seconds="90"' in client.get("/classes/").get_data(as_text=True)
    client.post_form("/unlock", {"pin": "135790"})
    assert 'data-idle-seconds="600"' in client.get("/classes/").get_data(as_text=True)


def test_the_home_screen_says_the_idle_limit_in_force(client, make_staff, app):
    """90 seconds for a resident; in staff mode the longer wait (10 minutes), also in English,
    and what the configuration says rather than a number in the template."""
    make_staff("facilitator", display_name="主持人 陈静", pin="135790")
    page = client.get("/").get_data(as_text=True)
    assert "90 秒无操作后" in page and "分钟" not in page
    client.post_form("/unlock", {"pin": "135790"})
    page = client.get("/").get_data(as_text=True)
    assert "10 分钟无操作后" in page and "90 秒" not in page
    client.post_form("/language", {"lang": "en", "next": "/"})
    page = client.get("/").get_data(as_text=True)
    assert "Staff mode ends after 10 minutes without a touch" in page
    assert "Staff mode:" in page and ">Exit<" in page
    app.config["STAFF_IDLE_SECONDS"] = 300
    assert "after 5 minutes without a touch" in client.get("/").get_data(as_text=True)


def test_idle_reset_ends_staff_mode(client, make_staff):
    make_staff("facilitator", pin="135790")
    client.post_form("/unlock", {"pin": "135790"})
    client.post_form("/reset")
    assert "工作人员模式：" not in client.get("/").get_data(as_text=True)
    assert db.session.scalar(select(func.count(StaffSession.id))) == 0
    assert "staff.lock_idle" in actions()


def test_a_pin_two_accounts_still_share_unlocks_nobody_and_names_nobody(client, make_staff):
    """PINs are unique now; two accounts that chose the same one before that rule: the
    tablet never lists them (there is no "who are you?" choice to pick someone else)."""
    make_staff("facilitator", display_name="甲", pin="135790")
    second = make_staff("volunteer", display_name="乙", pin="246810")
    second.pin_hash = services.hash_pin("135790")  # as set before PINs were unique
    db.session.commit()
    page = client.post_form("/unlock", {"pin": "135790"})
    assert page.status_code == 422
    text = page.get_data(as_text=True)
    assert "不止一人在用" in text and "甲" not in text and "乙" not in text
    assert "工作人员模式：" not in client.get("/").get_data(as_text=True)
    assert client.post_form("/unlock/choose", {"staff_id": str(second.id)}).status_code == 404


def test_residents_are_sent_to_the_pin_pad_from_a_staff_page_on_the_kiosk(client, app):
    response = client.get("/staff/")
    assert response.status_code == 303 and response.headers["Location"].startswith("/staff/login")


def test_create_staff_command(runner, community):
    result = runner.invoke(args=["create-staff", "wanggang", "--role", "facilitator",
                                 "--community", "shengli", "--name", "网格长 王刚",
                                 "--password", "command password", "--pin", "258369"])
    assert result.exit_code == 0, result.output
    assert services.authenticate("wanggang", "command password", "cli").display_name == "网格长 王刚"
    bad = runner.invoke(args=["create-staff", "x", "--role", "facilitator", "--community",
                              "shengli", "--password", "short", "--pin", ""])
    assert bad.exit_code == 1 and "password" in bad.output


def test_seed_demo_prints_the_demo_accounts(runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0
    for username in ("jiedao", "admin", "zhuchi", "gege"):
        assert username in result.output
    assert services.authenticate("zhuchi", "demo-zhuchi-2026", "cli").role == "facilitator"


@pytest.mark.parametrize("method", ["scrypt:2048:8:1", "pbkdf2:sha256:1000"])
def test_an_unknown_name_costs_the_same_hash_as_a_real_account(make_app, community,
                                                               monkeypatch, method):
    """Issue 13: the dummy was pbkdf2 while accounts used scrypt: 25 ms against 298 ms told
    which user names exist."""
    app = make_app(STAFF_PASSWORD_HASH=method)
    checked = []
    real_check = services.check_password_hash
    monkeypatch.setattr(services, "check_password_hash",
                        lambda stored, given: checked.append(stored.split("$")[0])
                        or real_check(stored, given))
    with app.app_context():
        services.create_staff(username="known", display_name="K", role="admin",
                              subdistrict_id=community.subdistrict_id, community_id=None,
                              password="right password 1")
        db.session.commit()
        for name in ("known", "nobody-here"):
            with pytest.raises(Invalid):
                services.authenticate(name, "wrong", "10.0.0.1")
    assert checked == [method, method]


def _signed_in(client) -> bool:
    return client.get("/staff/").status_code == 200


def test_a_password_change_signs_the_person_out_everywhere_else(app, make_staff):
    staff = make_staff(username="wanglan", password="old password")
    here, laptop, tablet = app.test_client(), app.test_client(), app.test_client()
    for browser in (here, laptop, tablet):
        browser.post_form("/staff/login", {"username": "wanglan", "password": "old password"})
        assert _signed_in(browser)
    other = make_staff(username="other1", password="other password")
    elsewhere = app.test_client()
    elsewhere.post_form("/staff/login", {"username": "other1", "password": "other password"})
    changed = here.post_form("/staff/account/password", {
        "current_password": "old password", "new_password": "new password 2",
        "confirm_password": "new password 2"})
    assert changed.status_code == 303
    assert _signed_in(here)  # where the change was made
    assert not _signed_in(laptop) and not _signed_in(tablet)
    assert _signed_in(elsewhere)  # someone else's sessions are not touched
    assert db.session.scalar(select(func.count(StaffSession.id)).where(
        StaffSession.staff_id == staff.id)) == 1
    assert db.session.scalar(select(func.count(StaffSession.id)).where(
        StaffSession.staff_id == other.id)) == 1
    assert "staff.end_other_sessions" in actions()


def test_an_admin_resetting_a_password_ends_all_that_persons_sessions(app, make_staff,
                                                                       sign_in):
    admin = make_staff("admin")
    make_staff(username="lostpw", password="old password")
    phone = app.test_client()
    phone.post_form("/staff/login", {"username": "lostpw", "password": "old password"})
    assert _signed_in(phone)
    console = sign_in(app.test_client(), admin)
    person = db.session.scalar(select(Staff).where(Staff.username == "lostpw"))
    reset = console.post_form(f"/staff/people/{person.id}/password",
                              {"password": "brand new password"})
    assert reset.status_code == 303
    assert not _signed_in(phone) and _signed_in(console)


def test_end_other_sessions_keeps_only_the_given_one(make_staff):
    staff = make_staff()
    tokens = [services.start_session(staff, "console", "10.0.0.1") for _ in range(3)]
    db.session.commit()
    assert services.end_other_sessions(staff, tokens[1]) == 2
    db.session.commit()
    assert [services.staff_for_token(t) is not None for t in tokens] == [False, True, False]
    assert services.end_other_sessions(staff) == 1
