"""One person's sign-up state on one device, kept on the server (PIPL: no personal data in
cookies). Flask's session cookie is signed, not encrypted: whoever holds the tablet's cookie
could read a name and number kept in it. So the session holds only a random key (under
PERSON_PREFIX, so 返回首页 and the idle reset forget it) and the values live in a PersonDraft
row under the key's hash, read once per request and written after it when changed.

    person.get(name, default), person.set(name, value), person.pop(name)
"""

from datetime import timedelta

from flask import g, request, session
from sqlalchemy import delete

from ..database import lock_before_next_write, utcnow
from ..extensions import db
from ..kiosk_state import PERSON_PREFIX
from ..tokens import digest, url_token
from .models import PersonDraft

KEY = PERSON_PREFIX + "key"
# A person at the tablet is done within minutes; a phone keeps its receipts for the day.
KEPT = timedelta(hours=12)


def _state() -> dict:
    if "person_state" not in g:
        row = _row(session.get(KEY))
        fresh = row is not None and row.updated_at > utcnow() - KEPT
        g.person_state = dict(row.data) if fresh else {}
        g.person_changed = False
    return g.person_state


def _row(key: str | None) -> PersonDraft | None:
    return db.session.get(PersonDraft, digest(key)) if isinstance(key, str) and key else None


def get(name: str, default=None):
    return _state().get(name, default)


def set(name: str, value) -> None:
    _state()[name] = value
    g.person_changed = True


def pop(name: str) -> None:
    if _state().pop(name, None) is not None:
        g.person_changed = True


def save(response):
    """After the request: write what changed (its own small transaction; the view's own
    work is committed or rolled back by then). Nothing left: the row and the key go."""
    if not g.get("person_changed"):
        return response
    g.person_changed = False
    _begin_write()
    key, state = session.get(KEY), g.person_state
    if state:
        if not isinstance(key, str) or not key:
            key = session[KEY] = url_token()
        row = _row(key) or PersonDraft(key_hash=digest(key))
        row.data, row.updated_at = dict(state), utcnow()
        db.session.add(row)
        if row in db.session.new:  # a new person: clear away the ones long gone
            db.session.execute(delete(PersonDraft).where(
                PersonDraft.updated_at < utcnow() - KEPT))
    else:
        forget()
    db.session.commit()
    return response


def forget() -> bool:
    """The person is done (home, the idle reset): their row goes with their key. Whether
    there was one to delete (the caller commits)."""
    g.pop("person_state", None)
    key = session.pop(KEY, None)
    if not isinstance(key, str) or not key:
        return False
    _begin_write()
    if (row := _row(key)) is None:
        return False
    db.session.delete(row)
    return True


def _begin_write() -> None:
    """Our write follows the view's own work, or comes on a GET: end what is open (reads, or
    work the view committed) and begin again holding the write lock (database.py)."""
    if g.get("muling_committed") or not db.session().in_transaction() or \
            request.method in ("GET", "HEAD"):
        db.session.rollback()
        lock_before_next_write()
