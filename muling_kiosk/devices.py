"""One identity for a browser without an account: a random id in one signed cookie.

Votes use it for one ballot per phone, suggestions for their per-device rate limit. It is
not strong identity (clearing cookies makes a new one), and the screens say so. A new id is
drawn by the first request that needs one and set on its response.
"""

import re
import secrets

from flask import g

from .cookies import read_signed, set_signed

COOKIE = "muling_device"
MAX_AGE = 365 * 24 * 3600
_SALT = "muling.device"
_ID = re.compile(r"[A-Za-z0-9_-]{22}")


def _read() -> tuple[str | None, bool]:
    """(this browser's id, whether it sent a cookie of that name that is not ours)."""
    return read_signed(COOKIE, _SALT, _ID.fullmatch)


def known_device() -> str | None:
    """The id this browser already had, or None: never draws a new one."""
    return _read()[0]


def sent_a_forged_cookie() -> bool:
    return _read()[1]


def device_id() -> str:
    """This browser's id; a new one (set on the way out) when it has none."""
    if "device_id" not in g:
        known = known_device()
        g.device_id = known or secrets.token_urlsafe(16)
        g.device_is_new = known is None
    return g.device_id


def _remember(response):
    if g.get("device_is_new"):
        set_signed(response, COOKIE, _SALT, g.device_id, MAX_AGE)
    return response


def forget_forged(response) -> None:
    """Drop a cookie of ours the app cannot read (another secret, or tampered with)."""
    response.delete_cookie(COOKIE)


def init_app(app) -> None:
    app.after_request(_remember)
