"""The staff console, for staff at a desktop browser (/staff/classes/…, linked from the
console's navigation and overview): courses and their sessions, a session's roster, the
printed sign-in sheet, the Excel and CSV downloads, 停课 and the call list, and taking someone
off a list when they phone to cancel. Volunteers may look; managing is for facilitators and
admins (MANAGERS).
"""

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from ...access import staff_only
from ...database import utcnow, writes_on_get
from ...exports import csv_response, xlsx_response
from ...extensions import db
from ...i18n import format_when
from ...responses import go_to, page_or_fragment
from ...staff.auth import current_staff, form_community_id, password_only, staff_record_or_404
from ...validation import Invalid
from .. import services
from ..models import CANCELLED, CONFIRMED, WAITING, ClassSession, Course, Signup
from .common import ANY_STAFF, MANAGERS, bp, form_text, sentences

# ---------- courses and sessions ----------


def _course_form_values() -> dict:
    return {name: form_text(name, 2000 if name == "description" else 200)
            for name in services.COURSE_FIELDS}


@bp.get("/staff/classes/")
@staff_only(*ANY_STAFF)
def staff_courses():
    staff = current_staff()
    courses = services.courses_of(staff.community_ids())
    upcoming = services.describe(services.upcoming_sessions(staff.community_ids()))
    return render_template("signups/console/courses.html", courses=courses, upcoming=upcoming,
                           categories=services.CATEGORY_NAMES, may_manage=staff.role in MANAGERS,
                           now=utcnow())


@bp.route("/staff/classes/new", methods=["GET", "POST"])
@staff_only(*MANAGERS)
def new_course():
    staff = current_staff()
    values, errors = dict(services.NEW_COURSE_VALUES), {}
    if request.method == "POST":
        values = _course_form_values()
        community_id = form_community_id(staff, or_first=True)
        values["community_id"] = community_id
        try:
            course = services.create_course(community_id, values)
        except Invalid as invalid:
            errors = invalid.errors
        else:
            db.session.commit()
            return go_to(url_for("signups.add_sessions", course_id=course.id),
                         _("The class %(title)s is added. Now add when it meets.",
                           title=course.title))
    communities = staff.subdistrict.communities if staff.is_subdistrict_admin else []
    return page_or_fragment("signups/console/course_form.html", "signups/console/_course_form.html",
                            status=422 if errors else 200, course=None, values=values,
                            errors=errors, categories=services.category_choices(),
                            communities=communities)


@bp.get("/staff/classes/<int:course_id>")
@staff_only(*ANY_STAFF)
def course(course_id: int):
    course = staff_record_or_404(Course, course_id)
    now = utcnow()
    return render_template("signups/console/course.html",
                           **vars(services.course_overview(course, now)),
                           categories=services.CATEGORY_NAMES,
                           may_manage=current_staff().role in MANAGERS, now=now)


@bp.route("/staff/classes/<int:course_id>/edit", methods=["GET", "POST"])
@staff_only(*MANAGERS)
def edit_course(course_id: int):
    course = staff_record_or_404(Course, course_id)
    values, errors = services.course_values(course), {}
    if request.method == "POST":
        values = _course_form_values()
        try:
            change = services.update_course_and_sessions(course, values, staff=current_staff())
        except Invalid as invalid:
            errors = invalid.errors
            db.session.rollback()
        else:
            message = _capacity_message(change)  # before the commit expires the sessions
            db.session.commit()
            return go_to(url_for("signups.moved_up" if change.promoted else "signups.course",
                                 course_id=course.id), message)
    return page_or_fragment("signups/console/course_form.html", "signups/console/_course_form.html",
                            status=422 if errors else 200, course=course, values=values,
                            errors=errors, categories=services.category_choices(), communities=[])


def _capacity_message(change) -> str:
    """Saved, and what a new number of places did to the sessions to come."""
    kept = [_("%(when)s keeps %(num)s places: %(num)s people have one already.",
              when=format_when(session.starts_at), num=places)
            for session, places in change.kept]
    return sentences(
        _("Saved."),
        ngettext("The new number of places applies to %(num)s session to come.",
                 "The new number of places applies to %(num)s sessions to come.",
                 len(change.changed)) if change.changed else "",
        *kept,
        _moved_up_message(change.promoted))


