"""长者学堂: the class list and sign-up on the kiosk, 我的报名, check-in on the tablet in
staff mode, and courses, sessions and rosters in the staff console.

URL                                               endpoint             who
/classes/                                         index                anyone
/classes/<id>/            GET / POST              join / check_details anyone
/classes/<id>/confirm     GET / POST              confirm / confirm_signup
/classes/<id>/already                             already              anyone
/classes/done/<key>                               done                 anyone
/classes/mine             GET / POST              mine / find_mine     anyone
/classes/mine/forget                              forget_mine          anyone
/classes/mine/<signup>/cancel   GET / POST        cancel_confirm / cancel_mine
/classes/checkin/…                                check-in             volunteer and up
/staff/classes/…                                  the console          see each route
"""

from datetime import time

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask import session as browser
from flask_babel import gettext as _
from flask_babel import ngettext

from ..access import public, staff_only
from ..audit.services import record
from ..communities.current import kiosk_community, kiosk_community_or_404, kiosk_record_or_404
from ..database import utcnow, writes_on_get
from ..exports import csv_response, xlsx_response
from ..extensions import db
from ..i18n import format_when
from ..idempotency import parse_request_key
from ..pagecache import cached_page
from ..privacy import normalise_phone
from ..responses import go_to, page_or_fragment
from ..staff.auth import current_staff, form_community_id, require_community, staff_record_or_404
from ..staff.models import ADMIN, FACILITATOR, VOLUNTEER
from ..validation import Invalid
from . import services
from .models import CATEGORIES, CONFIRMED, ClassSession, Course, Signup

bp = Blueprint("signups", __name__)

ANY_STAFF = (ADMIN, FACILITATOR, VOLUNTEER)
MANAGERS = (ADMIN, FACILITATOR)

# What one person typed on the shared tablet (home and the idle reset forget person_* keys).
DRAFT = "person_signup"  # {"session_id", "name", "phone"} between the details and 确认
PHONE = "person_phone"  # the number typed into 我的报名
DONE = "person_done"  # request keys of this person's sign-ups: their success screens
DONE_KEPT = 5


@bp.context_processor
def signups_context():
    return {"not_joinable": services.NOT_JOINABLE, "checkin_problems": services.CHECKIN_PROBLEMS}


def _form_text(name: str, limit: int = 100) -> str:
    return request.form.get(name, "")[:limit]


# ---------- the kiosk: the class list ----------


@bp.get("/classes/")
@public
def index():
    return cached_page(_week_page)


def _week_page():
    community = kiosk_community()
    offset = min(max(request.args.get("week", 0, type=int), 0), services.WEEKS_AHEAD)
    now = utcnow()
    if community is None:
        monday, days = services.week_start(offset, now), []
    else:
        monday, days = services.week_of_sessions(community.id, offset, now)
    return page_or_fragment("signups/index.html", "signups/_week.html", offset=offset,
                            monday_at=services.local_datetime(monday, time.min), days=days,
                            today=services.local_day(now),
                            last_week=services.WEEKS_AHEAD)


# ---------- the kiosk: sign up in three screens ----------


def _draft_for(class_session_id: int) -> dict | None:
    draft = browser.get(DRAFT)
    if isinstance(draft, dict) and draft.get("session_id") == class_session_id:
        return draft
    return None


@bp.get("/classes/<int:class_session_id>/")
@public
def join(class_session_id: int):
    """Screen 2 (the card was screen 1): the name and the number, or why one cannot join."""
    class_session = kiosk_record_or_404(ClassSession, class_session_id)
    draft = _draft_for(class_session_id) or {}
    return render_template("signups/join.html", info=services.describe([class_session])[0],
                           values={"name": draft.get("name", ""),
                                   "phone": draft.get("phone", "")}, errors={})


@bp.post("/classes/<int:class_session_id>/")
@public
def check_details(class_session_id: int):
    class_session = kiosk_record_or_404(ClassSession, class_session_id)
    info = services.describe([class_session])[0]
    if not info.joinable:
        return go_to(url_for("signups.join", class_session_id=class_session_id))
    raw_name, raw_phone = _form_text("name"), _form_text("phone", 40)
    try:
        name, phone = services.check_person(raw_name, raw_phone)
    except Invalid as invalid:
        return page_or_fragment("signups/join.html", "signups/_details_form.html", status=422,
                                info=info, errors=invalid.errors,
                                values={"name": raw_name, "phone": normalise_phone(raw_phone)})
    browser[DRAFT] = {"session_id": class_session_id, "name": name, "phone": phone}
    if services.active_signup(class_session_id, phone) is not None:
        browser[PHONE] = phone
        return go_to(url_for("signups.already", class_session_id=class_session_id))
    return go_to(url_for("signups.confirm", class_session_id=class_session_id))


