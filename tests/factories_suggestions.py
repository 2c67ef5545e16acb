"""Factory fixtures of the suggestions feature, and its samples for the route × role walk."""

import io
import itertools

import pytest
from PIL import Image

from muling_kiosk.database import utcnow
from muling_kiosk.extensions import db
from muling_kiosk.suggestions import photos as photo_rules
from muling_kiosk.suggestions import services
from muling_kiosk.suggestions.models import (
    Suggestion,
    SuggestionEvent,
    SuggestionLocation,
    SuggestionPhoto,
)

_numbers = itertools.count(1)


def jpeg_bytes(size=(800, 600), color=(200, 120, 40), exif=None) -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", size, color)
    if exif is not None:
        image.save(buffer, format="JPEG", exif=exif)
    else:
        image.save(buffer, format="JPEG")
    return buffer.getvalue()


def gps_exif() -> Image.Exif:
    """EXIF as a phone writes it: camera, time, and where it was taken (Yinchuan)."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"          # Make
    exif[0x0110] = "Model X"             # Model
    exif[0x0132] = "2026:11:20 09:30:00"  # DateTime
    exif[0x0112] = 6                     # Orientation: rotate 90° clockwise to view
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (38.0, 28.0, 12.5)
    gps[3] = "E"
    gps[4] = (106.0, 16.0, 45.0)
    return exif


@pytest.fixture
def make_location(app, community):
    def make(community=community, name=None, active=True):
        location = SuggestionLocation(community_id=community.id,
                                      name=name or f"凉亭 {next(_numbers)}",
                                      token=f"token-{next(_numbers)}-abcdefghijklmnop",
                                      active=active)
        db.session.add(location)
        db.session.commit()
        return location

    return make


@pytest.fixture
def make_suggestion(app, community, make_location):
    """make_suggestion(state="resolved", photos=1, contact_phone="13812345678", …)."""
    def make(community=community, location=None, state=services.SUBMITTED, photos=0,
             text=None, category="parking", **overrides):
        now = utcnow()
        suggestion = Suggestion(
            community_id=community.id,
            location_id=(location or make_location(community=community)).id,
            code=services.new_code(), category=category,
            text=text or f"5号楼门口的消防通道总停着车 {next(_numbers)}",
            source="phone", state=state, created_at=now, updated_at=now, **overrides)
        db.session.add(suggestion)
        db.session.flush()
        db.session.add(SuggestionEvent(suggestion_id=suggestion.id, kind="submitted",
                                       to_state=services.SUBMITTED, actor="phone", at=now))
        for position in range(photos):
            photo = photo_rules.process(io.BytesIO(jpeg_bytes()), "photo.jpg")
            db.session.add(SuggestionPhoto(suggestion_id=suggestion.id, position=position,
                                           width=photo.width, height=photo.height,
                                           byte_size=len(photo.data), data=photo.data))
        db.session.commit()
        return suggestion

    return make


def _suggestion(world, **overrides):
    return world.fixture("make_suggestion")(community=world.community, **overrides)


# URL variable → function(world) returning a value for a record of world.community
# (see tests/test_access.py).
ROUTE_SAMPLES: dict = {
    "token": lambda world: world.fixture("make_location")(community=world.community).token,
    "code": lambda world: _suggestion(world).code,
    "number": lambda world: 1,
    "suggestion_id": lambda world: _suggestion(world, contact_phone="13812345678").id,
    "photo_id": lambda world: _suggestion(world, photos=1).photos[0].id,
    "location_id": lambda world: world.fixture("make_location")(community=world.community).id,
    "image_format": lambda world: "png",
}
