"""The tablet in staff mode, for a volunteer or facilitator at the class: 上课签到 — choose
today's class (/classes/checkin/), tap each name as people arrive, and add someone who came
without signing up (a walk-in). Reached from the staff-mode home screen's 上课签到 button.
"""

from flask import abort, render_template, request, url_for
from flask_babel import gettext as _

from ...access import staff_only
from ...communities.current import kiosk_community
from ...extensions import db
from ...idempotency import parse_request_key
from ...privacy import normalise_phone
from ...responses import go_to, page_or_fragment
from ...staff.auth import current_staff, form_community_id, require_community, staff_record_or_404
from ...validation import Invalid
from .. import services
from ..models import ClassSession, Signup
from .common import ANY_STAFF, bp, form_text


@bp.get("/classes/checkin/")
@staff_only(*ANY_STAFF)
def checkin_index():
    community_id = _checkin_community_id()
    require_community(community_id)
    return render_template("signups/checkin_index.html",
                           **vars(services.checkin_choice(community_id)))


def _checkin_community_id() -> int | None:
    """The community the device shows (a tablet: its own); on an office PC or a phone that
    shows another community (a choice, the default), the staff member's own."""
    staff, community = current_staff(), kiosk_community()
    if community is not None and staff.can_access(community.id):
        return community.id
    return form_community_id(staff, or_first=True)


@bp.get("/classes/checkin/<int:class_session_id>")
@staff_only(*ANY_STAFF)
def checkin(class_session_id: int):
    class_session = staff_record_or_404(ClassSession, class_session_id)
    return render_template("signups/checkin.html", **vars(services.checkin_sheet(class_session)))


@bp.post("/classes/checkin/<int:class_session_id>/<int:signup_id>")
@staff_only(*ANY_STAFF)
def mark_attendance(class_session_id: int, signup_id: int):
    """Tap a name: checked in, or (tapped again) not. The form says which, so a repeated
    request leaves the same answer."""
    class_session = staff_record_or_404(ClassSession, class_session_id)
    signup = db.session.get(Signup, signup_id)
    if signup is None or signup.session_id != class_session.id:
        abort(404)
    if not services.may_check_in(class_session, signup):
        return go_to(url_for("signups.checkin", class_session_id=class_session.id))
    attended = request.form.get("attended") == "1"
    services.set_attendance(signup, attended, current_staff())
    db.session.commit()
    sheet = services.checkin_sheet(class_session)
    message = (_("%(name)s is checked in.", name=signup.name) if attended
               else _("%(name)s is no longer checked in.", name=signup.name))
    return page_or_fragment("signups/checkin.html", "signups/_checkin_tap.html",
                            signup=signup, message=message, **vars(sheet))


@bp.route("/classes/checkin/<int:class_session_id>/walk-in", methods=["GET", "POST"])
@staff_only(*ANY_STAFF)
def add_walk_in(class_session_id: int):
    class_session = staff_record_or_404(ClassSession, class_session_id)
    if services.checkin_problem(class_session):
        return go_to(url_for("signups.checkin", class_session_id=class_session.id))
    values, errors = {}, {}
    if request.method == "POST":
        values = {"name": form_text("name"), "phone": normalise_phone(form_text("phone", 40))}
        try:
            signup, on_list = services.add_walk_in(
                class_session.id, values["name"], values["phone"],
                parse_request_key(request.form.get("request_key")), current_staff())
        except Invalid as invalid:
            errors = invalid.errors
        else:
            db.session.commit()
            message = (_("%(name)s already had a place and is now checked in.",
                         name=signup.name) if on_list
                       else _("%(name)s is added and checked in.", name=signup.name))
            return go_to(url_for("signups.checkin", class_session_id=class_session.id), message)
    return page_or_fragment("signups/walk_in.html", "signups/_walk_in_form.html",
                            status=422 if errors else 200, class_session=class_session,
                            values=values, errors=errors)
