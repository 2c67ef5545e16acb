"""Rules of the kiosk shell: what an idle reset clears; whether the database answers."""

import logging
from collections.abc import Mapping

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from ..i18n import DEFAULT_LOCALE, LANG_COOKIE
from ..kiosk_state import LARGE_TEXT_COOKIE, PERSON_PREFIX, SESSION_KEYS_OF_NOBODY


def has_kiosk_state(session: Mapping, cookies: Mapping) -> bool:
    """Whether the shared tablet holds anything of the last person that a reset would clear."""
    return (
        any(key not in SESSION_KEYS_OF_NOBODY for key in session)
        or cookies.get(LANG_COOKIE, DEFAULT_LOCALE) != DEFAULT_LOCALE
        or LARGE_TEXT_COOKIE in cookies
    )


def clear_kiosk_session(session) -> None:
    """Forget everything the last person entered or unlocked."""
    for key in [key for key in session if key not in SESSION_KEYS_OF_NOBODY]:
        session.pop(key)


def forget_person(session) -> None:
    for key in [key for key in session if key.startswith(PERSON_PREFIX)]:
        session.pop(key)


def database_ready() -> bool:
    """One round trip to the database (SELECT 1); False, logged, when it fails."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        logging.getLogger(__name__).warning("readiness: the database does not answer",
                                            exc_info=True)
        db.session.rollback()
        return False
    return True
