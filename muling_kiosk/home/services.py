"""Rules of the kiosk shell: what an idle reset clears."""

from collections.abc import Mapping

from ..i18n import DEFAULT_LOCALE, LANG_COOKIE

LARGE_TEXT_COOKIE = "large_text"
# Session keys holding one resident's data on the shared tablet (a number typed into
# 我的报名, a draft). The home screen forgets them, so "返回首页" hands the tablet over clean.
PERSON_PREFIX = "person_"
# Kept across a reset: the CSRF secret belongs to the browser, not to the person.
SESSION_KEYS_KEPT = {"csrf_token"}


def has_kiosk_state(session: Mapping, cookies: Mapping) -> bool:
    """Whether the shared tablet holds anything of the last person that a reset would clear."""
    return (
        any(key not in SESSION_KEYS_KEPT for key in session)
        or cookies.get(LANG_COOKIE, DEFAULT_LOCALE) != DEFAULT_LOCALE
        or LARGE_TEXT_COOKIE in cookies
    )


def clear_kiosk_session(session) -> None:
    """Forget everything the last person entered or unlocked."""
    for key in [key for key in session if key not in SESSION_KEYS_KEPT]:
        session.pop(key)


def forget_person(session) -> None:
    for key in [key for key in session if key.startswith(PERSON_PREFIX)]:
        session.pop(key)
