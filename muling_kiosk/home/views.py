"""The kiosk home screen, the idle reset and the language switch."""

from flask import Blueprint, Response, render_template, request, session, url_for

from ..access import public
from ..communities.current import kiosk_community
from ..database import utcnow
from ..extensions import db
from ..i18n import DEFAULT_LOCALE, LANG_COOKIE, LOCALES
from ..kiosk_state import LARGE_TEXT_COOKIE
from ..pagecache import cached_page
from ..responses import go_to, safe_next
from ..staff.auth import SESSION_KEY
from ..staff.services import end_session
from .services import clear_kiosk_session, database_ready, forget_person, has_kiosk_state

bp = Blueprint("home", __name__)

ONE_YEAR = 365 * 24 * 3600


@bp.get("/")
@public
def index():
    forget_person(session)
    return cached_page(lambda: render_template(
        "home/index.html",
        community=kiosk_community(),
        idle_enabled=has_kiosk_state(session, request.cookies),
        today=utcnow(),
    ))


@bp.post("/reset")
@public
def reset():
    """The idle reset: the next person finds the home screen, in Chinese, with nothing left,
    and staff mode is over."""
    end_session(session.get(SESSION_KEY), reason="staff.lock_idle")
    db.session.commit()
    clear_kiosk_session(session)
    response = go_to(url_for("home.index"))
    response.set_cookie(LANG_COOKIE, DEFAULT_LOCALE, max_age=ONE_YEAR, samesite="Lax")
    response.delete_cookie(LARGE_TEXT_COOKIE)
    return response


@bp.post("/language")
@public
def set_language():
    chosen = request.form.get("lang", "")
    response = go_to(safe_next(url_for("home.index")))
    if chosen in LOCALES:
        response.set_cookie(LANG_COOKIE, chosen, max_age=ONE_YEAR, samesite="Lax")
    return response


@bp.get("/healthz")
@public
def health():
    """Liveness: the process answers (never touches the database, so a database outage does
    not make a supervisor restart healthy workers)."""
    return {"status": "ok"}


@bp.get("/readyz")
@public
def ready():
    """Readiness: the database answers too (nginx, a load balancer or a monitor asks)."""
    if database_ready():
        return Response("ok\n", mimetype="text/plain", headers={"Cache-Control": "no-store"})
    return Response("database unavailable\n", status=503, mimetype="text/plain",
                    headers={"Cache-Control": "no-store", "Retry-After": "5"})

