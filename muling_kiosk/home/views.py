"""The kiosk home screen, the idle reset and the language switch."""

import os

from flask import Blueprint, Response, current_app, render_template, request, session, url_for

from ..access import public
from ..communities.current import (
    community_is_changeable,
    kiosk_community,
    kiosk_community_or_choose,
)
from ..database import utcnow
from ..extensions import db
from ..i18n import DEFAULT_LOCALE, LANG_COOKIE, LOCALES
from ..kiosk_state import LARGE_TEXT_COOKIE
from ..pagecache import cached_page
from ..responses import go_to, safe_next
from ..signups import person as signup_person
from ..staff.auth import SESSION_KEY
from ..staff.services import end_session
from .services import clear_kiosk_session, database_ready, forget_person, has_kiosk_state

bp = Blueprint("home", __name__)

ONE_YEAR = 365 * 24 * 3600


@bp.get("/")
@public
def index():
    if signup_person.forget():  # what the last person typed goes from the server too
        db.session.commit()
    forget_person(session)
    return cached_page(lambda: render_template(
        "home/index.html",
        community=kiosk_community_or_choose(),
        change_community=community_is_changeable(),
        idle_enabled=has_kiosk_state(session, request.cookies),
        today=utcnow(),
    ))


@bp.post("/reset")
@public
def reset():
    """The idle reset: the next person finds the home screen, in Chinese, with nothing left,
    and staff mode is over."""
    end_session(session.get(SESSION_KEY), reason="staff.lock_idle")
    signup_person.forget()  # the name and number typed go from the server too
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


@bp.get("/privacy")
@public
def privacy():
    """The notice (PIPL Art. 17): who keeps what, what for, how long, who sees it, and how to
    ask for a copy or erasure. Forms that take a name or a number link here."""
    config = current_app.config
    return render_template(
        "home/privacy.html", community=kiosk_community(), back=safe_next(url_for("home.index")),
        signup_months=_months(config.get("RETAIN_SIGNUP_DAYS", 183)),
        contact_months=_months(config.get("RETAIN_SUGGESTION_CONTACT_DAYS", 183)),
        address_months=_months(config.get("RETAIN_AUDIT_ADDRESS_DAYS", 183)),
        # scripts/backup.sh keeps MULING_BACKUP_KEEP nightly backups (the same environment)
        backup_days=int(os.environ.get("MULING_BACKUP_KEEP", "14") or 14))


def _months(days: int) -> int:
    return max(1, round(days / 30.4))


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