def _moved_up_message(promoted: list) -> str:
    """How many moved up and who; the page it leads to is the list of whom to call."""
    if not promoted:
        return ""
    return ngettext("%(num)s person moved up from the waiting list: %(names)s. Please call "
                    "them (the list is below).",
                    "%(num)s people moved up from the waiting list: %(names)s. Please call "
                    "them (the list is below).", len(promoted),
                    names="、".join(p.name for p in promoted))


@bp.get("/staff/classes/<int:course_id>/moved-up")
@writes_on_get
@staff_only(*MANAGERS)
def moved_up(course_id: int):
    """Whom to call: people moved up from a waiting list into the course's sessions to come,
    with whole numbers (recorded in the audit log)."""
    course = staff_record_or_404(Course, course_id)
    people = services.moved_up(course, utcnow())
    services.record_moved_up_disclosure(course, len(people))
    db.session.commit()
    return render_template("signups/console/moved_up.html", course=course, people=people)


@bp.route("/staff/classes/<int:course_id>/sessions/new", methods=["GET", "POST"])
@staff_only(*MANAGERS)
def add_sessions(course_id: int):
    """One session, or the same weekday and time for several weeks."""
    course = staff_record_or_404(Course, course_id)
    values, errors = services.new_sessions_values(course), {}
    if request.method == "POST":
        values = {name: form_text(name, 20)
                  for name in ("day", "start", "minutes", "weeks", "capacity")}
        try:
            added = services.add_sessions(course, values)
        except Invalid as invalid:
            errors = invalid.errors
        else:
            db.session.commit()
            message = ngettext("%(num)s session added.", "%(num)s sessions added.", len(added))
            if added.skipped:
                message = sentences(message, ngettext(
                    "%(num)s existed already and is left as it was.",
                    "%(num)s existed already and are left as they were.", added.skipped))
            return go_to(url_for("signups.course", course_id=course.id), message)
    return page_or_fragment("signups/console/sessions_form.html",
                            "signups/console/_sessions_form.html", status=422 if errors else 200,
                            course=course, values=values, errors=errors)


@bp.route("/staff/classes/sessions/<int:class_session_id>/edit", methods=["GET", "POST"])
@staff_only(*MANAGERS)
def edit_session(class_session_id: int):
    class_session = staff_record_or_404(ClassSession, class_session_id)
    values, errors = services.session_values(class_session), {}
    if request.method == "POST":
        values = {name: form_text(name, 20)
                  for name in ("day", "start", "minutes", "capacity", "status")}
        try:
            promoted = services.update_session(class_session.id, values,
                                               staff=current_staff())[1]
        except Invalid as invalid:
            errors = invalid.errors
            db.session.rollback()
        else:
            message = sentences(_("Saved."), _moved_up_message(promoted))
            db.session.commit()
            if promoted:
                return go_to(url_for("signups.moved_up", course_id=class_session.course_id),
                             message)
            return go_to(url_for("signups.roster", class_session_id=class_session.id),
                         message)
    return page_or_fragment("signups/console/session_form.html",
                            "signups/console/_session_form.html", status=422 if errors else 200,
                            class_session=class_session, values=values, errors=errors)


# ---------- rosters, exports, cancelling ----------


def _roster_context(class_session: ClassSession) -> dict:
    return {**vars(services.roster_sheet(class_session)),
            "may_manage": current_staff().role in MANAGERS, "now": utcnow()}


@bp.get("/staff/classes/sessions/<int:class_session_id>")
@staff_only(*ANY_STAFF)
def roster(class_session_id: int):
    class_session = staff_record_or_404(ClassSession, class_session_id)
    return render_template("signups/console/roster.html", **_roster_context(class_session))


@bp.get("/staff/classes/sessions/<int:class_session_id>/print")
@staff_only(*ANY_STAFF)
def print_roster(class_session_id: int):
    """The A4 sign-in sheet: names in large type and a tick column; numbers masked."""
    class_session = staff_record_or_404(ClassSession, class_session_id)
    return render_template("signups/console/roster_print.html", printed_at=utcnow(),
                           **_roster_context(class_session))


