"""Unguessable tokens for links and codes for receipts, all drawn from one generator.

The operating system's randomness in production; the tests swap in a generator seeded by the
test's name (tests/conftest.py), so a screen that shows a link or a code looks the same in
every run and its screenshot compares with the approved one.
"""

import base64
import hashlib
import random
import secrets

generator: random.Random = secrets.SystemRandom()


def url_token(nbytes: int = 16) -> str:
    """Like secrets.token_urlsafe: nbytes random bytes as URL-safe base64 without padding."""
    return base64.urlsafe_b64encode(generator.randbytes(nbytes)).rstrip(b"=").decode("ascii")


def choose(alphabet: str, length: int) -> str:
    return "".join(generator.choice(alphabet) for _ in range(length))


def digest(token: str) -> str:
    """What the database keeps of a secret token (a session's, a station's): its SHA-256."""
    return hashlib.sha256(token.encode()).hexdigest()
