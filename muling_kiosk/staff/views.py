"""Staff sign-in (password in the console, PIN on the tablet), own account, and the
admin's management of staff accounts."""

from flask import Blueprint, abort, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..access import public, staff_only
from ..audit.services import client_address
from ..communities.current import kiosk_community
from ..extensions import db
from ..install import nobody_can_sign_in
from ..responses import go_to, safe_next
from ..stations.current import current_station, require_station_tablet
from ..stations.services import end_hand_over
from ..validation import Invalid
from . import services
from .auth import SESSION_KEY, current_staff, form_community_id, password_only
from .models import ADMIN, FACILITATOR, ROLES, VOLUNTEER, Staff

bp = Blueprint("staff", __name__)

ANY_STAFF = (ADMIN, FACILITATOR, VOLUNTEER)


def _sign_in(staff: Staff, via: str) -> None:
    """A fresh session at every sign-in: nothing of the previous one carries over."""
    token = services.start_session(staff, via, client_address())
    session.clear()
    session[SESSION_KEY] = token


def _locked_message(error: services.LockedOut) -> str:
    return _("Too many wrong tries. This way in is closed for %(minutes)s minutes. "
             "Please wait and try again.", minutes=error.minutes)


# ---------- console: password ----------


@bp.route("/staff/login", methods=["GET", "POST"])
@public
def login():
    errors, username, status = {}, "", 200
    if request.method == "POST":
        username = request.form.get("username", "")[:80]
        try:
            staff = services.authenticate(username, request.form.get("password", "")[:200],
                                          client_address())
        except services.LockedOut as locked:
            errors, status = {"password": _locked_message(locked)}, 429
        except Invalid as invalid:
            errors, status = invalid.errors, 422
        else:
            _sign_in(staff, "console")
            db.session.commit()
            return go_to(safe_next(url_for("staff.dashboard")))
    # Before `flask setup` nobody can sign in: say what to do instead of a useless form.
    return render_template("staff/login.html", errors=errors, username=username,
                           next=safe_next(""), setup_needed=nobody_can_sign_in()), status


@bp.post("/staff/logout")
@staff_only(*ANY_STAFF)
def logout():
    services.end_session(session.pop(SESSION_KEY, None))
    db.session.commit()
    return go_to(url_for("staff.login"), _("You are signed out."))


@bp.get("/staff/")
@staff_only(*ANY_STAFF)
def dashboard():
    return render_template("staff/dashboard.html", role_names=services.ROLE_NAMES)


# ---------- own account ----------


@bp.get("/staff/account")
@staff_only(*ANY_STAFF)
@password_only
def account():
    return render_template("staff/account.html", errors={}, role_names=services.ROLE_NAMES)


@bp.post("/staff/account/password")
@staff_only(*ANY_STAFF)
@password_only
def change_password():
    form = request.form
    try:
        services.change_own_password(current_staff(), form.get("current_password", ""),
                                     form.get("new_password", ""), form.get("confirm_password", ""),
                                     current_token=session.get(SESSION_KEY))
    except Invalid as invalid:
        return render_template("staff/account.html", errors=invalid.errors,
                               role_names=services.ROLE_NAMES), 422
    db.session.commit()
    return go_to(url_for("staff.account"), _("Your password is changed."))


@bp.post("/staff/account/pin")
@staff_only(*ANY_STAFF)
@password_only
def change_pin():
    form = request.form
    try:
        services.change_own_pin(current_staff(), form.get("pin_password", ""),
                                services.digits(form.get("pin", "")),
                                services.digits(form.get("pin_confirm", "")))
    except Invalid as invalid:
        return render_template("staff/account.html", errors=invalid.errors,
                               role_names=services.ROLE_NAMES), 422
    db.session.commit()
    return go_to(url_for("staff.account"), _("Your PIN is changed."))


# ---------- the admin's staff list ----------


def _managed(staff_id: int) -> Staff:
    """An account the signed-in admin manages; any other does not exist for them."""
    staff = db.session.get(Staff, staff_id)
    viewer = current_staff()
    if staff is None or staff.subdistrict_id != viewer.subdistrict_id or (
        viewer.community_id is not None and staff.community_id != viewer.community_id
    ):
        abort(404)
    return staff


def _form_context(**extra):
    viewer = current_staff()
    return {"roles": [(r, services.ROLE_NAMES[r]) for r in ROLES],
            "communities": services.communities_for(viewer),
            "may_choose_subdistrict": viewer.is_subdistrict_admin, **extra}


@bp.get("/staff/people")
@staff_only(ADMIN)
@password_only
def people():
    return render_template("staff/people.html", people=services.staff_visible_to(current_staff()),
                           role_names=services.ROLE_NAMES)