@bp.get("/classes/<int:class_session_id>/confirm")
@public
def confirm(class_session_id: int):
    """Screen 3: 请确认报名信息 — nothing is written before 确认报名."""
    class_session = kiosk_record_or_404(ClassSession, class_session_id)
    draft = _draft_for(class_session_id)
    info = services.describe([class_session])[0]
    if draft is None or not info.joinable:
        return redirect(url_for("signups.join", class_session_id=class_session_id))
    return render_template("signups/confirm.html", info=info, draft=draft,
                           staff=current_staff())


@bp.post("/classes/<int:class_session_id>/confirm")
@public
def confirm_signup(class_session_id: int):
    class_session = kiosk_record_or_404(ClassSession, class_session_id)
    key = parse_request_key(request.form.get("request_key"))
    earlier = services.find_signup(key) if key else None
    if earlier is not None:  # a double tap or a resend: the first one counted
        return _done(earlier)
    draft = _draft_for(class_session_id)
    if draft is None:
        return go_to(url_for("signups.join", class_session_id=class_session_id))
    try:
        result = services.sign_up(class_session.id, draft["name"], draft["phone"], key,
                                  staff=current_staff())
    except services.NotJoinable:
        db.session.rollback()
        return go_to(url_for("signups.join", class_session_id=class_session_id))
    except services.AlreadySignedUp:
        db.session.rollback()
        browser[PHONE] = draft["phone"]
        return go_to(url_for("signups.already", class_session_id=class_session_id))
    db.session.commit()
    browser.pop(DRAFT, None)
    return _done(result.signup)


def _done(signup: Signup):
    keys = [k for k in browser.get(DONE, []) if k != signup.request_key][-(DONE_KEPT - 1):]
    browser[DONE] = [*keys, signup.request_key]
    return go_to(url_for("signups.done", request_key=signup.request_key))


@bp.get("/classes/done/<request_key>")
@public
def done(request_key: str):
    """The success screen: only in the browser that signed up, until home or the reset."""
    if request_key not in browser.get(DONE, []):
        return redirect(url_for("signups.index"))
    signup = services.find_signup(request_key)
    if signup is None or signup.session.community_id != kiosk_community_or_404().id:
        abort(404)
    return render_template("signups/done.html", signup=signup,
                           info=services.describe([signup.session])[0],
                           position=services.queue_position(signup))


@bp.get("/classes/<int:class_session_id>/already")
@public
def already(class_session_id: int):
    """The number holds a place or a queue place here already: say so, show it."""
    class_session = kiosk_record_or_404(ClassSession, class_session_id)
    draft = _draft_for(class_session_id)
    signup = services.active_signup(class_session_id, draft["phone"]) if draft else None
    if signup is None:
        return redirect(url_for("signups.join", class_session_id=class_session_id))
    return render_template("signups/already.html", signup=signup,
                           info=services.describe([class_session])[0],
                           position=services.queue_position(signup))


# ---------- the kiosk: 我的报名 ----------


@bp.get("/classes/mine")
@public
def mine():
    phone = browser.get(PHONE)
    if not phone:
        return render_template("signups/mine_find.html", values={}, errors={})
    signups = services.signups_of(kiosk_community_or_404().id, phone)
    positions = {s.id: services.queue_position(s) for s in signups}
    return render_template("signups/mine.html", phone=phone, signups=signups,
                           positions=positions, now=utcnow())


@bp.post("/classes/mine")
@public
def find_mine():
    raw_phone = _form_text("phone", 40)
    try:
        phone = services.check_phone(raw_phone)
    except Invalid as invalid:
        return page_or_fragment("signups/mine_find.html", "signups/_find_form.html",
                                status=422, errors=invalid.errors,
                                values={"phone": normalise_phone(raw_phone)})
    browser[PHONE] = phone
    return go_to(url_for("signups.mine"))


@bp.post("/classes/mine/forget")
@public
def forget_mine():
    browser.pop(PHONE, None)
    return go_to(url_for("signups.mine"))


def _my_signup(signup_id: int) -> Signup:
    signup = services.signup_of(signup_id, browser.get(PHONE), kiosk_community_or_404().id)
    if signup is None:
        abort(404)
    return signup


