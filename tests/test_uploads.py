"""Photos off the write path: a pixel cap, decoding before any transaction (so a big photo
does not hold SQLite's write lock while neighbours sign up), and drafts and megabytes counted
per device and per address."""

import io
import threading
import time
from dataclasses import dataclass

import pytest
import requests
from PIL import Image
from sqlalchemy import func, select

from muling_kiosk.extensions import db
from muling_kiosk.signups.models import Signup
from muling_kiosk.suggestions import photos as photo_rules
from muling_kiosk.suggestions.models import SuggestionDraft, SuggestionPhoto

from .factories_signups import phone_number
from .factories_suggestions import huge_png, jpeg_bytes
from .test_signups_concurrency import Tablet, key_of, run_together, token_of
from .test_suggestions_flows import TEXT, form_key, write


def test_a_9400_by_9400_png_is_refused_at_once_with_what_to_do():
    data = huge_png(9400, 9400)  # 88 MP, under Pillow's own bomb limit
    started = time.monotonic()
    with pytest.raises(photo_rules.PhotoRejected) as rejected:
        photo_rules.process(io.BytesIO(data), "big.png")
    assert time.monotonic() - started < 0.5  # only the header was read
    assert "“big.png” has too many pixels (88 million; at most 40 million" in (
        rejected.value.message)


def test_a_large_jpeg_from_a_phone_still_fits_because_it_decodes_at_a_smaller_scale():
    photo = photo_rules.process(io.BytesIO(jpeg_bytes(size=(9000, 6000))), "108mp.jpg")
    assert max(photo.width, photo.height) == photo_rules.MAX_SIDE


def test_the_refusal_is_shown_in_chinese_next_to_the_form(client, make_location):
    response, _key = write(client, make_location(), files=[("大图.png", huge_png(9400, 9400))])
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "“大图.png”像素太多" in page and TEXT in page


def test_photos_are_decoded_before_any_transaction_so_others_can_write_meanwhile(
        make_app, community, make_location, monkeypatch):
    """While one phone's photo decodes, a neighbour's write commits at once: the upload holds
    no transaction (on SQLite: not the write lock) while it decodes."""
    app = make_app(SQLITE_BUSY_TIMEOUT_MS=1500)
    location = LocationToken(make_location().token)
    decoding, neighbour_done = threading.Event(), threading.Event()
    seen = {}
    real_process = photo_rules.process

    def slow_process(stream, name=""):
        seen["in_transaction"] = db.session().in_transaction()
        decoding.set()
        neighbour_done.wait(10)  # a decode that lasts until the neighbour is through
        return real_process(stream, name)

    monkeypatch.setattr(photo_rules, "process", slow_process)
    phone, neighbour = app.test_client(), app.test_client()
    uploaded = {}

    def upload():
        uploaded["response"], _key = write(phone, location, files=[("a.jpg", jpeg_bytes())])

    worker = threading.Thread(target=upload)
    worker.start()
    try:
        assert decoding.wait(10)
        started = time.monotonic()
        page = neighbour.get("/suggest/write").get_data(as_text=True)
        response = neighbour.post_form("/suggest/write", {
            "request_key": form_key(page), "category": "repairs", "text": TEXT})
        took = time.monotonic() - started
    finally:
        neighbour_done.set()
        worker.join(20)
    assert response.status_code == 303 and took < 1.0
    assert seen["in_transaction"] is False
    assert uploaded["response"].status_code == 303
    db.session.rollback()
    assert db.session.scalar(select(func.count(SuggestionDraft.id))) == 2
    assert db.session.scalar(select(func.count(SuggestionPhoto.id))) == 1


@dataclass
class LocationToken:
    """What write() reads of a location (no database object shared with another thread)."""

    token: str


def test_drafts_from_one_phone_are_limited_with_a_kind_message(make_app, community,
                                                               make_location):
    app = make_app(RATELIMIT_ENABLED=True, DRAFT_RATE_LIMIT="3 per 10 minutes")
    client = app.test_client()
    location = make_location()
    codes = [write(client, location)[0].status_code for _ in range(5)]
    assert codes == [303, 303, 303, 429, 429]
    response, _key = write(client, location, {"text": "又想起一件事：垃圾桶满了。"})
    page = response.get_data(as_text=True)
    assert "您在短时间内提交得太多了" in page and "请等 10 分钟" in page
    assert "又想起一件事：垃圾桶满了。" in page  # what was typed stays on the screen
    other_phone = app.test_client()
    assert write(other_phone, location)[0].status_code == 303


def test_megabytes_of_photos_are_limited_per_address_and_nothing_is_decoded(
        make_app, community, make_location, monkeypatch):
    app = make_app(RATELIMIT_ENABLED=True, UPLOAD_MB_RATE_LIMIT="100 per 10 minutes",
                   UPLOAD_MB_ADDRESS_RATE_LIMIT="3 per 10 minutes")
    location = make_location()
    photo = jpeg_bytes()  # < 1 MB: each upload counts one megabyte begun
    decoded = []
    real_process = photo_rules.process
    monkeypatch.setattr(photo_rules, "process",
                        lambda stream, name="": decoded.append(name) or real_process(stream,
                                                                                     name))
    codes = [write(app.test_client(), location, files=[(f"{n}.jpg", photo)])[0].status_code
             for n in range(5)]  # five phones, one Wi-Fi
    assert codes == [303, 303, 303, 429, 429]
    assert decoded == ["0.jpg", "1.jpg", "2.jpg"]
    assert db.session.scalar(select(func.count(SuggestionPhoto.id))) == 3


def _big_png(width: int, height: int) -> bytes:
    """An RGB PNG that takes real time to decode (about 0.1 s per 10 MP), small to send."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (90, 140, 200)).save(buffer, "PNG", compress_level=1)
    return buffer.getvalue()


@pytest.mark.slow
def test_big_uploads_racing_sign_ups_over_http_give_no_server_error(
        live_server, make_location, make_class_session, committed):
    """Issue 13's "Done when": three uploads (a 88 MP one refused at its header, two of
    36 MP decoded) race ten sign-ups: no 5xx, every sign-up stored."""
    form_url = f"{live_server}/m/s/{make_location().token}"
    sid = make_class_session(capacity=20).id
    pictures = [huge_png(9400, 9400), _big_png(6000, 6000), _big_png(6000, 6000)]

    def uploader(picture):
        phone = requests.Session()

        def prepare():
            page = phone.get(form_url, timeout=60).text
            return {"csrf_token": token_of(page), "request_key": key_of(page),
                    "category": "repairs", "text": TEXT}

        def send(fields):
            return phone.post(form_url, data=fields, timeout=120,
                              files={"photos": ("big.png", picture, "image/png")})

        return prepare, send

    def resident(n):
        tablet = Tablet(live_server)

        def prepare():
            return key_of(tablet.confirm_page(sid, f"居民{n}", phone_number(n)))

        def confirm(key):
            return tablet.post(f"/classes/{sid}/confirm", {"request_key": key})

        return prepare, confirm

    answers = run_together([uploader(p) for p in pictures] + [resident(n) for n in range(10)])
    assert [a.status_code for a in answers if a.status_code >= 500] == []
    assert [a.status_code for a in answers[:3]] == [422, 200, 200]  # 303 followed: 请确认
    db_session = committed()
    assert len(db_session.scalars(select(Signup).where(Signup.session_id == sid)).all()) == 10
    assert db_session.scalar(select(func.count(SuggestionPhoto.id))) == 2
