"""Factory fixtures of the suggestions feature, and its samples for the route × role walk."""

import io
import itertools
import struct
import zlib

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


def png_bytes(size=(640, 480), mode="RGBA") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, (10, 120, 60, 128) if mode == "RGBA" else 0).save(buffer, "PNG")
    return buffer.getvalue()


def huge_png(width=20_000, height=20_000) -> bytes:
    """A valid 20,000 × 20,000 black-and-white PNG (400 megapixels), about 60 KB: written row
    by row, so making it never needs the memory that opening it would."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    compressor = zlib.compressobj(9)
    row = bytes(1 + (width + 7) // 8)  # filter byte + one bit per pixel
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat)
            + chunk(b"IEND", b""))


def eleven_mb_jpeg() -> bytes:
    """A real photo padded to 11 MB (a JPEG reader stops at its end marker)."""
    photo = jpeg_bytes()
    return photo + bytes(11 * 1024 * 1024 - len(photo))


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