@bp.get("/classes/mine/<int:signup_id>/cancel")
@public
def cancel_confirm(signup_id: int):
    signup = _my_signup(signup_id)
    if not signup.is_active:
        return redirect(url_for("signups.mine"))
    return render_template("signups/cancel_confirm.html", signup=signup,
                           position=services.queue_position(signup),
                           too_late=signup.session.starts_at <= utcnow())


@bp.post("/classes/mine/<int:signup_id>/cancel")
@public
def cancel_mine(signup_id: int):
    signup = _my_signup(signup_id)
    title, starts_at = signup.session.title, signup.session.starts_at
    try:
        services.cancel_signup(signup.id, staff=current_staff())
    except services.TooLate:
        db.session.rollback()
        return go_to(url_for("signups.mine"),
                     _("The class has started. Please tell the staff at the station."))
    db.session.commit()
    return go_to(url_for("signups.mine"),
                 _("Your sign-up for %(title)s on %(when)s is cancelled.", title=title,
                   when=format_when(starts_at)))


# ---------- the tablet in staff mode: check-in ----------


@bp.get("/classes/checkin/")
@staff_only(*ANY_STAFF)
def checkin_index():
    community = kiosk_community_or_404()
    require_community(community.id)
    now = utcnow()
    sessions = services.checkin_sessions(community.id, now)
    today = services.local_day(now)
    return render_template("signups/checkin_index.html", infos=services.describe(sessions, now),
                           todays={s.id for s in sessions
                                   if services.local_day(s.starts_at) == today},
                           attendance={s.id: services.session_attendance(s) for s in sessions})


def _checkin_context(class_session: ClassSession) -> dict:
    confirmed, waiting = services.roster(class_session)
    return {"class_session": class_session, "confirmed": confirmed, "waiting": waiting,
            "problem": services.checkin_problem(class_session),
            "here": sum(1 for s in confirmed if s.attended_at)}


@bp.get("/classes/checkin/<int:class_session_id>")
@staff_only(*ANY_STAFF)
def checkin(class_session_id: int):
    class_session = staff_record_or_404(ClassSession, class_session_id)
    return render_template("signups/checkin.html", **_checkin_context(class_session))


@bp.post("/classes/checkin/<int:class_session_id>/<int:signup_id>")
@staff_only(*ANY_STAFF)
def mark_attendance(class_session_id: int, signup_id: int):
    """Tap a name: checked in, or (tapped again) not. The form says which, so a repeated
    request leaves the same answer."""
    class_session = staff_record_or_404(ClassSession, class_session_id)
    signup = db.session.get(Signup, signup_id)
    if signup is None or signup.session_id != class_session.id:
        abort(404)
    if services.checkin_problem(class_session) or signup.status != CONFIRMED:
        return go_to(url_for("signups.checkin", class_session_id=class_session.id))
    attended = request.form.get("attended") == "1"
    services.set_attendance(signup, attended, current_staff())
    db.session.commit()
    context = _checkin_context(class_session)
    message = (_("%(name)s is checked in.", name=signup.name) if attended
               else _("%(name)s is no longer checked in.", name=signup.name))
    return page_or_fragment("signups/checkin.html", "signups/_checkin_tap.html",
                            signup=signup, message=message, **context)


@bp.route("/classes/checkin/<int:class_session_id>/walk-in", methods=["GET", "POST"])
@staff_only(*ANY_STAFF)
def add_walk_in(class_session_id: int):
    class_session = staff_record_or_404(ClassSession, class_session_id)
    if services.checkin_problem(class_session):
        return go_to(url_for("signups.checkin", class_session_id=class_session.id))
    values, errors = {}, {}
    if request.method == "POST":
        values = {"name": _form_text("name"), "phone": normalise_phone(_form_text("phone", 40))}
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


# ---------- the staff console: courses and sessions ----------


def _category_options():
    return [(key, services.CATEGORY_NAMES[key]) for key in CATEGORIES]


def _course_form_values() -> dict:
    return {name: _form_text(name, 2000 if name == "description" else 200)
            for name in services.COURSE_FIELDS}


@bp.get("/staff/classes/")
@staff_only(*ANY_STAFF)
def staff_courses():
    staff = current_staff()
    courses = services.courses_of(staff.community_ids())
    upcoming = services.describe(services.upcoming_sessions(staff.community_ids()))
    return render_template("signups/staff/courses.html", courses=courses, upcoming=upcoming,
                           categories=services.CATEGORY_NAMES, may_manage=staff.role in MANAGERS,
                           now=utcnow())


