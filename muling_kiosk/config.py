"""Configuration defaults (no secrets) and the loader: code → instance/config.py → environment."""

import os
import secrets
from pathlib import Path
from typing import ClassVar

# Environment variables that override the defaults, and how to read them.
ENV_SETTINGS = {
    "DATABASE_URL": ("SQLALCHEMY_DATABASE_URI", str),
    "MULING_SECRET_KEY": ("SECRET_KEY", str),
    "MULING_PUBLIC_BASE_URL": ("PUBLIC_BASE_URL", str),
    "MULING_IDLE_SECONDS": ("IDLE_SECONDS", int),
    "MULING_IDLE_WARNING_SECONDS": ("IDLE_WARNING_SECONDS", int),
    "MULING_STAFF_IDLE_SECONDS": ("STAFF_IDLE_SECONDS", int),
    "MULING_COMMUNITY": ("COMMUNITY", str),
    "MULING_TIMEZONE": ("TIMEZONE", str),
    "MULING_RATELIMIT_STORAGE_URL": ("RATELIMIT_STORAGE_URI", str),
    "MULING_SESSION_COOKIE_SECURE": ("SESSION_COOKIE_SECURE", lambda v: v == "1"),
    "MULING_PROXY_COUNT": ("PROXY_COUNT", int),
    "MULING_QUERY_COUNT_HEADER": ("QUERY_COUNT_HEADER", lambda v: v == "1"),
    "MULING_PAGE_CACHE_SECONDS": ("PAGE_CACHE_SECONDS", float),
    "MULING_DEMO": ("DEMO", lambda v: v == "1"),
    "MULING_SIGNUP_RATE_LIMIT": ("SIGNUP_RATE_LIMIT", str),
    "MULING_SIGNUP_ADDRESS_RATE_LIMIT": ("SIGNUP_ADDRESS_RATE_LIMIT", str),
    "MULING_STATION_SIGNUP_RATE_LIMIT": ("STATION_SIGNUP_RATE_LIMIT", str),
    "MULING_SIGNUP_LOOKUP_RATE_LIMIT": ("SIGNUP_LOOKUP_RATE_LIMIT", str),
    "MULING_SIGNUP_LOOKUP_ADDRESS_RATE_LIMIT": ("SIGNUP_LOOKUP_ADDRESS_RATE_LIMIT", str),
    "MULING_SUGGESTION_RATE_LIMIT": ("SUGGESTION_RATE_LIMIT", str),
    "MULING_SUGGESTION_ADDRESS_RATE_LIMIT": ("SUGGESTION_ADDRESS_RATE_LIMIT", str),
    "MULING_DRAFT_RATE_LIMIT": ("DRAFT_RATE_LIMIT", str),
    "MULING_DRAFT_ADDRESS_RATE_LIMIT": ("DRAFT_ADDRESS_RATE_LIMIT", str),
    "MULING_UPLOAD_MB_RATE_LIMIT": ("UPLOAD_MB_RATE_LIMIT", str),
    "MULING_UPLOAD_MB_ADDRESS_RATE_LIMIT": ("UPLOAD_MB_ADDRESS_RATE_LIMIT", str),
    "MULING_TV_STREAMS_PER_MEETING": ("TV_STREAMS_PER_MEETING", int),
    "MULING_TV_STREAMS_PER_ADDRESS": ("TV_STREAMS_PER_ADDRESS", int),
    "MULING_RETAIN_SIGNUP_DAYS": ("RETAIN_SIGNUP_DAYS", int),
    "MULING_RETAIN_SUGGESTION_CONTACT_DAYS": ("RETAIN_SUGGESTION_CONTACT_DAYS", int),
    "MULING_RETAIN_AUDIT_ADDRESS_DAYS": ("RETAIN_AUDIT_ADDRESS_DAYS", int),
}


