"""PINs: one person per PIN in a subdistrict, never a list of people at the keypad, wrong
PINs counted per tablet and not cleared by someone else's success, and a PIN session does
tablet work only (accounts, passwords, PINs, exports and the audit log need the password)."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from muling_kiosk.database import utcnow
from muling_kiosk.extensions import db
from muling_kiosk.staff import services
from muling_kiosk.staff.models import StaffSession
from muling_kiosk.validation import Invalid

PASSWORD = "correct horse"


def text(response) -> str:
    return response.get_data(as_text=True)


def console(client, staff):
    answer = client.post_form("/staff/login", {"username": staff.username,
                                               "password": PASSWORD})
    assert answer.status_code == 303
    return client


def test_a_pin_another_account_uses_cannot_be_chosen(phone_client, make_staff,
                                                     make_community):
    neighbour = make_community("jianshe", "建设社区")  # same subdistrict, other community
    make_staff("admin", community=neighbour, display_name="站长 王芳", pin="802468")
    me = make_staff("volunteer", display_name="格格管家 赵桂芝")
    console(phone_client, me)
    answer = phone_client.post_form("/staff/account/pin", {
        "pin_password": PASSWORD, "pin": "802468", "pin_confirm": "802468"})
    assert answer.status_code == 422
    assert "这个 PIN 已有人在用，请换一个" in text(answer) and "王芳" not in text(answer)
    db.session.refresh(me)
    assert me.pin_hash is None
    ok = phone_client.post_form("/staff/account/pin", {
        "pin_password": PASSWORD, "pin": "579135", "pin_confirm": "579135"})
    assert ok.status_code == 303


def test_an_admin_cannot_give_a_pin_someone_uses(phone_client, make_staff):
    make_staff("facilitator", pin="135790")
    person = make_staff("volunteer")
    admin = make_staff("admin")
    console(phone_client, admin)
    reset = phone_client.post_form(f"/staff/people/{person.id}/pin", {"pin": "135790"})
    assert reset.status_code == 422 and "已有人在用" in text(reset)
    with pytest.raises(Invalid) as refused:
        services.create_staff(username="newbie", display_name="新人", role="volunteer",
                              subdistrict_id=admin.subdistrict_id,
                              community_id=admin.community_id, password="long enough",
                              pin="135790")
    assert "pin" in refused.value.errors


def test_wrong_pins_are_counted_per_tablet_and_someone_elses_success_clears_nothing(
        make_staff, community):
    make_staff("facilitator", pin="135790")
    now = utcnow()
    for _ in range(4):
        with pytest.raises(Invalid):
            services.unlock_with_pin("999999", community, "station-1", now=now)
    assert services.unlock_with_pin("135790", community, "station-1", now=now)
    with pytest.raises(Invalid):
        services.unlock_with_pin("888888", community, "station-1", now=now)
    with pytest.raises(services.LockedOut):  # the fifth wrong PIN closed this tablet
        services.unlock_with_pin("135790", community, "station-1", now=now)
    # Another tablet is not closed by this one's guesses.
    assert services.unlock_with_pin("135790", community, "station-2", now=now)
    later = now + timedelta(minutes=5, seconds=2)
    assert services.unlock_with_pin("135790", community, "station-1", now=later)


def test_a_success_does_not_clear_the_addresss_count_of_other_accounts(make_staff):
    make_staff(username="mine", password="right password")
    now = utcnow()
    per_address = services.PASSWORD_FAILURES["client"]
    for number in range(1, per_address):
        with pytest.raises(Invalid):
            services.authenticate(f"victim{number}", "wrong", "10.7.7.7", now=now)
    services.authenticate("mine", "right password", "10.7.7.7", now=now)
    with pytest.raises(Invalid):
        services.authenticate(f"victim{per_address}", "wrong", "10.7.7.7", now=now)
    with pytest.raises(services.LockedOut):
        services.authenticate("mine", "right password", "10.7.7.7", now=now)


@pytest.mark.parametrize("path", ["/staff/people", "/staff/audit/", "/staff/account",
                                  "/staff/suggestions/export.csv", "/staff/stations"])
def test_a_pin_session_is_asked_for_the_password(client, make_staff, path):
    make_staff("admin", pin="135790")
    assert client.post_form("/unlock", {"pin": "135790"}).status_code == 303
    answer = client.get(path)
    assert answer.status_code == 403
    assert "请用密码登录" in text(answer) and "/staff/login?next=" in text(answer)


def test_a_pin_session_cannot_change_pins_or_reset_passwords(client, make_staff):
    admin = make_staff("admin", pin="135790")
    person = make_staff("volunteer")
    client.post_form("/unlock", {"pin": "135790"})
    assert client.post_form(f"/staff/people/{person.id}/password",
                            {"password": "taken over!"}).status_code == 403
    assert client.post_form("/staff/account/pin", {
        "pin_password": PASSWORD, "pin": "579135", "pin_confirm": "579135"}).status_code == 403
    assert services.authenticate(person.username, PASSWORD, "10.0.0.9")
    db.session.refresh(admin)
    assert services.unlock_with_pin("135790", admin.community, "x")


def test_a_pin_change_ends_the_persons_staff_mode_on_the_tablet(client, phone_client,
                                                                make_staff):
    me = make_staff("facilitator", display_name="主持人 陈静", pin="135790")
    client.post_form("/unlock", {"pin": "135790"})
    assert "工作人员模式：主持人 陈静" in text(client.get("/"))
    console(phone_client, me)
    phone_client.post_form("/staff/account/pin", {
        "pin_password": PASSWORD, "pin": "579135", "pin_confirm": "579135"})
    assert "工作人员模式：" not in text(client.get("/"))
    assert db.session.scalar(select(func.count(StaffSession.id)).where(
        StaffSession.via == "tablet")) == 0
    assert "主持人 陈静" in text(phone_client.get("/staff/"))  # the password session stays