@bp.route("/staff/classes/new", methods=["GET", "POST"])
@staff_only(*MANAGERS)
def new_course():
    staff = current_staff()
    values, errors = {"capacity": 20, "category": "other"}, {}
    if request.method == "POST":
        values = _course_form_values()
        community_id = form_community_id(current_staff(), or_first=True)
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
    return page_or_fragment("signups/staff/course_form.html", "signups/staff/_course_form.html",
                            status=422 if errors else 200, course=None, values=values,
                            errors=errors, categories=_category_options(),
                            communities=communities)


@bp.get("/staff/classes/<int:course_id>")
@staff_only(*ANY_STAFF)
def course(course_id: int):
    course = staff_record_or_404(Course, course_id)
    now = utcnow()
    infos = services.describe(course.sessions, now)
    return render_template("signups/staff/course.html", course=course, infos=infos,
                           attendance=services.course_attendance(course, now),
                           session_attendance={i.session.id: services.session_attendance(
                               i.session) for i in infos if i.session.starts_at <= now},
                           categories=services.CATEGORY_NAMES,
                           may_manage=current_staff().role in MANAGERS, now=now)


@bp.route("/staff/classes/<int:course_id>/edit", methods=["GET", "POST"])
@staff_only(*MANAGERS)
def edit_course(course_id: int):
    course = staff_record_or_404(Course, course_id)
    values = {name: getattr(course, name) for name in services.COURSE_FIELDS}
    errors = {}
    if request.method == "POST":
        values = _course_form_values()
        try:
            services.update_course(course, values)
        except Invalid as invalid:
            errors = invalid.errors
            db.session.rollback()
        else:
            db.session.commit()
            return go_to(url_for("signups.course", course_id=course.id), _("Saved."))
    return page_or_fragment("signups/staff/course_form.html", "signups/staff/_course_form.html",
                            status=422 if errors else 200, course=course, values=values,
                            errors=errors, categories=_category_options(), communities=[])


@bp.route("/staff/classes/<int:course_id>/sessions/new", methods=["GET", "POST"])
@staff_only(*MANAGERS)
def add_sessions(course_id: int):
    """One session, or the same weekday and time for several weeks."""
    course = staff_record_or_404(Course, course_id)
    values = {"start": "09:00", "minutes": 90, "weeks": 8, "capacity": course.capacity}
    errors = {}
    if request.method == "POST":
        values = {name: _form_text(name, 20)
                  for name in ("day", "start", "minutes", "weeks", "capacity")}
        try:
            added = services.add_sessions(course, values)
        except Invalid as invalid:
            errors = invalid.errors
        else:
            db.session.commit()
            return go_to(url_for("signups.course", course_id=course.id),
                         ngettext("%(num)s session added.", "%(num)s sessions added.",
                                  len(added)))
    return page_or_fragment("signups/staff/sessions_form.html",
                            "signups/staff/_sessions_form.html", status=422 if errors else 200,
                            course=course, values=values, errors=errors)


