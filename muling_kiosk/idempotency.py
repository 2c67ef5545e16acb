"""One-off request keys: a form carries one, so a double tap or a resend counts once.

A form rendered with post_form(..., request_key=True) carries a fresh random key. The record a
write creates stores it in a unique `request_key` column; the service first looks for a record
with that key and answers with it if found. Two identical requests racing past that look-up
are stopped by the unique constraint: catch the IntegrityError, roll back, and look again.
"""

import re
import secrets

from sqlalchemy import select

from .extensions import db

_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")


def new_request_key() -> str:
    return secrets.token_urlsafe(16)


def parse_request_key(value: str | None) -> str | None:
    """The key if it is well formed, else None (the write then simply is not replay-safe)."""
    if value and _KEY.fullmatch(value):
        return value
    return None


def find_by_request_key(model, key: str | None):
    if key is None:
        return None
    return db.session.scalar(select(model).where(model.request_key == key))
