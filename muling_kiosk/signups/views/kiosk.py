"""The kiosk, for anyone at the shared tablet: the class list (/classes/), signing up in three
screens (the card, then the name and the number, then 请确认), the success, queue and
already-signed-up screens, 我的报名 (/classes/mine) and cancelling a sign-up from there. Staff
in staff mode sign someone up through the same screens (on their behalf).

URL                                               endpoint
/classes/                                         index
/classes/<id>/                  GET / POST        join / check_details
/classes/<id>/confirm           GET / POST        confirm / confirm_signup
/classes/<id>/already                             already
/classes/done/<key>                               done
/classes/mine                   GET / POST        mine / find_mine
/classes/mine/forget                              forget_mine
/classes/mine/<signup>/cancel   GET / POST        cancel_confirm / cancel_mine

What one person typed is kept on the server (signups/person.py) under a random key in the
session, which the home screen and the idle reset forget, so the next person at the tablet sees
none of it and no cookie carries a name or a number.

A number alone shows a name or a schedule only on the community's enrolled station tablet
(where staff are at hand). On any other device the "already" screen says only that the number
is signed up, a sign-up's receipt shows a short cancel code (kept hashed with the sign-up),
and 我的报名 asks for the number and that code (and counts the tries).
"""

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ... import ratelimit
from ...access import public
from ...audit.services import client_address
from ...communities.current import kiosk_community, kiosk_community_or_choose, kiosk_record_or_404
from ...database import utcnow
from ...devices import device_id
from ...extensions import db
from ...i18n import format_when
from ...idempotency import parse_request_key
from ...pagecache import cached_page
from ...privacy import normalise_phone
from ...responses import go_to, page_or_fragment
from ...staff.auth import current_staff
from ...stations.current import current_station, is_station_tablet
from ...validation import Invalid
from .. import person, services
from ..models import ClassSession, Signup
from .common import bp, form_text

# What one person's state holds (signups/person.py).
DRAFT = "signup"  # {"session_id", "name", "phone"} between the details and 确认
PHONE = "phone"  # the number typed into 我的报名
DONE = "done"  # request keys of this person's sign-ups: their success screens
DONE_KEPT = 5  # only the last few
CODES = "codes"  # {request key: cancel code} of this phone's receipts
MINE_IDS = "mine"  # on a phone: the sign-ups number + cancel code found

bp.after_request(person.save)


def _on_tablet() -> bool:
    """Whether this device is the community's enrolled station tablet."""
    return is_station_tablet(kiosk_community())


# ---------- the class list ----------


@bp.get("/classes/")
@public
def index():
    # The same for everyone until someone types: kept for the next visitor (pagecache).
    return cached_page(_week_page)


def _week_page():
    community = kiosk_community_or_choose()
    week = services.class_week(community.id, request.args.get("week", 0, type=int))
    return page_or_fragment("signups/index.html", "signups/_week.html", **vars(week))


# ---------- sign up in three screens ----------


def _draft_for(class_session_id: int) -> dict | None:
    draft = person.get(DRAFT)
    if isinstance(draft, dict) and draft.get("session_id") == class_session_id:
        return draft
    return None


@bp.get("/classes/<int:class_session_id>/")
@public
def join(class_session_id: int):
    """Screen 2 (the card was screen 1): the name and the number, or why one cannot join."""
    class_session = kiosk_record_or_404(ClassSession, class_session_id)
    draft = _draft_for(class_session_id) or {}
    return render_template("signups/join.html", info=services.describe_one(class_session),
                           values={"name": draft.get("name", ""),
                                   "phone": draft.get("phone", "")}, errors={})


@bp.post("/classes/<int:class_session_id>/")
@public
def check_details(class_session_id: int):
    class_session = kiosk_record_or_404(ClassSession, class_session_id)
    info = services.describe_one(class_session)
    if not info.joinable:
        return go_to(url_for("signups.join", class_session_id=class_session_id))
    if (limited := _signup_limit(ratelimit.check)) is not None:
        return limited
    raw_name, raw_phone = form_text("name"), form_text("phone", 40)
    try:
        name, phone = services.check_person(raw_name, raw_phone)
    except Invalid as invalid:
        return page_or_fragment("signups/join.html", "signups/_details_form.html", status=422,
                                info=info, errors=invalid.errors,
                                values={"name": raw_name, "phone": normalise_phone(raw_phone)})
    person.set(DRAFT, {"session_id": class_session_id, "name": name, "phone": phone})
    if services.active_signup(class_session_id, phone) is not None:
        if _on_tablet():
            person.set(PHONE, phone)
        return go_to(url_for("signups.already", class_session_id=class_session_id))
    return go_to(url_for("signups.confirm", class_session_id=class_session_id))


@bp.get("/classes/<int:class_session_id>/confirm")
@public
def confirm(class_session_id: int):
    """Screen 3: 请确认报名信息 — nothing is written before 确认报名."""
    class_session = kiosk_record_or_404(ClassSession, class_session_id)
    draft = _draft_for(class_session_id)
    info = services.describe_one(class_session)
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
    code = None if _on_tablet() else services.new_cancel_code()
    try:
        result = services.sign_up(class_session.id, draft["name"], draft["phone"], key,
                                  staff=current_staff(),
                                  cancel_code_hash=services.hash_cancel_code(code) if code
                                  else None)
    except services.NotJoinable:
        db.session.rollback()
        return go_to(url_for("signups.join", class_session_id=class_session_id))
    except services.AlreadySignedUp:
        db.session.rollback()
        if _on_tablet():
            person.set(PHONE, draft["phone"])
        return go_to(url_for("signups.already", class_session_id=class_session_id))
    if not result.replayed and (limited := _signup_limit(ratelimit.count)) is not None:
        db.session.rollback()
        return limited
    db.session.commit()
    person.pop(DRAFT)
    if code and not result.replayed:
        codes = dict(list(person.get(CODES, {}).items())[-(DONE_KEPT - 1):])
        person.set(CODES, {**codes, result.signup.request_key: code})
    return _done(result.signup)


