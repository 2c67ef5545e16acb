"""How many of a public write one device and one address may make: e.g. suggestions, by
default 5 in 10 minutes (MULING_SUGGESTION_RATE_LIMIT).

A moving window (the `limits` library), kept in the rate-limit storage of the whole app
(MULING_RATELIMIT_STORAGE_URL): in-process memory for one process, Redis for several worker
processes, which then share the count. The device is the browser's id (devices.py); the
address is the client's. RATELIMIT_ENABLED = False turns every limit off (the tests do).

A write checks first (`check`, to answer kindly before any work) and counts when it is done
(`count`, in the same step that commits it), so a refused or failed attempt costs nothing.
"""

import math
import time

from flask import current_app
from limits import RateLimitItem, parse
from limits.storage import Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

EXTENSION_KEY = "muling_ratelimit"
# What may be limited: the config keys of its per-device and per-address limits (the address
# limit defaults to the device's; phones on one Wi-Fi share an address: raise it there).
# None: the kind has no address limit (a station tablet shares the Wi-Fi's address with the
# phones around it; its own limit is per station).
KINDS = {"suggestion": ("SUGGESTION_RATE_LIMIT", "SUGGESTION_ADDRESS_RATE_LIMIT"),
         "draft": ("DRAFT_RATE_LIMIT", "DRAFT_ADDRESS_RATE_LIMIT"),
         # counted in megabytes begun (cost), so the moving window keeps few entries
         "upload_mb": ("UPLOAD_MB_RATE_LIMIT", "UPLOAD_MB_ADDRESS_RATE_LIMIT"),
         "signup": ("SIGNUP_RATE_LIMIT", "SIGNUP_ADDRESS_RATE_LIMIT"),
         "station_signup": ("STATION_SIGNUP_RATE_LIMIT", None),
         "signup_lookup": ("SIGNUP_LOOKUP_RATE_LIMIT", "SIGNUP_LOOKUP_ADDRESS_RATE_LIMIT")}


class RateLimited(Exception):
    def __init__(self, seconds: int):
        super().__init__(seconds)
        self.seconds = seconds

    @property
    def minutes(self) -> int:
        return max(1, math.ceil(self.seconds / 60))


def _strategy() -> MovingWindowRateLimiter:
    """One storage per app (a connection pool for Redis), made on first use."""
    app = current_app._get_current_object()
    strategy = app.extensions.get(EXTENSION_KEY)
    if strategy is None:
        storage: Storage = storage_from_string(app.config["RATELIMIT_STORAGE_URI"])
        strategy = app.extensions.setdefault(EXTENSION_KEY, MovingWindowRateLimiter(storage))
    return strategy


def _limits(kind: str) -> list[tuple[RateLimitItem, str]]:
    config = current_app.config
    device_key, address_key = KINDS[kind]
    per_device = parse(config[device_key])
    if address_key is None:
        return [(per_device, "device")]
    per_address = parse(config.get(address_key) or config[device_key])
    return [(per_device, "device"), (per_address, "address")]


def _identifiers(kind: str, by: str, device: str, address: str) -> tuple[str, ...]:
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or "muling"
    return (prefix, kind, by, device if by == "device" else address)


def _enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


def check(kind: str, device: str, address: str, cost: int = 1) -> None:
    """RateLimited if `cost` more of `kind` now would be over a limit (counts nothing)."""
    if not _enabled():
        return
    strategy = _strategy()
    for item, by in _limits(kind):
        ids = _identifiers(kind, by, device, address)
        if not strategy.test(item, *ids, cost=cost):
            raise RateLimited(_seconds_to_wait(strategy, item, ids))


def count(kind: str, device: str, address: str, cost: int = 1) -> None:
    """Count `cost` of `kind`, or RateLimited (then nothing more is counted)."""
    if not _enabled():
        return
    strategy = _strategy()
    for item, by in _limits(kind):
        ids = _identifiers(kind, by, device, address)
        if not strategy.hit(item, *ids, cost=cost):
            raise RateLimited(_seconds_to_wait(strategy, item, ids))


def _seconds_to_wait(strategy, item, ids) -> int:
    reset_at = strategy.get_window_stats(item, *ids).reset_time
    return max(1, math.ceil(reset_at - time.time()))
