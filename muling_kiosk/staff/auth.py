"""Who is signed in on this request, and the check behind every @staff_only route."""

from functools import wraps

from flask import abort, g, make_response, redirect, render_template, request, session, url_for
from flask_htmx import make_response as htmx_response

from ..access import Rule, rule_for, set_staff_checker
from ..audit.services import set_actor_provider
from ..extensions import db, htmx
from ..validation import parse_id
from .models import Staff
from .services import staff_for_token

SESSION_KEY = "staff_token"


def current_staff() -> Staff | None:
    """The staff member of this browser session, checked against the database once per
    request: a logged-out, expired or deactivated account is signed out here."""
    if "current_staff" not in g:
        found = staff_for_token(session.get(SESSION_KEY))
        if found is None and SESSION_KEY in session:
            session.pop(SESSION_KEY)
        g.current_staff, g.staff_via = found if found else (None, None)
    return g.current_staff


def staff_via() -> str | None:
    """"tablet" when facilitator mode was unlocked with a PIN, "console" after a password."""
    current_staff()
    return g.staff_via


def check_rule(rule: Rule):
    staff = current_staff()
    if staff is None:
        target = url_for("staff.login" if request.path.startswith("/staff") else "staff.unlock",
                         next=request.full_path.rstrip("?"))
        if htmx:
            return htmx_response("", 204, redirect=target)
        return redirect(target, 303)
    if staff.role not in rule.roles or (rule.subdistrict and not staff.is_subdistrict_admin):
        abort(403)
    return None


def password_only(view):
    """Console work a PIN session may not do (staff accounts, passwords, PINs, exports, the
    audit log, tablets): a session unlocked with a PIN gets a page asking for the password.
    Put it under @staff_only(...), which decides who is signed in at all."""

    @wraps(view)
    def checked(*args, **kwargs):
        if staff_via() != "console":
            target = url_for("staff.login", next=request.full_path.rstrip("?"))
            return make_response(render_template("staff/password_needed.html",
                                                 login_url=target), 403)
        return view(*args, **kwargs)

    return checked


def require_community(community_id: int | None) -> None:
    """Records of another community do not exist for this staff member."""
    staff = current_staff()
    if staff is None or not staff.can_access(community_id):
        abort(404)


def may_open(endpoint: str) -> bool:
    """Whether the signed-in staff member's role may open this route: pages offer only the
    links that will not answer 403."""
    rule, staff = rule_for(endpoint), current_staff()
    if rule is None:
        return False
    return rule.is_public or (staff is not None and staff.role in rule.roles and (
        not rule.subdistrict or staff.is_subdistrict_admin))


def staff_record_or_404(model, record_id: int, community_of=lambda record: record.community_id):
    """The row with this id, if the signed-in staff member's communities hold it: a missing
    row and another community's are the same 404."""
    record = db.get_or_404(model, record_id)
    require_community(community_of(record))
    return record


def form_community_id(viewer: Staff, *, or_first: bool = False) -> int | None:
    """The community a console form chose (its community_id field) if the viewer may use it;
    else the viewer's own community; else (or_first) the first of the subdistrict's, or None."""
    try:
        chosen = parse_id(request.values.get("community_id", ""))
    except ValueError:
        chosen = None
    ids = viewer.community_ids()
    if chosen in ids:
        return chosen
    if viewer.community_id is not None:
        return viewer.community_id
    return ids[0] if or_first and ids else None


def init_app(app) -> None:
    set_staff_checker(check_rule)
    set_actor_provider(current_staff)

    @app.context_processor
    def staff_context():
        return {"current_staff": current_staff, "staff_via": staff_via, "may_open": may_open}
