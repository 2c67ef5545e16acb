"""The picture check: every screenshot a browser test takes is compared with its approved copy
in docs/screenshots/ (the pictures the README shows), so a layout change fails until someone
has looked at the new picture and approved it on purpose:

    scripts/approve-screenshots.sh            # all browser tests, or pass pytest arguments

Parts that differ on every run by design (a QR code's random token, a tracking code) are
left out of the comparison: the QR's `svg.qr`, `.tracking-code` and anything `[data-volatile]`.
"""

import os
import shutil
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw

APPROVED_DIR = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
APPROVING = os.environ.get("MULING_APPROVE_SCREENSHOTS") == "1"
# MULING_PICTURE_CHECK=0: take the screenshots but compare nothing (while reworking screens).
COMPARING = os.environ.get("MULING_PICTURE_CHECK", "1") != "0"
# A pixel counts as changed when a colour channel moves by more than this (0–255) …
PIXEL_THRESHOLD = 40
# … and a picture as changed when more than this share of its pixels did. A word changed is
# about 0.2 % of a tablet screen; a minute ticking over on a clock is well under 0.05 %.
MAX_CHANGED_SHARE = 0.001
VOLATILE = "svg.qr, .tracking-code, [data-volatile]"

_VOLATILE_BOXES = """(selector) => [...document.querySelectorAll(selector)]
  .map((el) => el.getBoundingClientRect())
  .filter((r) => r.width > 0 && r.height > 0)
  .map((r) => ({x: r.left + scrollX, y: r.top + scrollY, w: r.width, h: r.height,
                scale: devicePixelRatio}))"""


def volatile_boxes(page) -> list[tuple[int, int, int, int]]:
    """The boxes (in screenshot pixels) that may differ from run to run."""
    boxes = page.evaluate(_VOLATILE_BOXES, VOLATILE)
    return [(int(b["x"] * b["scale"]) - 2, int(b["y"] * b["scale"]) - 2,
             int((b["x"] + b["w"]) * b["scale"]) + 2, int((b["y"] + b["h"]) * b["scale"]) + 2)
            for b in boxes]


def compare_with_approved(path: Path, ignore: list[tuple[int, int, int, int]]) -> None:
    approved = APPROVED_DIR / path.name
    if APPROVING:
        APPROVED_DIR.mkdir(parents=True, exist_ok=True)
        if not approved.exists() or _changed_share(path, approved, ignore) > 0:
            shutil.copyfile(path, approved)
        return
    if not COMPARING:
        return
    assert approved.exists(), (
        f"no approved picture for {path.name}: look at {path}, then approve it with "
        "scripts/approve-screenshots.sh")
    share = _changed_share(path, approved, ignore)
    assert share <= MAX_CHANGED_SHARE, (
        f"{path.name} differs from the approved picture in {share:.2%} of its pixels "
        f"(see {path.with_suffix('.diff.png')}); if the change is meant, look at {path} and "
        "approve it with scripts/approve-screenshots.sh")


def _changed_share(path: Path, approved: Path, ignore) -> float:
    """The share of pixels that changed (1.0 when the size did), leaving out `ignore`."""
    with Image.open(path) as new_image, Image.open(approved) as old_image:
        new, old = new_image.convert("RGB"), old_image.convert("RGB")
    if new.size != old.size:
        _save_side_by_side(path, old, new)
        return 1.0
    for image in (new, old):
        draw = ImageDraw.Draw(image)
        for box in ignore:
            draw.rectangle(box, fill=(255, 0, 255))
    difference = ImageChops.difference(new, old)
    # The largest channel difference of each pixel, then those above the threshold.
    channels = difference.split()
    largest = ImageChops.lighter(ImageChops.lighter(channels[0], channels[1]), channels[2])
    mask = largest.point(lambda value: 255 if value > PIXEL_THRESHOLD else 0)
    changed = mask.histogram()[255]
    if changed:
        highlight = new.copy()
        highlight.paste((255, 0, 0), mask=mask)
        highlight.save(path.with_suffix(".diff.png"))
    return changed / (new.width * new.height)


def _save_side_by_side(path: Path, old: Image.Image, new: Image.Image) -> None:
    canvas = Image.new("RGB", (old.width + new.width, max(old.height, new.height)), "white")
    canvas.paste(old, (0, 0))
    canvas.paste(new, (old.width, 0))
    canvas.save(path.with_suffix(".diff.png"))
