"""Photos from residents' phones: checked, turned upright, shrunk and re-encoded.

What we keep is a new JPEG we drew ourselves (≤ 1600 px on the long side), so nothing of the
uploaded file survives: no EXIF, no GPS position, no maker notes, no hidden payload.

Decoding takes time (seconds for a big PNG), so it happens before the request opens a write
transaction (`prepare`, called by the view first thing): on SQLite a POST's first transaction
takes the write lock, and everyone else's sign-ups and votes would wait behind a photo.
"""

import io
import warnings
from dataclasses import dataclass

from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 10 * 1024 * 1024
MAX_SIDE = 1600
JPEG_QUALITY = 82
FORMATS = ("JPEG", "PNG", "WEBP")
# The most pixels we decode (a JPEG counts at the scale it is decoded at, see `draft`): a
# 9400 × 9400 PNG of 86 KB would take seconds and 350 MB of memory. Phones' ordinary photos
# are 12-50 MP; a 108 MP JPEG decodes at a quarter of its pixels.
MAX_PIXELS = 40_000_000


class PhotoRejected(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Photo:
    data: bytes
    width: int
    height: int


def read_limited(stream, limit: int = MAX_BYTES) -> bytes | None:
    """The stream's bytes, or None when there are more than limit."""
    data = stream.read(limit + 1)
    return None if len(data) > limit else data


def process(stream, name: str = "") -> Photo:
    """A clean JPEG from an uploaded photo, or PhotoRejected with what to do instead."""
    label = (name or "").strip()[:40] or "?"
    data = read_limited(stream)
    if data is None:
        raise PhotoRejected(_("“%(name)s” is larger than 10 MB. Please choose a smaller "
                              "photo, or take a screenshot of it and send that.", name=label))
    try:
        with warnings.catch_warnings():
            # Pillow warns about a decompression bomb before it refuses one: refuse both.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=FORMATS) as image:
                if image.format == "JPEG":
                    # Decode at the smallest scale still at least the final size: a 12 MP
                    # phone photo then decodes at a quarter of its pixels.
                    image.draft("RGB", _fit(image.size))
                width, height = image.size  # read from the header: nothing decoded yet
                if width * height > MAX_PIXELS:
                    raise PhotoRejected(_(
                        "“%(name)s” has too many pixels (%(megapixels)s million; at most "
                        "%(max)s million fit). Please take a screenshot of it and send that "
                        "instead.", name=label, megapixels=round(width * height / 1e6),
                        max=MAX_PIXELS // 1_000_000))
                image.load()
                upright = ImageOps.exif_transpose(image)
                return _encode(upright)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoRejected(_("“%(name)s” has too many pixels for us to open. Please take a "
                              "screenshot of it and send that instead.", name=label)) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise PhotoRejected(_("“%(name)s” is not a photo we can read. Please choose a JPEG, "
                              "PNG or WebP photo, or take a new one with the camera.",
                              name=label)) from None


LEFT_OUT = "left out"  # an upload beyond the most a draft may take: not even decoded


def prepare(uploads, room: int) -> list:
    """Each upload (file name, stream) decoded and re-encoded, in order: a Photo, or the
    PhotoRejected saying why not. Only the first `room` are decoded (a draft takes no more);
    the rest are LEFT_OUT. Call it before the request opens a transaction."""
    prepared = []
    for number, (name, stream) in enumerate(uploads):
        if number >= room:
            prepared.append(LEFT_OUT)
            continue
        try:
            prepared.append(process(stream, name))
        except PhotoRejected as rejected:
            prepared.append(rejected)
    return prepared


def _fit(size: tuple[int, int]) -> tuple[int, int]:
    """The size within MAX_SIDE × MAX_SIDE with the same proportions."""
    width, height = size
    scale = min(1.0, MAX_SIDE / max(width, height, 1))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _encode(image: Image.Image) -> Photo:
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
    else:
        flat = image.convert("RGB")
    flat.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.BICUBIC)
    # A fresh image: no info (EXIF, ICC, XMP, comments) is carried over.
    clean = Image.new("RGB", flat.size)
    clean.paste(flat)
    out = io.BytesIO()
    # Baseline JPEG: "optimize" and "progressive" cost a second pass for a few percent.
    clean.save(out, format="JPEG", quality=JPEG_QUALITY)
    return Photo(out.getvalue(), clean.width, clean.height)
