"""How many suggestions one device and one address may send: by default 5 in 10 minutes.

A moving window, kept in the rate-limit storage of the whole app (MULING_RATELIMIT_STORAGE_URL):
in-process memory for one process, Redis for several worker processes, which then share the
count. The device is a random id in a signed cookie (views.py); the address is the client's.
Follows RATELIMIT_ENABLED like every other limit of the app.
"""

import math
import time

from flask import current_app
from limits import RateLimitItem, parse
from limits.storage import Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

EXTENSION_KEY = "muling_suggestion_ratelimit"


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


def _limits() -> list[tuple[RateLimitItem, str]]:
    config = current_app.config
    per_device = parse(config["SUGGESTION_RATE_LIMIT"])
    per_address = parse(config.get("SUGGESTION_ADDRESS_RATE_LIMIT")
                        or config["SUGGESTION_RATE_LIMIT"])
    return [(per_device, "device"), (per_address, "address")]


def _identifiers(kind: str, device: str, address: str) -> tuple[str, ...]:
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or "muling"
    return (prefix, "suggestion", kind, device if kind == "device" else address)


def _enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


def check(device: str, address: str) -> None:
    """RateLimited if one more suggestion now would be over a limit (counts nothing)."""
    if not _enabled():
        return
    strategy = _strategy()
    for item, kind in _limits():
        ids = _identifiers(kind, device, address)
        if not strategy.test(item, *ids):
            raise RateLimited(_seconds_to_wait(strategy, item, ids))


def count(device: str, address: str) -> None:
    """Count one suggestion, or RateLimited (then nothing more is counted)."""
    if not _enabled():
        return
    strategy = _strategy()
    for item, kind in _limits():
        ids = _identifiers(kind, device, address)
        if not strategy.hit(item, *ids):
            raise RateLimited(_seconds_to_wait(strategy, item, ids))


def _seconds_to_wait(strategy, item, ids) -> int:
    reset_at = strategy.get_window_stats(item, *ids).reset_time
    return max(1, math.ceil(reset_at - time.time()))