@bp.route("/staff/classes/sessions/<int:class_session_id>/edit", methods=["GET", "POST"])
@staff_only(*MANAGERS)
def edit_session(class_session_id: int):
    class_session = staff_record_or_404(ClassSession, class_session_id)
    start = class_session.starts_at.astimezone(services.local_zone())
    values = {"day": start.date().isoformat(), "start": start.strftime("%H:%M"),
              "minutes": int((class_session.ends_at - class_session.starts_at)
                             .total_seconds() // 60),
              "capacity": class_session.capacity, "status": class_session.status}
    errors = {}
    if request.method == "POST":
        values = {name: _form_text(name, 20)
                  for name in ("day", "start", "minutes", "capacity", "status")}
        try:
            services.update_session(class_session.id, values)
        except Invalid as invalid:
            errors = invalid.errors
            db.session.rollback()
        else:
            db.session.commit()
            return go_to(url_for("signups.roster", class_session_id=class_session.id),
                         _("Saved."))
    return page_or_fragment("signups/staff/session_form.html",
                            "signups/staff/_session_form.html", status=422 if errors else 200,
                            class_session=class_session, values=values, errors=errors)


# ---------- the staff console: rosters, exports, cancelling ----------


def _roster_context(class_session: ClassSession) -> dict:
    confirmed, waiting = services.roster(class_session)
    return {"class_session": class_session, "confirmed": confirmed, "waiting": waiting,
            "info": services.describe([class_session])[0],
            "attendance": services.session_attendance(class_session),
            "may_manage": current_staff().role in MANAGERS, "now": utcnow()}


@bp.get("/staff/classes/sessions/<int:class_session_id>")
@staff_only(*ANY_STAFF)
def roster(class_session_id: int):
    class_session = staff_record_or_404(ClassSession, class_session_id)
    return render_template("signups/staff/roster.html", **_roster_context(class_session))


@bp.get("/staff/classes/sessions/<int:class_session_id>/print")
@staff_only(*ANY_STAFF)
def print_roster(class_session_id: int):
    """The A4 sign-in sheet: names in large type and a tick column; numbers masked."""
    class_session = staff_record_or_404(ClassSession, class_session_id)
    return render_template("signups/staff/roster_print.html", printed_at=utcnow(),
                           **_roster_context(class_session))


def _disclose(action: str, class_session: ClassSession, **details) -> None:
    """A list with whole phone numbers was produced: who, when, which session."""
    record(action, class_session, after={"session_id": class_session.id, **details})
    db.session.commit()


def _export_name(class_session: ClassSession, extension: str) -> str:
    start = class_session.starts_at.astimezone(services.local_zone())
    return _("Roster %(title)s %(date)s", title=class_session.title,
             date=start.strftime("%Y-%m-%d %H%M")) + "." + extension


@bp.get("/staff/classes/sessions/<int:class_session_id>/roster.csv")
@writes_on_get
@staff_only(*MANAGERS)
def export_roster_csv(class_session_id: int):
    class_session = staff_record_or_404(ClassSession, class_session_id)
    header, rows = services.roster_table(class_session)
    _disclose("signups.export_roster", class_session, format="csv", rows=len(rows))
    return csv_response(_export_name(class_session, "csv"), header, rows)


@bp.get("/staff/classes/sessions/<int:class_session_id>/roster.xlsx")
@writes_on_get
@staff_only(*MANAGERS)
def export_roster_xlsx(class_session_id: int):
    class_session = staff_record_or_404(ClassSession, class_session_id)
    header, rows = services.roster_table(class_session)
    _disclose("signups.export_roster", class_session, format="xlsx", rows=len(rows))
    return xlsx_response(_export_name(class_session, "xlsx"), header, rows,
                         title=class_session.title)


@bp.route("/staff/classes/sessions/<int:class_session_id>/cancel", methods=["GET", "POST"])
@staff_only(*MANAGERS)
def cancel_session(class_session_id: int):
    class_session = staff_record_or_404(ClassSession, class_session_id)
    if request.method == "POST":
        services.cancel_session(class_session.id, _form_text("reason", 200))
        db.session.commit()
        return go_to(url_for("signups.call_list", class_session_id=class_session.id),
                     _("The class is cancelled. Please call these people."))
    if class_session.status == "cancelled":
        return redirect(url_for("signups.call_list", class_session_id=class_session.id))
    confirmed, waiting = services.roster(class_session)
    return render_template("signups/staff/cancel_session.html", class_session=class_session,
                           confirmed=confirmed, waiting=waiting)


@bp.get("/staff/classes/sessions/<int:class_session_id>/call-list")
@writes_on_get
@staff_only(*MANAGERS)
def call_list(class_session_id: int):
    """After cancelling: whom to call, with whole numbers (recorded in the audit log)."""
    class_session = staff_record_or_404(ClassSession, class_session_id)
    if class_session.status != "cancelled":
        return redirect(url_for("signups.roster", class_session_id=class_session.id))
    people = services.call_list(class_session)
    _disclose("signups.call_list", class_session, people=len(people))
    return render_template("signups/staff/call_list.html", class_session=class_session,
                           people=people)


@bp.post("/staff/classes/signups/<int:signup_id>/cancel")
@staff_only(*MANAGERS)
def staff_cancel_signup(signup_id: int):
    """A resident phoned to cancel: their place goes to the first person waiting."""
    signup = staff_record_or_404(Signup, signup_id, lambda s: s.session.community_id)
    promoted = services.cancel_signup(signup.id, staff=current_staff(), allow_started=True)[1]
    db.session.commit()
    message = _("%(name)s is taken off the list.", name=signup.name)
    if promoted:
        message = _("%(name)s is taken off the list; %(next)s moves up from the waiting list.",
                    name=signup.name, next="、".join(p.name for p in promoted))
    return go_to(url_for("signups.roster", class_session_id=signup.session_id), message)
