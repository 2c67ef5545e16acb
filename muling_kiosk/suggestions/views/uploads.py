"""Photos a phone sends with its suggestion form, taken before the request touches the database.

Decoding a photo takes time (seconds for a big one). On SQLite a POST's first transaction
begins with BEGIN IMMEDIATE and holds the write lock until it ends, so the form's view calls
`take` before anything else: the photos are counted (drafts and megabytes, per device and per
address: ratelimit kinds "draft" and "upload_mb") and decoded while no transaction is open,
and the draft's transaction only stores the small JPEGs made of them.
"""

import math
from dataclasses import dataclass, field

from flask import request
from flask_babel import gettext as _

from ... import devices, ratelimit
from ...audit.services import client_address
from .. import photos as photo_rules
from .. import services as rules

MEGABYTE = 1024 * 1024


@dataclass
class Taken:
    """What a phone's form brought: the photos made ready for the draft (Photo,
    PhotoRejected or LEFT_OUT each), or the rate limit it ran into (then nothing decoded)."""

    photos: list = field(default_factory=list)
    limited: ratelimit.RateLimited | None = None


def limited_message(limited: ratelimit.RateLimited) -> str:
    return _("You have sent a lot in a short time. To keep out nuisance, please wait "
             "%(minutes)s minutes, then tap the button again. What you wrote stays here.",
             minutes=limited.minutes)


def take() -> Taken:
    """Count this save of the form and its photos' megabytes, then decode the photos.
    Must run before the view's first query (no transaction may be open)."""
    files = [f for f in request.files.getlist("photos") if f.filename]
    device, address = devices.device_id(), client_address()
    try:
        ratelimit.count("draft", device, address)
        size = sum(_size(f.stream) for f in files)
        if size:
            ratelimit.count("upload_mb", device, address, cost=math.ceil(size / MEGABYTE))
    except ratelimit.RateLimited as limited:
        return Taken(limited=limited)
    return Taken(photos=photo_rules.prepare([(f.filename, f.stream) for f in files],
                                            room=rules.MAX_PHOTOS))


def count_draft(exempt: bool) -> ratelimit.RateLimited | None:
    """A save of the tablet's form (no photos): counted like a phone's, unless staff write."""
    if exempt:
        return None
    try:
        ratelimit.count("draft", devices.device_id(), client_address())
    except ratelimit.RateLimited as limited:
        return limited
    return None


def _size(stream) -> int:
    position = stream.tell()
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(position)
    return size
