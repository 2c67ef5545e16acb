"""Error pages in the kiosk's big style, in both languages, each with a way back.

A plain request gets a whole page; an htmx request gets a fragment shown in the page's alert
area, so whatever the person entered stays on the screen.
"""

import sqlite3

from flask import current_app, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError

from .extensions import db
from .responses import fragment, wants_fragment

MESSAGES = {
    400: (_l("Something in the request was not right"),
          _l("Please go back and try again.")),
    403: (_l("This page is not open to you"),
          _l("Please go back. Staff can unlock it with their PIN.")),
    404: (_l("We could not find this page"),
          _l("It may have moved or ended. Please go back to the home screen.")),
    405: (_l("That action is not possible here"),
          _l("Please go back and use the buttons on the screen.")),
    413: (_l("What you sent is too large"),
          _l("Photos can be at most 10 MB each. Please choose smaller photos.")),
    "413-text": (_l("What you sent is too large"),
                 _l("A text in it is far too long. Please go back, shorten it and send it "
                    "again.")),
    429: (_l("Too many tries in a short time"),
          _l("Please wait a few minutes and try again.")),
    500: (_l("Something went wrong on our side"),
          _l("Nothing you confirmed was lost. Please try again in a moment.")),
    503: (_l("The system is busy"),
          _l("Please try again in a moment.")),
    "csrf": (_l("This page has expired"),
             _l("The page has expired, please go back and try again.")),
}


def render_error(code: int, key=None, detail: str | None = None):
    title, advice = MESSAGES[key or code]
    context = {"code": code, "title": title, "advice": detail or advice}
    if wants_fragment():
        return fragment("errors/_message.html", code, retarget="#alerts", reswap="innerHTML",
                        **context)
    return render_template("errors/page.html", layout_template=layout_for(request.path),
                           **context), code


def layout_for(path: str) -> str:
    """Phone pages live under /m/, the staff console under /staff/, the rest is the kiosk."""
    if path.startswith("/m/"):
        return "layouts/phone.html"
    if path.startswith("/staff"):
        return "layouts/console.html"
    return "layouts/kiosk.html"


def too_large_key() -> str | None:
    """Which 413 message fits: photos only when the request could carry them and was larger
    than the whole request may be; a form field larger than MAX_FORM_MEMORY_SIZE, or a
    form without files, is a text that is too long."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if (request.mimetype == "multipart/form-data" and limit is not None
            and (request.content_length is None or request.content_length > limit)):
        return None
    return "413-text"


def _http_error(error: HTTPException):
    code = error.code if error.code in MESSAGES else 500
    if code == 500:
        return _server_error(error)
    return render_error(code, too_large_key() if code == 413 else None)


def _csrf_error(_error: CSRFError):
    return render_error(400, "csrf")


# PostgreSQL: lock_not_available (lock_timeout), query_canceled (statement_timeout),
# deadlock_detected, serialization_failure. All mean "busy, the same request may work again".
BUSY_SQLSTATES = {"55P03", "57014", "40P01", "40001"}


def _causes(error):
    """The error, what it wraps (SQLAlchemy's .orig) and what it was raised from, once each."""
    seen = set()
    pending = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        pending += [getattr(current, "orig", None), current.__cause__, current.__context__,
                    getattr(current, "original_exception", None)]


def is_busy(error) -> bool:
    """A lock or pool wait that ran out, however it reaches us: SQLAlchemy's OperationalError,
    a raw sqlite3.OperationalError (raised in a connection event, or at commit), psycopg's
    lock timeouts, or any of them wrapped in another exception."""
    for cause in _causes(error):
        if isinstance(cause, PoolTimeout):
            return True
        if isinstance(cause, sqlite3.OperationalError | OperationalError):
            text = str(getattr(cause, "orig", cause)).lower()
            if "locked" in text or "busy" in text:
                return True
        if getattr(cause, "sqlstate", None) in BUSY_SQLSTATES:
            return True
    return False


def _database_error(error: Exception):
    """Locked longer than the busy timeout: ask to try again; anything else is a 500."""
    db.session.rollback()
    if is_busy(error):
        current_app.logger.warning("database busy: %s", error)
        return render_error(503)
    current_app.logger.exception("database error", exc_info=error)
    return render_error(500)


def _data_error(_error: DataError):
    """A value the database refuses (out of range, a NUL byte): bad input, not a crash.
    Services check what people send; this is the net under them."""
    db.session.rollback()
    current_app.logger.warning("database refused a value: %s", _error.orig)
    return render_error(400)


def _server_error(error):
    original = getattr(error, "original_exception", None)
    if original is not None and is_busy(original):
        return _database_error(original)
    if isinstance(original, DataError):
        return _data_error(original)
    db.session.rollback()
    return render_error(500)


def register_error_handlers(app) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(OperationalError, _database_error)
    app.register_error_handler(sqlite3.OperationalError, _database_error)
    app.register_error_handler(PoolTimeout, _database_error)
    app.register_error_handler(DataError, _data_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(InternalServerError, _server_error)