def _signup_limit(step):
    """None, or the kind page saying this device signed up too often (429). step: check
    (before any work) or count (with the sign-up). The station tablet has its own limit."""
    station = current_station()
    try:
        if _on_tablet():
            step("station_signup", f"station-{station.id}" if station else device_id(), "")
        else:
            step("signup", device_id(), client_address())
    except ratelimit.RateLimited as limited:
        return render_template("signups/limited.html", minutes=limited.minutes), 429
    return None


def _done(signup: Signup):
    # The success screen shows only in the browser that signed up: it keeps the keys.
    keys = [k for k in person.get(DONE, []) if k != signup.request_key][-(DONE_KEPT - 1):]
    person.set(DONE, [*keys, signup.request_key])
    return go_to(url_for("signups.done", request_key=signup.request_key))


@bp.get("/classes/done/<request_key>")
@public
def done(request_key: str):
    """The success screen: only in the browser that signed up, until home or the reset."""
    if request_key not in person.get(DONE, []):
        return redirect(url_for("signups.index"))
    signup = services.find_signup_in(request_key, kiosk_community_or_choose().id)
    if signup is None:
        abort(404)
    return render_template("signups/done.html", signup=signup,
                           info=services.describe_one(signup.session),
                           position=services.queue_position(signup),
                           cancel_code=person.get(CODES, {}).get(request_key))


@bp.get("/classes/<int:class_session_id>/already")
@public
def already(class_session_id: int):
    """The number holds a place or a queue place here already: say so, show it."""
    class_session = kiosk_record_or_404(ClassSession, class_session_id)
    draft = _draft_for(class_session_id)
    signup = services.active_signup(class_session_id, draft["phone"]) if draft else None
    if signup is None:
        return redirect(url_for("signups.join", class_session_id=class_session_id))
    if not _on_tablet():  # no name, no schedule from a number
        return render_template("signups/already.html", signup=None,
                               info=services.describe_one(class_session), position=None)
    return render_template("signups/already.html", signup=signup,
                           info=services.describe_one(class_session),
                           position=services.queue_position(signup))


# ---------- 我的报名 ----------


def _found_signups(phone: str) -> list[Signup]:
    """我的报名: the number's sign-ups at the tablet; on a phone those its code found."""
    signups = services.signups_of(kiosk_community_or_choose().id, phone)
    if _on_tablet():
        return signups
    found = set(person.get(MINE_IDS, []))
    return [s for s in signups if s.id in found]


@bp.get("/classes/mine")
@public
def mine():
    kiosk_community_or_choose()  # whose sign-ups: a device without a community chooses first
    phone = person.get(PHONE)
    if not phone or not (_on_tablet() or person.get(MINE_IDS)):
        return render_template("signups/mine_find.html", values={}, errors={},
                               with_code=not _on_tablet())
    signups = _found_signups(phone)
    return render_template("signups/mine.html", phone=phone, signups=signups,
                           positions=services.queue_positions(signups), now=utcnow())


@bp.post("/classes/mine")
@public
def find_mine():
    raw_phone = form_text("phone", 40)
    on_tablet = _on_tablet()

    def again(errors, status=422):
        return page_or_fragment("signups/mine_find.html", "signups/_find_form.html",
                                status=status, errors=errors, with_code=not on_tablet,
                                values={"phone": normalise_phone(raw_phone)})

    try:
        phone = services.check_phone(raw_phone)
    except Invalid as invalid:
        return again(invalid.errors)
    if not on_tablet:  # a number alone shows nothing on a phone: the receipt's code too
        try:
            ratelimit.count("signup_lookup", device_id(), client_address())
        except ratelimit.RateLimited as limited:
            return again({"code": _("试的次数太多了。请 %(minutes)s 分钟后再试。",
                                    minutes=limited.minutes)}, 429)
        code = "".join(ch for ch in form_text("code", 20) if ch.isdigit())
        found = [s.id for s in services.signups_of(kiosk_community_or_choose().id, phone)
                 if services.cancel_code_matches(s, code)]
        if not found:
            return again({"code": _("号码或取消码不对。取消码在报名成功的那一页上。")})
        person.set(MINE_IDS, found)
    person.set(PHONE, phone)
    return go_to(url_for("signups.mine"))


@bp.post("/classes/mine/forget")
@public
def forget_mine():
    person.pop(PHONE)
    person.pop(MINE_IDS)
    return go_to(url_for("signups.mine"))


def _my_signup(signup_id: int) -> Signup:
    # Another number's sign-up (a guessed id) is the same 404 as none at all; on a phone, so
    # is one its cancel code did not find.
    signup = services.signup_of(signup_id, person.get(PHONE), kiosk_community_or_choose().id)
    if signup is None or not (_on_tablet() or signup_id in person.get(MINE_IDS, [])):
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
                           too_late=services.too_late_to_cancel(signup))


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