class Defaults:
    # The community (slug) a device that is no station tablet sees until it chooses one
    # (communities/current.py), and in demo mode every browser's. Unset in production: each
    # tablet shows its own station's community. In demo mode it defaults to DEMO_COMMUNITY.
    COMMUNITY = None
    TIMEZONE = "Asia/Shanghai"
    PUBLIC_BASE_URL = "http://127.0.0.1:5000"

    # Idle reset on the shared tablet (ACCESSIBILITY.md row 10).
    IDLE_SECONDS = 90
    IDLE_WARNING_SECONDS = 30
    # Staff mode on the tablet ends on the idle reset too, but after a longer quiet spell:
    # a facilitator may listen to the neighbours for minutes before tapping again.
    STAFF_IDLE_SECONDS = 600
    # Success screens go home only after this long without a touch (row 11).
    SUCCESS_RETURN_SECONDS = 20

    BABEL_DEFAULT_LOCALE = "zh_Hans"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"

    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict] = {"pool_pre_ping": True}
    SQLITE_BUSY_TIMEOUT_MS = 5000

    # Three photos of 10 MB each and the text fit; anything larger is refused with 413.
    MAX_CONTENT_LENGTH = 32 * 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 2 * 1024 * 1024

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False  # and Secure anyway on https requests (security.py)
    PROXY_COUNT = 0  # reverse proxies in front whose X-Forwarded-* headers we trust
    QUERY_COUNT_HEADER = False  # benchmarks: X-Query-Count on every response
    # Public pages that belong to nobody are kept this long at most (pagecache.py); 0: never.
    PAGE_CACHE_SECONDS = 5.0
    # Kiosk pages can stay open for a whole meeting: the token lives as long as the session.
    WTF_CSRF_TIME_LIMIT = None
    WTF_CSRF_SSL_STRICT = False

    # Static URLs carry a content hash (static_url), so they can be cached for long.
    SEND_FILE_MAX_AGE_DEFAULT = 365 * 24 * 3600
    COMPRESS_MIMETYPES: ClassVar[list] = [
        "text/html", "text/css", "text/javascript", "application/javascript",
        "application/json", "image/svg+xml", "text/csv",
    ]
    COMPRESS_STREAMS = False

    # werkzeug hash methods; PINs are checked against several accounts, so a lighter scrypt
    # (the lock-out after five wrong PINs is what protects six digits).
    STAFF_PASSWORD_HASH = "scrypt"  # noqa: S105 (a method name, not a password)
    STAFF_PIN_HASH = "scrypt:16384:8:1"

    # Demo mode (scripts/serve.sh sets MULING_DEMO=1): every browser is the default
    # community's station tablet, and the page bar says 演示. Never in production.
    DEMO = False
    DEMO_COMMUNITY = "shengli"  # a community of the demo's seed (communities/services.py)

    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_KEY_PREFIX = "muling"
    # Suggestions one device may send (limits notation); the address limit defaults to the
    # same. Phones on one Wi-Fi share an address: raise the address limit where they do.
    SUGGESTION_RATE_LIMIT = "5 per 10 minutes"
    SUGGESTION_ADDRESS_RATE_LIMIT = ""
    # Saving a suggestion's form (a draft, each screen of the tablet's form counts), and the
    # megabytes of photos a phone may send: a script sent 147 MB of photos in 12 s. The
    # address limits are higher: every phone in the pavilion shares the station Wi-Fi's.
    DRAFT_RATE_LIMIT = "60 per 10 minutes"
    DRAFT_ADDRESS_RATE_LIMIT = "300 per 10 minutes"
    UPLOAD_MB_RATE_LIMIT = "100 per 10 minutes"
    UPLOAD_MB_ADDRESS_RATE_LIMIT = "400 per 10 minutes"
    # Sign-ups from a device that is not the station tablet: per device and per address (the
    # phones of one Wi-Fi share it). The enrolled tablet signs up a queue of residents: its
    # own, generous limit per station.
    SIGNUP_RATE_LIMIT = "5 per hour"
    SIGNUP_ADDRESS_RATE_LIMIT = "20 per hour"
    STATION_SIGNUP_RATE_LIMIT = "300 per hour"
    # 我的报名 on a phone (number and cancel code): tries per device and per address.
    SIGNUP_LOOKUP_RATE_LIMIT = "10 per hour"
    SIGNUP_LOOKUP_ADDRESS_RATE_LIMIT = "60 per hour"
    # Open TV event streams (each holds a server thread), per meeting and per client address,
    # counted in each server process (votes/live.py); 0: no cap. A display beyond a cap asks
    # again every few seconds instead.
    TV_STREAMS_PER_MEETING = 20
    TV_STREAMS_PER_ADDRESS = 4

    # How long personal data is kept (PIPL Art. 19; `flask purge` anonymises what is older,
    # keeping the rows so counts, attendance and states stay): sign-up names and numbers
    # after the class session ended, suggestion contacts after the suggestion was closed or
    # rated, client addresses in the audit log after the event.
    RETAIN_SIGNUP_DAYS = 183
    RETAIN_SUGGESTION_CONTACT_DAYS = 183
    RETAIN_AUDIT_ADDRESS_DAYS = 183


def load_config(app, test_config: dict | None) -> None:
    """Apply defaults, then instance/config.py (skipped under tests), then the environment."""
    app.config.from_object(Defaults)
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + str(
        Path(app.instance_path) / "muling.sqlite3"
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        for env_name, (key, parse) in ENV_SETTINGS.items():
            if os.environ.get(env_name):
                app.config[key] = parse(os.environ[env_name])
    else:
        app.config.update(test_config)
    if app.config.get("DEMO") and not app.config.get("COMMUNITY"):
        app.config["COMMUNITY"] = app.config["DEMO_COMMUNITY"]
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path))
    app.config["BABEL_DEFAULT_TIMEZONE"] = app.config["TIMEZONE"]


def _instance_secret(instance: Path) -> str:
    """The secret generated on first start and kept in instance/ (mode 600)."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_hex(32)
    # Write a private temporary file, then link it into place: the link either wins whole or
    # fails because another worker process was first, so nobody ever reads a half-written key.
    tmp = instance / f".secret_key.{os.getpid()}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secret)
    try:
        os.link(tmp, path)
    except FileExistsError:
        secret = path.read_text().strip()
    finally:
        tmp.unlink()
    return secret