def _disclose(action: str, class_session: ClassSession, **details) -> None:
    # Committed before the list is sent: a download that fails half-way still counts.
    services.record_disclosure(action, class_session, **details)
    db.session.commit()


@bp.get("/staff/classes/sessions/<int:class_session_id>/roster.csv")
@writes_on_get
@staff_only(*MANAGERS)
@password_only
def export_roster_csv(class_session_id: int):
    class_session = staff_record_or_404(ClassSession, class_session_id)
    header, rows = services.roster_table(class_session)
    _disclose("signups.export_roster", class_session, format="csv", rows=len(rows))
    return csv_response(services.roster_file_name(class_session, "csv"), header, rows)


@bp.get("/staff/classes/sessions/<int:class_session_id>/roster.xlsx")
@writes_on_get
@staff_only(*MANAGERS)
@password_only
def export_roster_xlsx(class_session_id: int):
    class_session = staff_record_or_404(ClassSession, class_session_id)
    header, rows = services.roster_table(class_session)
    _disclose("signups.export_roster", class_session, format="xlsx", rows=len(rows))
    return xlsx_response(services.roster_file_name(class_session, "xlsx"), header, rows,
                         title=class_session.title)


@bp.route("/staff/classes/sessions/<int:class_session_id>/cancel", methods=["GET", "POST"])
@staff_only(*MANAGERS)
def cancel_session(class_session_id: int):
    class_session = staff_record_or_404(ClassSession, class_session_id)
    if request.method == "POST":
        services.cancel_session(class_session.id, form_text("reason", 200))
        db.session.commit()
        return go_to(url_for("signups.call_list", class_session_id=class_session.id),
                     _("The class is cancelled. Please call these people."))
    if class_session.status == CANCELLED:
        return redirect(url_for("signups.call_list", class_session_id=class_session.id))
    confirmed, waiting = services.roster(class_session)
    return render_template("signups/console/cancel_session.html", class_session=class_session,
                           confirmed=confirmed, waiting=waiting)


@bp.get("/staff/classes/sessions/<int:class_session_id>/call-list")
@writes_on_get
@staff_only(*MANAGERS)
def call_list(class_session_id: int):
    """After cancelling: whom to call, with whole numbers (recorded in the audit log)."""
    class_session = staff_record_or_404(ClassSession, class_session_id)
    if class_session.status != CANCELLED:
        return redirect(url_for("signups.roster", class_session_id=class_session.id))
    people = services.call_list(class_session)
    _disclose("signups.call_list", class_session, people=len(people))
    return render_template("signups/console/call_list.html", class_session=class_session,
                           people=people)


@bp.route("/staff/classes/signups/<int:signup_id>/cancel", methods=["GET", "POST"])
@staff_only(*MANAGERS)
def staff_cancel_signup(signup_id: int):
    """A resident phoned to cancel: a page naming the person and the session asks first; then
    their place goes to the first person waiting, whom the message names."""
    signup = staff_record_or_404(Signup, signup_id, lambda s: s.session.community_id)
    roster_url = url_for("signups.roster", class_session_id=signup.session_id)
    if signup.status not in (CONFIRMED, WAITING):
        return go_to(roster_url, _("%(name)s is not on the list any more.", name=signup.name))
    if request.method == "GET" or request.form.get("confirm") != "yes":
        waiting = services.roster(signup.session)[1]
        next_up = waiting[0] if signup.status == CONFIRMED and waiting else None
        return render_template("signups/console/cancel_signup.html", signup=signup,
                               class_session=signup.session, next_up=next_up)
    promoted = services.cancel_signup(signup.id, staff=current_staff(), allow_started=True)[1]
    db.session.commit()
    message = _("%(name)s is taken off the list.", name=signup.name)
    if promoted:
        message = _("%(name)s is taken off the list; %(next)s moves up from the waiting list.",
                    name=signup.name, next="、".join(p.name for p in promoted))
    return go_to(roster_url, message)