@bp.route("/staff/people/new", methods=["GET", "POST"])
@staff_only(ADMIN)
@password_only
def new_person():
    viewer = current_staff()
    values, errors = services.new_account_values(viewer), {}
    if request.method == "POST":
        values = {k: request.form.get(k, "")[:200] for k in ("username", "display_name", "role")}
        values["community_id"] = form_community_id(viewer)
        try:
            staff = services.create_staff(
                username=values["username"], display_name=values["display_name"],
                role=values["role"], subdistrict_id=viewer.subdistrict_id,
                community_id=values["community_id"], password=request.form.get("password", ""),
                pin=services.digits(request.form.get("pin", "")) or None)
        except Invalid as invalid:
            errors = invalid.errors
        else:
            db.session.commit()
            return go_to(url_for("staff.people"),
                         _("%(name)s can now sign in.", name=staff.display_name))
    return render_template("staff/person_form.html", person=None, values=values, errors=errors,
                           **_form_context()), 422 if errors else 200


@bp.route("/staff/people/<int:staff_id>", methods=["GET", "POST"])
@staff_only(ADMIN)
@password_only
def edit_person(staff_id: int):
    person = _managed(staff_id)
    viewer = current_staff()
    values = {"username": person.username, "display_name": person.display_name,
              "role": person.role, "community_id": person.community_id}
    errors = {}
    if request.method == "POST":
        values.update(display_name=request.form.get("display_name", "")[:200],
                      role=request.form.get("role", ""), community_id=form_community_id(viewer))
        if person.id == viewer.id and values["role"] != ADMIN:
            errors = {"role": _l("You cannot take the administrator role from yourself.")}
        else:
            try:
                services.update_staff(person, display_name=values["display_name"],
                                      role=values["role"], community_id=values["community_id"])
            except Invalid as invalid:
                errors = invalid.errors
            else:
                db.session.commit()
                return go_to(url_for("staff.people"), _("Saved."))
        db.session.rollback()
    return render_template("staff/person_form.html", person=person, values=values, errors=errors,
                           **_form_context()), 422 if errors else 200


@bp.post("/staff/people/<int:staff_id>/active")
@staff_only(ADMIN)
@password_only
def set_person_active(staff_id: int):
    person = _managed(staff_id)
    active = request.form.get("active") == "1"
    if person.id == current_staff().id and not active:
        return go_to(url_for("staff.edit_person", staff_id=person.id),
                     _("You cannot deactivate your own account."))
    services.set_active(person, active)
    db.session.commit()
    if active:
        message = _("%(name)s is active again.", name=person.display_name)
    else:
        message = _("%(name)s can no longer sign in.", name=person.display_name)
    return go_to(url_for("staff.people"), message)


@bp.post("/staff/people/<int:staff_id>/password")
@staff_only(ADMIN)
@password_only
def reset_person_password(staff_id: int):
    person = _managed(staff_id)
    try:
        services.reset_password(person, request.form.get("password", ""),
                                current_token=session.get(SESSION_KEY))
    except Invalid as invalid:
        return render_template("staff/person_form.html", person=person, errors=invalid.errors,
                               values=_values_of(person), **_form_context()), 422
    db.session.commit()
    return go_to(url_for("staff.edit_person", staff_id=person.id), _("The password is reset."))


@bp.post("/staff/people/<int:staff_id>/pin")
@staff_only(ADMIN)
@password_only
def reset_person_pin(staff_id: int):
    person = _managed(staff_id)
    try:
        services.reset_pin(person, services.digits(request.form.get("pin", "")))
    except Invalid as invalid:
        return render_template("staff/person_form.html", person=person, errors=invalid.errors,
                               values=_values_of(person), **_form_context()), 422
    db.session.commit()
    return go_to(url_for("staff.edit_person", staff_id=person.id), _("The PIN is reset."))


def _values_of(person: Staff) -> dict:
    return {"username": person.username, "display_name": person.display_name,
            "role": person.role, "community_id": person.community_id}


# ---------- the tablet: facilitator mode with a PIN ----------


@bp.route("/unlock", methods=["GET", "POST"])
@public
def unlock():
    """Staff mode with a PIN: only on the community's enrolled station tablet (a device that
    chose a community is not its tablet)."""
    community = kiosk_community()
    require_station_tablet(community)
    errors, status = {}, 200
    if request.method == "POST":
        station = current_station()
        try:
            staff = services.unlock_with_pin(
                request.form.get("pin", ""), community,
                f"station-{station.id}" if station else client_address())
        except services.LockedOut as locked:
            errors, status = {"pin": _locked_message(locked)}, 429
        except Invalid as invalid:
            errors, status = invalid.errors, 422
        else:
            return _enter_tablet_mode(staff)
    return render_template("staff/unlock.html", errors=errors, next=safe_next("")), status


def _enter_tablet_mode(staff: Staff):
    _sign_in(staff, "tablet")
    end_hand_over(current_station())  # the facilitator has the tablet back
    db.session.commit()
    return go_to(safe_next(url_for("home.index")),
                 _("Staff mode is on for %(name)s.", name=staff.display_name))


@bp.post("/lock")
@public
def lock():
    """退出: staff mode ends and the tablet is a resident kiosk again."""
    services.end_session(session.pop(SESSION_KEY, None), reason="staff.lock_tablet")
    db.session.commit()
    return go_to(url_for("home.index"), _("Staff mode is off."))
