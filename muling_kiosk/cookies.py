"""Long-lived signed cookies that hold a random id or token and nothing personal: the device's
id (devices.py) and its station's token (stations/current.py). Signed with the app's secret, so
a value we did not set is ignored; httponly, SameSite=Lax, Secure on https."""

from collections.abc import Callable

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeSerializer


def _serializer(salt: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=salt)


def read_signed(name: str, salt: str,
                valid: Callable[[str], bool] = bool) -> tuple[str | None, bool]:
    """(the value of ours this browser sent, whether it sent a cookie of that name that is not
    ours)."""
    values = request.cookies.getlist(name)
    for raw in values:  # a stale copy on another path may come first
        try:
            value = _serializer(salt).loads(raw)
        except BadSignature:
            continue
        if isinstance(value, str) and valid(value):
            return value, False
    return None, bool(values)


def set_signed(response, name: str, salt: str, value: str, max_age: int):
    response.set_cookie(name, _serializer(salt).dumps(value), max_age=max_age, httponly=True,
                        samesite="Lax",
                        secure=request.is_secure or current_app.config["SESSION_COOKIE_SECURE"])
    return response
