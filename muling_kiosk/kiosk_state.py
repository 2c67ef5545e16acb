"""What a browser keeps between requests that belongs to no one in particular, and what of
it belongs to the person at the tablet: the shell (home), the page cache and the features
agree on it here."""

from flask import request

# The 大字 switch (a cookie, so the first paint is already large).
LARGE_TEXT_COOKIE = "large_text"
# Session keys of the browser, not of the person: its CSRF secret. A session holding nothing
# else belongs to nobody (the page cache may share its pages; a reset keeps it).
SESSION_KEYS_OF_NOBODY = frozenset({"csrf_token"})
# Session keys holding one resident's data on the shared tablet (a number typed into
# 我的报名, a draft). The home screen forgets them, so "返回首页" hands the tablet over clean.
PERSON_PREFIX = "person_"


def large_text() -> bool:
    return LARGE_TEXT_COOKIE in request.cookies
