"""百姓畅言亭 through HTTP: the phone form and its 请确认 step, photos, refusals that keep the
form, double submits, the rate limit (across two app instances sharing Redis), fuzzed input,
the status page and rating, the public board, the tablet, and the staff console."""

import io
import re
import threading
import uuid
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import requests
import zxingcpp
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from PIL import Image
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from muling_kiosk.audit.models import AuditEvent
from muling_kiosk.extensions import db
from muling_kiosk.suggestions import services as rules
from muling_kiosk.suggestions.models import (
    Suggestion,
    SuggestionDraft,
    SuggestionLocation,
    SuggestionPhoto,
)

from .factories_suggestions import eleven_mb_jpeg, gps_exif, huge_png, jpeg_bytes

TEXT = "凉亭旁边的路灯坏了三盏，晚上看不清台阶。"


def form_key(page: str) -> str:
    return re.search(r'name="request_key" value="([^"]+)"', page).group(1)


def count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def write(client, location, data=None, files=None, htmx=False, key=None):
    """The form's first submit (what 下一步 sends)."""
    url = f"/m/s/{location.token}"
    key = key or form_key(client.get(url).get_data(as_text=True))
    data = {"request_key": key, "category": "repairs", "text": TEXT,
            "csrf_token": client.csrf_token(url), **(data or {})}
    if files:
        data["photos"] = [FileStorage(io.BytesIO(content), name) for name, content in files]
    return post_multipart(client, url, data, htmx), key


def post_multipart(client, url, data: dict, htmx=False):
    """A multipart POST encoded here in memory: the test client would spool a large body to
    a temporary file that nobody closes. A list value sends the field several times."""
    boundary, body = encode_multipart(MultiDict(
        [(k, v) for k, values in data.items()
         for v in (values if isinstance(values, list) else [values])]))
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(url, data=body, headers=headers,
                       content_type=f"multipart/form-data; boundary={boundary}")


def confirm(client, location, key, htmx=False):
    return client.post_form(f"/m/s/{location.token}/confirm", {"request_key": key}, htmx=htmx)


def send(client, location, **kwargs) -> Suggestion:
    response, key = write(client, location, **kwargs)
    assert response.status_code == 303, response.get_data(as_text=True)
    assert confirm(client, location, key).status_code == 303
    return db.session.scalar(select(Suggestion).where(Suggestion.request_key == key))


# ---------- the phone form ----------


def test_the_phone_form_has_chips_a_counter_photos_and_an_anonymous_default(client,
                                                                             make_location):
    location = make_location(name="小区广场凉亭")
    response = client.get(f"/m/s/{location.token}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and '<body class="phone"' in page
    assert "data-idle-seconds" not in page  # a phone page: no idle reset
    for label in ("停车", "绿化环境", "卫生", "治安", "物业服务", "邻里纠纷", "设施维修", "其他"):
        assert f"<span>{label}</span>" in page
    assert page.count('type="radio" name="category"') == 8
    assert 'data-count-max="500"' in page and "已写 0 字，最多 500 字" in page
    assert re.search(r'type="file" name="photos" accept="image/\*" multiple', page)
    assert "最多 3 张" in page and "不填就是匿名" in page
    assert re.search(r'<div class="hp-field" aria-hidden="true">', page)
    assert "小区广场凉亭" in page and "胜利社区" in page
    assert "js/suggestions.js" in page
    cookie = response.headers.getlist("Set-Cookie")
    assert any(c.startswith("muling_device=") and "HttpOnly" in c for c in cookie)


def test_an_unknown_qr_is_not_found_and_a_switched_off_one_says_so(client, make_location):
    assert client.get("/m/s/no-such-token").status_code == 404
    location = make_location(active=False)
    response = client.get(f"/m/s/{location.token}")
    assert response.status_code == 404
    assert "这个二维码已经停用了" in response.get_data(as_text=True)


def test_writing_takes_two_steps_and_nothing_counts_before_confirm(client, make_location):
    location = make_location()
    response, key = write(client, location, {"contact_name": "王阿姨",
                                              "contact_phone": "138 1234 5678"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/m/s/{location.token}/confirm"
    assert count(Suggestion) == 0 and count(SuggestionDraft) == 1
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "请确认您的建议" in page and TEXT in page and "设施维修" in page
    assert "王阿姨 138****5678" in page and "13812345678" not in page
    assert "确认提交" in page and "返回修改" in page

    again = client.get(f"/m/s/{location.token}").get_data(as_text=True)  # 返回修改
    assert form_key(again) == key and TEXT in again and 'value="王阿姨"' in again

    response = confirm(client, location, key)
    assert response.headers["Location"] == f"/m/s/{location.token}/done"
    suggestion = db.session.scalar(select(Suggestion))
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    assert rules.group_code(suggestion.code) in receipt and TEXT in receipt
    assert f'href="/m/t/{suggestion.code}"' in receipt
    assert count(SuggestionDraft) == 0


def test_over_htmx_errors_come_back_as_the_form_and_success_as_a_new_screen(client,
                                                                            make_location):
    location = make_location()
    response, key = write(client, location, {"category": "", "text": "灯"}, htmx=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "<html" not in body
    assert body.strip().startswith("<form") and 'id="suggest-form"' in body
    assert 'aria-invalid="true"' in body and "请选一个类别" in body and "请至少写 5 个字" in body
    response, _key = write(client, location, key=key, htmx=True)
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == f"/m/s/{location.token}/confirm"
    response = confirm(client, location, key, htmx=True)
    assert response.headers["HX-Redirect"] == f"/m/s/{location.token}/done"


def test_the_confirm_page_without_a_draft_leads_back_to_the_form(client, make_location):
    location = make_location()
    response = client.get(f"/m/s/{location.token}/confirm")
    assert response.status_code == 303 and response.headers["Location"] == f"/m/s/{location.token}"
    assert client.get(f"/m/s/{location.token}/done").status_code == 303


# ---------- double submits ----------


def test_a_second_tap_and_a_resend_make_one_suggestion(client, make_location):
    location = make_location()
    _response, key = write(client, location)
    first, second = confirm(client, location, key), confirm(client, location, key)
    assert first.headers["Location"] == second.headers["Location"]
    resend, _key = write(client, location, key=key)  # the first step sent again, later
    assert resend.headers["Location"] == f"/m/s/{location.token}/done"
    assert count(Suggestion) == 1 and count(SuggestionDraft) == 0


def step_key(page: str) -> str:
    return re.search(r'name="step_key" value="([^"]+)"', page).group(1)


def test_the_first_step_sent_twice_adds_its_photos_once(client, make_location):
    location = make_location()
    page = client.get(f"/m/s/{location.token}").get_data(as_text=True)
    for _ in range(2):  # a double tap without JavaScript, or a resend
        response, _key = write(client, location, {"step_key": step_key(page)},
                               files=[("a.jpg", jpeg_bytes())], key=form_key(page))
        assert response.status_code == 303
    assert len(db.session.scalar(select(SuggestionDraft)).photos) == 1
    page = client.get(f"/m/s/{location.token}").get_data(as_text=True)  # 返回修改
    write(client, location, {"step_key": step_key(page)}, files=[("b.jpg", jpeg_bytes())],
          key=form_key(page))
    assert len(db.session.scalar(select(SuggestionDraft)).photos) == 2


def _at_once(count: int, action) -> list:
    barrier, answers = threading.Barrier(count), []

    def run():
        barrier.wait()
        try:
            answers.append(action())
        except Exception as error:  # shown in the assertion, not lost in the thread
            answers.append(repr(error))

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_both_steps_racing_over_http_make_one_draft_and_one_suggestion(live_server, make_location,
                                                                       committed):
    form_url = f"{live_server}/m/s/{make_location().token}"
    browser = requests.Session()
    page = browser.get(form_url).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    fields = {"csrf_token": token, "request_key": form_key(page), "step_key": step_key(page),
              "category": "safety", "text": TEXT}
    answers = _at_once(4, lambda: browser.post(
        form_url, data=fields, files={"photos": ("a.jpg", jpeg_bytes(), "image/jpeg")},
        allow_redirects=False).status_code)
    assert answers == [303] * 4
    session = committed()
    assert session.scalar(select(func.count(SuggestionDraft.id))) == 1
    assert session.scalar(select(func.count(SuggestionPhoto.id))) == 1

    answers = _at_once(4, lambda: browser.post(
        f"{form_url}/confirm", data={"csrf_token": token, "request_key": fields["request_key"]},
        allow_redirects=False).status_code)
    assert answers == [303] * 4
    session = committed()
    assert session.scalar(select(func.count(Suggestion.id))) == 1
    assert session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "suggestions.submit")) == 1


# ---------- photos ----------


def test_a_photo_with_gps_is_stored_clean_and_shown_only_through_the_app(client, make_location):
    location = make_location()
    uploaded = jpeg_bytes(size=(3000, 2000), exif=gps_exif())
    suggestion = send(client, location, files=[("IMG_2041.JPG", uploaded)])
    photo = client.get(f"/m/t/{suggestion.code}/photos/1")
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    assert photo.headers["Cache-Control"].startswith("private")
    assert photo.data != uploaded and b"Exif" not in photo.data
    image = Image.open(io.BytesIO(photo.data))
    assert dict(image.getexif()) == {} and max(image.size) == 1600
    assert client.get(f"/m/t/{suggestion.code}/photos/2").status_code == 404
    status = client.get(f"/m/t/{suggestion.code}").get_data(as_text=True)
    assert f"/m/t/{suggestion.code}/photos/1" in status


@pytest.mark.parametrize(("name", "make", "words"), [
    ("照片.jpg", lambda: "只是一个改了名字的文本文件。".encode(), "不是我们能打开的照片"),
    ("huge.png", huge_png, "太大了，打不开。请给它截个图"),
    ("big.jpg", eleven_mb_jpeg, "超过了 10 MB。请换一张小一点的照片"),
])
def test_a_refused_photo_is_named_with_what_to_do_and_the_rest_of_the_form_is_kept(
        client, make_location, name, make, words):
    location = make_location()
    response, key = write(client, location, {"contact_name": "张师傅", "category": "greenery"},
                          files=[(name, make()), ("好的.jpg", jpeg_bytes())])
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f"“{name}”{words}" in page
    assert TEXT in page and 'value="张师傅"' in page
    assert re.search(r'value="greenery" checked', page)
    assert "已保存 1 张，还能再加 2 张。" in page  # the good photo waits in the draft
    assert form_key(page) == key
    assert count(Suggestion) == 0
    assert db.session.scalar(select(func.count(SuggestionPhoto.id))) == 1


def test_at_most_three_photos(client, make_location):
    location = make_location()
    response, key = write(client, location, files=[(f"{n}.jpg", jpeg_bytes()) for n in range(4)])
    assert response.status_code == 422
    assert "最多 3 张照片，多出来的没有加上" in response.get_data(as_text=True)
    assert "已经有 3 张照片，不能再加了" in response.get_data(as_text=True)
    assert confirm(client, location, key).status_code == 303
    assert len(db.session.scalar(select(Suggestion)).photos) == 3


def test_a_photo_can_be_removed_before_confirming(client, make_location):
    location = make_location()
    response, key = write(client, location, files=[("a.jpg", jpeg_bytes()),
                                                   ("b.jpg", jpeg_bytes())])
    draft = db.session.scalar(select(SuggestionDraft))
    first, second = draft.photos
    response, _key = write(client, location, {"remove_photo": str(first.id)}, key=key)
    assert response.status_code == 303
    confirm(client, location, key)
    assert [p.id for p in db.session.scalar(select(Suggestion)).photos] == [second.id]


def test_another_drafts_photo_is_not_shown(client, app, make_location):
    location = make_location()
    write(client, location, files=[("a.jpg", jpeg_bytes())])
    photo = db.session.scalar(select(SuggestionPhoto))
    own = client.get(f"/m/s/{location.token}/photo/{photo.id}")
    assert own.status_code == 200
    stranger = app.test_client()
    assert stranger.get(f"/m/s/{location.token}/photo/{photo.id}").status_code == 404


# ---------- a text far too long ----------

A_BOOK = "路" * 1_000_000  # pasted by mistake: 3 MB in UTF-8, 9 MB form-encoded


@pytest.mark.parametrize(("encoding", "with_photo"), [
    ("multipart", False), ("multipart", True), ("form", False)])
def test_a_million_characters_are_answered_next_to_the_text_with_the_form_kept(
        client, make_location, encoding, with_photo):
    location = make_location()
    url = f"/m/s/{location.token}"
    key = form_key(client.get(url).get_data(as_text=True))
    data = {"csrf_token": client.csrf_token(url), "request_key": key, "category": "parking",
            "text": A_BOOK, "contact_name": "王阿姨"}
    if with_photo:
        data["photos"] = FileStorage(io.BytesIO(jpeg_bytes()), "车.jpg")
    if encoding == "multipart":
        response = post_multipart(client, url, data)
    else:
        response = client.post(url, data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422, page[:300]
    assert "每张照片最大 10 MB" not in page
    error = re.search(r'<p class="error" id="f-text-error">(.*?)</p>', page, re.S).group(1)
    assert "文字太长了：收到了 1000000 个字，最多只能写 500 个字" in error
    assert 'aria-invalid="true"' in page
    assert re.search(r'value="parking" checked', page) and 'value="王阿姨"' in page
    assert form_key(page) == key and "路" * 500 in page and A_BOOK not in page
    if with_photo:
        assert "已保存 1 张，还能再加 2 张。" in page  # the photo waits in the draft
    assert count(Suggestion) == 0


def test_the_tablet_answers_a_million_characters_next_to_the_text_too(client, community):
    key = form_key(client.get("/suggest/write").get_data(as_text=True))
    response = post_multipart(client, "/suggest/write", {
        "csrf_token": client.csrf_token("/suggest/write"), "request_key": key,
        "category": "other", "text": A_BOOK}, htmx=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and page.strip().startswith("<form")
    assert "收到了 1000000 个字" in page and "照片" not in page


@pytest.fixture
def small_limit_client(make_app, community):
    """MAX_CONTENT_LENGTH of 1 MB: a request larger than any request may be."""
    return make_app(MAX_CONTENT_LENGTH=1024 * 1024).test_client()


def test_more_than_a_request_may_carry_shows_the_form_again_as_it_was_saved(
        small_limit_client, make_location):
    client, location = small_limit_client, make_location()
    url = f"/m/s/{location.token}"
    response, key = write(client, location, {"text": "路灯坏了", "contact_name": "王阿姨"})
    assert response.status_code == 422  # too short: the draft keeps what was typed
    token = client.csrf_token(url)
    response = client.post(url, data={"csrf_token": token, "request_key": key,
                                      "text": A_BOOK})  # form-encoded: only text
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "每张照片" not in page
    assert "文字太长了，发不出去。请删到 500 个字以内。" in page
    assert "路灯坏了" in page and 'value="王阿姨"' in page and form_key(page) == key
    response = post_multipart(client, url, {"csrf_token": token, "request_key": key,
                                            "text": A_BOOK})  # text or photos: either
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "提交的内容太大了。文字最多 500 个字，每张照片最大 10 MB。" in page
    page = post_multipart(client, "/suggest/write", {"csrf_token": token,
                                                     "text": A_BOOK}).get_data(as_text=True)
    assert "文字太长了，发不出去" in page and "照片" not in page  # the tablet takes no photos


def test_elsewhere_a_text_too_long_is_not_called_a_photo(small_limit_client):
    client = small_limit_client
    token = client.csrf_token()
    page = client.post("/language", data={"csrf_token": token, "lang": A_BOOK})
    assert page.status_code == 413
    assert "其中有一段文字太长了" in page.get_data(as_text=True)
    assert "照片" not in page.get_data(as_text=True)


# ---------- abuse ----------


def test_the_honeypot_turns_bots_away(client, make_location):
    location = make_location()
    response, _key = write(client, location, {"website": "http://spam.example"})
    assert response.status_code == 422
    assert "没有提交成功" in response.get_data(as_text=True)
    assert count(SuggestionDraft) == 0 and count(Suggestion) == 0
    assert db.session.scalar(select(AuditEvent.action)) == "suggestions.honeypot"


def test_direction_marks_and_zero_width_characters_are_not_stored(client, make_location):
    location = make_location()
    suggestion = send(client, location, data={
        "text": "\u200f凉亭\u200b旁边的路灯\u202e坏了\u2066三盏。\u200e",
        "contact_name": "\u200f王\u200d阿姨"})
    assert (suggestion.text, suggestion.contact_name) == ("凉亭旁边的路灯坏了三盏。", "王阿姨")


@pytest.fixture
def limited_client(make_app, community):
    app = make_app(RATELIMIT_ENABLED=True, SUGGESTION_RATE_LIMIT="2 per 10 minutes")
    return app.test_client()


def test_too_many_get_a_kind_message_with_the_time_to_wait_and_keep_what_was_typed(
        limited_client, make_location):
    location = make_location()
    send(limited_client, location)
    response, key = write(limited_client, location)
    assert response.status_code == 303  # the second may still be written …
    send(limited_client, location, key="another-tab-form-key-01")  # a third sent before it
    response = confirm(limited_client, location, key)
    page = response.get_data(as_text=True)
    assert response.status_code == 429
    assert "请等 10 分钟再点一次按钮。您写的内容都还在这里。" in page
    assert TEXT in page and "确认提交" in page
    assert count(Suggestion) == 2 and count(SuggestionDraft) == 1  # nothing lost
    response, _key = write(limited_client, location, {"text": "又想起一件事：垃圾桶满了。"})
    page = response.get_data(as_text=True)
    assert response.status_code == 429 and "请等 10 分钟" in page
    assert "又想起一件事：垃圾桶满了。" in page


@pytest.mark.parametrize("shared", [True, False])
def test_two_app_instances_share_the_limit_through_redis(make_app, make_location, shared):
    """Like two worker processes: a limit reached through one holds in the other when the
    storage is Redis, and (the control) does not when each keeps it in its own memory."""
    prefix = f"test-{uuid.uuid4().hex}"
    storage = "redis://127.0.0.1:6379" if shared else "memory://"
    settings_ = {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": storage,
                 "RATELIMIT_KEY_PREFIX": prefix, "SUGGESTION_RATE_LIMIT": "2 per 10 minutes"}
    first, second = make_app(**settings_), make_app(**settings_)
    location = make_location()
    one, other = first.test_client(), second.test_client()  # two devices, one address
    send(one, location)
    send(one, location)
    response, _key = write(other, location)
    assert response.status_code == (429 if shared else 303)
    if shared:
        import redis

        connection = redis.Redis.from_url(storage)
        for key in connection.scan_iter(f"*{prefix}*"):
            connection.delete(key)


TEXTS = st.one_of(
    st.text(max_size=600),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=5, max_size=80),
    st.sampled_from(["<script>alert(1)</script>路灯坏了", "\x00\x01\x1b[31m红字\x7f",
                     "'; DROP TABLE suggestion; --", "=HYPERLINK(\"http://x\")",
                     "\u202e反过来的字\u202c", "x" * 1_000_000, "🐶遛狗不牵绳🐕‍🦺"]),
)
FIELDS = st.sampled_from(["category", "text", "contact_name", "contact_phone", "request_key",
                          "remove_photo", "photos", "zzz"])
UPLOADS = st.builds(lambda content, name: FileStorage(io.BytesIO(content), name),
                    st.binary(max_size=200), st.sampled_from(["a.jpg", "", "x.png", "文本.txt"]))
VALUES = st.one_of(TEXTS, st.lists(st.one_of(TEXTS, UPLOADS), max_size=3),
                   st.integers().map(str), st.sampled_from(list(rules.CATEGORIES)), UPLOADS)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(data=st.dictionaries(FIELDS, VALUES, max_size=8))
@example(data={"category": "parking", "text": "<script>alert(1)</script>路灯坏了"})
@example(data={"category": "other", "text": "\x00\x01\x1b[31m红字\x7f 遛狗不牵绳",
               "contact_name": "<b>王</b>", "contact_phone": "13812345678"})
@example(data={"category": "safety", "text": "x" * 1_000_000})
@example(data={"category": ["parking", "other"], "text": ["两个值的字段。", "第二个"]})
def test_fuzzed_input_gets_a_message_or_a_stored_escaped_record(client, make_location, data):
    location = make_location()
    token = client.csrf_token(f"/m/s/{location.token}")
    response = post_multipart(client, f"/m/s/{location.token}", {**data, "csrf_token": token})
    assert response.status_code in (303, 413, 422), response.status_code
    if response.status_code == 303 and response.headers["Location"].endswith("/confirm"):
        confirm_page = client.get(response.headers["Location"])
        assert confirm_page.status_code == 200
        key = form_key(confirm_page.get_data(as_text=True))
        answer = confirm(client, location, key)
        assert answer.status_code == 303
        suggestion = db.session.scalar(select(Suggestion).where(Suggestion.request_key == key))
        status = client.get(f"/m/t/{suggestion.code}").get_data(as_text=True)
        assert "<script>alert" not in status and "\x00" not in status
        if "<script>" in suggestion.text:
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in status
        assert 5 <= len(suggestion.text) <= 500 and suggestion.category in rules.CATEGORIES
    else:
        body = response.get_data(as_text=True)
        assert "<script>alert" not in body


def test_wrong_types_and_missing_fields_on_every_write_are_messages(client, make_suggestion,
                                                                    make_location):
    location = make_location()
    suggestion = make_suggestion(state="resolved")
    for url, data in [
        (f"/m/s/{location.token}", {}),
        (f"/m/s/{location.token}", {"text": ["a", "b"], "photos": "not a file"}),
        (f"/m/s/{location.token}/confirm", {"request_key": "short"}),
        (f"/m/s/{location.token}/confirm", {}),
        (f"/m/t/{suggestion.code}/rate", {"step": "confirm", "rating": ["x", "y"]}),
        (f"/m/t/{suggestion.code}/rate", {"step": "check", "comment": "x" * 5000}),
        ("/suggest/write", {"category": "1", "text": 5}),
        ("/suggest/confirm", {}),
    ]:
        response = client.post_form(url, data)
        assert response.status_code < 500, (url, response.status_code)


# ---------- status page and rating ----------


def test_the_status_page_is_found_by_code_however_it_is_typed(client, make_suggestion):
    suggestion = make_suggestion()
    messy = f"{suggestion.code[:5].lower()}-{suggestion.code[5:]}"
    response = client.get(f"/m/t/{messy}")
    assert response.status_code == 301
    assert response.headers["Location"] == f"/m/t/{suggestion.code}"
    response = client.get("/m/t/", query_string={"code": messy})
    assert response.headers["Location"] == f"/m/t/{suggestion.code}"
    missing = client.get("/m/t/", query_string={"code": "ABCDE-FGHJK"})
    assert missing.status_code == 422 and "没有找到这个编号的建议" in missing.get_data(as_text=True)
    response = client.get("/m/t/ABCDEFGHJK")
    assert response.status_code == 404 and '<body class="phone"' in response.get_data(as_text=True)


def test_a_tracking_code_never_reveals_contact_details(client, make_suggestion, make_staff):
    target = make_suggestion(contact_name="李秀英", contact_phone="13812345678",
                             text="消防通道天天停着车。")
    duplicate = make_suggestion(contact_name="赵建国", contact_phone="13987654321",
                                text="消防通道总有车，请管管。")
    rules.merge(duplicate, target, staff=make_staff("admin"))
    rules.change_state(target, rules.DISCUSSING, "下周议事会讨论。", staff=make_staff("admin"))
    db.session.commit()
    for code in (target.code, duplicate.code):
        page = client.get(f"/m/t/{code}").get_data(as_text=True)
        for secret in ("李秀英", "赵建国", "1381234", "5678", "1398765", "4321"):
            assert secret not in page
    page = client.get(f"/m/t/{duplicate.code}").get_data(as_text=True)
    assert "消防通道天天停着车" in page and "下周议事会讨论" in page  # the one it joined
    assert target.code[:5] not in page  # … but not the other reporter's code


def test_rating_shows_the_choice_back_then_counts_once(client, make_suggestion):
    suggestion = make_suggestion(state="resolved")
    url = f"/m/t/{suggestion.code}/rate"
    fragment = client.post_form(url, {"step": "check", "rating": "fair", "comment": "等得久。"},
                                htmx=True)
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and body.strip().startswith('<section id="rating"')
    assert "您选的是：基本满意" in body and "确认评价" in body and "返回修改" in body
    assert '<div hx-swap-oob="innerHTML:#status">请确认您的评价</div>' in body
    assert db.session.get(Suggestion, suggestion.id).state == "resolved"
    page = client.post_form(url, {"step": "check", "rating": "fair"})
    assert "<html" in page.get_data(as_text=True)
    restore = client.post_form(url, {"step": "check", "rating": "fair"}, htmx=True,
                               headers={"HX-History-Restore-Request": "true"})
    assert "<html" in restore.get_data(as_text=True)
    back = client.post_form(url, {"step": "edit", "rating": "fair", "comment": "等得久。"})
    assert re.search(r'value="fair" checked', back.get_data(as_text=True))
    wrong = client.post_form(url, {"step": "check", "rating": "great"}, htmx=True)
    assert wrong.status_code == 422 and "请在三个选项里选一个" in wrong.get_data(as_text=True)

    done = client.post_form(url, {"step": "confirm", "rating": "fair", "comment": "等得久。"},
                            htmx=True)
    assert done.headers["HX-Redirect"] == f"/m/t/{suggestion.code}"
    again = client.post_form(url, {"step": "confirm", "rating": "satisfied"})
    assert again.status_code == 303
    db.session.refresh(suggestion)
    assert (suggestion.state, suggestion.rating, suggestion.rating_comment) == (
        "rated", "fair", "等得久。")
    page = client.get(f"/m/t/{suggestion.code}").get_data(as_text=True)
    assert "已评价" in page and "基本满意" in page and "确认评价" not in page


def test_what_is_not_resolved_cannot_be_rated(client, make_suggestion):
    suggestion = make_suggestion(state="in_progress")
    assert "您对办理结果满意吗" not in client.get(f"/m/t/{suggestion.code}").get_data(
        as_text=True)
    response = client.post_form(f"/m/t/{suggestion.code}/rate",
                                {"step": "confirm", "rating": "satisfied"})
    assert response.status_code == 422 and "解决以后才能评价" in response.get_data(as_text=True)
    assert db.session.get(Suggestion, suggestion.id).rating is None


# ---------- the public board ----------


def test_the_board_shows_looked_at_suggestions_newest_first_without_personal_data(
        client, make_suggestion, make_staff, make_community):
    admin = make_staff("admin")
    older = make_suggestion(state="in_progress", contact_name="李秀英",
                            contact_phone="13812345678", photos=1, category="repairs",
                            text="路灯坏了，有事打 139 1234 5678 找我。")
    rules.change_state(older, None, "已报修，等配件。", staff=admin)
    make_suggestion(state="discussing", category="greenery", text="绿地被种了菜。")
    make_suggestion(text="还没有人看过。")
    hidden = make_suggestion(state="discussing", category="neighbours", text="楼上邻居吵架。")
    rules.set_on_board(hidden, False, staff=admin)
    make_suggestion(state="discussing", community=make_community(), text="别的社区的建议。")
    db.session.commit()
    page = client.get("/board").get_data(as_text=True)
    assert page.index("绿地被种了菜") < page.index("路灯坏了")
    assert "已报修，等配件。" in page and "139****5678" in page
    for absent in ("还没有人看过", "楼上邻居吵架", "别的社区", "李秀英", "13812345678",
                   "1234 5678", "<img"):
        assert absent not in page
    only = client.get("/board", query_string={"category": "greenery"}).get_data(as_text=True)
    assert "绿地被种了菜" in only and "路灯坏了" not in only
    kiosk = client.get("/suggest/board").get_data(as_text=True)
    assert '<body class="kiosk"' in kiosk and "绿地被种了菜" in kiosk and "李秀英" not in kiosk


def test_the_board_of_another_community_by_its_slug(client, make_suggestion, make_community):
    yonghe = make_community("yonghe-board", "永和社区")
    make_suggestion(state="discussing", community=yonghe, text="永和社区的凉亭要修。")
    page = client.get("/board", query_string={"c": "yonghe-board"}).get_data(as_text=True)
    assert "永和社区的凉亭要修" in page and "永和社区" in page
    assert client.get("/board", query_string={"c": "nowhere"}).status_code == 404


# ---------- the tablet ----------


def test_the_tablet_shows_the_qr_of_its_community_when_there_is_one(client, make_location):
    page = client.get("/suggest/").get_data(as_text=True)
    assert 'class="qr-box"' not in page  # no QR point yet: only writing here
    assert 'href="/suggest/write"' in page and 'href="/suggest/board"' in page
    location = make_location(name="睦邻驿站门口")
    page = client.get("/suggest/").get_data(as_text=True)
    assert 'class="qr-box"' in page and "用手机扫一扫" in page
    assert f"/m/s/{location.token}" not in page  # the address is in the QR code only


def test_writing_on_the_tablet_and_the_home_screen_forgetting_it(client, community):
    page = client.get("/suggest/write").get_data(as_text=True)
    assert 'type="file"' not in page and "contact_phone" not in page  # no photos, no number
    key = form_key(page)
    response = client.post_form("/suggest/write", {"request_key": key, "category": "other",
                                                   "text": "希望驿站周末也开门。"})
    assert response.headers["Location"] == "/suggest/confirm"
    assert "希望驿站周末也开门" in client.get("/suggest/confirm").get_data(as_text=True)
    client.get("/")  # 返回首页: the next person finds nothing of this one
    assert client.get("/suggest/confirm").headers["Location"] == "/suggest/write"
    assert "希望驿站周末也开门" not in client.get("/suggest/write").get_data(as_text=True)
    client.post_form("/suggest/write", {"request_key": key, "category": "other",
                                        "text": "希望驿站周末也开门。"})
    response = client.post_form("/suggest/confirm", {"request_key": key})
    assert response.headers["Location"] == "/suggest/done"
    done = client.get("/suggest/done").get_data(as_text=True)
    suggestion = db.session.scalar(select(Suggestion))
    assert rules.group_code(suggestion.code) in done and 'data-return-home-seconds="20"' in done
    assert (suggestion.source, suggestion.location_id, suggestion.written_by_id) == (
        "kiosk", None, None)
    client.get("/")
    assert client.get("/suggest/done").headers["Location"] == "/suggest/"


def test_the_tablet_form_comes_in_screens_and_keeps_what_each_one_had(client, community):
    page = client.get("/suggest/write").get_data(as_text=True)
    key = form_key(page)
    assert page.count('name="category"') == 8 and 'name="text"' in page
    assert 'name="step" value="text"' in page  # 下一步 of the category, shown with 大字
    post = {"request_key": key, "screen": "all"}
    response = client.post_form("/suggest/write", {**post, "step": "text", "text": "灯"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "请选一个类别" in page
    assert "请至少写" not in page  # the text is for the next screen
    response = client.post_form("/suggest/write", {**post, "step": "text",
                                                   "category": "repairs", "text": ""})
    assert response.headers["Location"] == "/suggest/write?screen=text"
    page = client.get("/suggest/write?screen=text").get_data(as_text=True)
    assert 'name="category"' not in page and "类别：设施维修" in page
    assert 'name="step" value="all"' in page  # 改类别
    response = client.post_form("/suggest/write", {"request_key": key, "screen": "text",
                                                   "text": "驿站门口的台阶太滑了。"})
    assert response.headers["Location"] == "/suggest/confirm"
    confirm_page = client.get("/suggest/confirm").get_data(as_text=True)
    assert "设施维修" in confirm_page and "驿站门口的台阶太滑了。" in confirm_page
    back = client.get("/suggest/write").get_data(as_text=True)  # 返回修改: all of it is kept
    assert re.search(r'value="repairs" checked', back) and "驿站门口的台阶太滑了。" in back
    # A resident's form has no name-and-number screen: the first screen instead.
    page = client.get("/suggest/write?screen=contact").get_data(as_text=True)
    assert "contact_phone" not in page and 'name="category"' in page


def test_staff_give_the_name_and_number_on_a_screen_of_their_own(client, make_staff, sign_in):
    sign_in(client, make_staff("volunteer", display_name="格格管家 赵桂芝"), via="tablet")
    key = form_key(client.get("/suggest/write").get_data(as_text=True))
    response = client.post_form("/suggest/write", {"request_key": key, "screen": "all",
                                                   "step": "contact", "category": "repairs"})
    assert response.status_code == 422 and "请至少写 5 个字" in response.get_data(as_text=True)
    response = client.post_form("/suggest/write", {
        "request_key": key, "screen": "all", "step": "contact", "category": "repairs",
        "text": "王奶奶说楼道灯坏了。"})
    assert response.headers["Location"] == "/suggest/write?screen=contact"
    page = client.get("/suggest/write?screen=contact").get_data(as_text=True)
    assert "contact_phone" in page and 'name="text"' not in page
    response = client.post_form("/suggest/write", {"request_key": key, "screen": "contact",
                                                   "contact_name": "王奶奶",
                                                   "contact_phone": "12345"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "11 位" in page and 'value="王奶奶"' in page
    response = client.post_form("/suggest/write", {"request_key": key, "screen": "contact",
                                                   "contact_name": "王奶奶",
                                                   "contact_phone": "139 5101 2345"})
    assert response.headers["Location"] == "/suggest/confirm"
    client.post_form("/suggest/confirm", {"request_key": key})
    suggestion = db.session.scalar(select(Suggestion))
    assert (suggestion.category, suggestion.text, suggestion.contact_name) == (
        "repairs", "王奶奶说楼道灯坏了。", "王奶奶")


def test_staff_mode_on_the_tablet_records_who_wrote_it(client, make_staff, sign_in):
    volunteer = make_staff("volunteer", display_name="格格管家 赵桂芝")
    sign_in(client, volunteer, via="tablet")
    page = client.get("/suggest/write").get_data(as_text=True)
    assert "您正以格格管家 赵桂芝的身份替居民写建议" in page
    # The name and number on a screen of their own, so each screen fits the tablet.
    assert "contact_phone" in client.get("/suggest/write?screen=contact").get_data(as_text=True)
    client.post_form("/suggest/write", {"request_key": form_key(page), "category": "repairs",
                                        "text": "王奶奶说楼道灯坏了。", "contact_name": "王奶奶"})
    client.post_form("/suggest/confirm", {"request_key": form_key(page)})
    suggestion = db.session.scalar(select(Suggestion))
    assert (suggestion.source, suggestion.written_by_id, suggestion.contact_name) == (
        "staff", volunteer.id, "王奶奶")
    home = client.get("/").get_data(as_text=True)
    assert 'href="/suggest/write"' in home and "替居民写建议" in home


# ---------- staff: QR points, posters, the inbox ----------


def test_staff_add_a_qr_point_and_its_codes_decode_to_the_public_url(client, make_staff,
                                                                     sign_in):
    sign_in(client, make_staff("facilitator"))
    bad = client.post_form("/staff/suggestions/locations", {"name": " "}, htmx=True)
    assert bad.status_code == 422 and "请写一个大家都知道的地点名称" in bad.get_data(as_text=True)
    response = client.post_form("/staff/suggestions/locations", {"name": "3号楼公告栏"})
    assert response.status_code == 303
    location = db.session.scalar(select(SuggestionLocation))
    png = client.get(f"/staff/suggestions/locations/{location.id}/qr.png")
    assert png.mimetype == "image/png" and "attachment" in png.headers["Content-Disposition"]
    decoded = [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png.data)))]
    assert decoded == [f"http://kiosk.test/m/s/{location.token}"]
    svg = client.get(f"/staff/suggestions/locations/{location.id}/qr.svg")
    assert svg.mimetype == "image/svg+xml" and svg.data.startswith(b"<svg")
    poster = client.get(f"/staff/suggestions/locations/{location.id}/poster").get_data(
        as_text=True)
    assert "扫一扫 说说您的建议" in poster and "3号楼公告栏" in poster
    assert f"http://kiosk.test/m/s/{location.token}" in poster
    response = client.post_form(f"/staff/suggestions/locations/{location.id}",
                                {"name": "3号楼公告栏（旧）"})
    assert response.status_code == 303
    db.session.refresh(location)
    assert (location.name, location.active) == ("3号楼公告栏（旧）", False)
    assert [a.action for a in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
            if a.action.startswith("suggestions.")] == [
        "suggestions.create_location", "suggestions.update_location"]


def test_volunteers_may_print_posters_but_not_add_points(client, make_staff, sign_in,
                                                         make_location):
    sign_in(client, make_staff("volunteer"))
    location = make_location()
    page = client.get("/staff/suggestions/locations").get_data(as_text=True)
    assert "添加二维码张贴点" not in page and f"/locations/{location.id}/poster" in page
    assert client.post_form("/staff/suggestions/locations", {"name": "x"}).status_code == 403


def test_the_inbox_filters_and_searches(client, make_staff, sign_in, make_suggestion,
                                        make_location):
    staff = make_staff("volunteer")
    sign_in(client, staff)
    pavilion = make_location(name="凉亭")
    a = make_suggestion(location=pavilion, text="凉亭的灯坏了。", category="repairs")
    b = make_suggestion(state="discussing", text="消防通道停车。", assignee_id=staff.id)
    c = make_suggestion(state="rated", text="垃圾桶满了。", category="sanitation",
                        rating="fair")

    def codes(**query):
        page = client.get("/staff/suggestions/", query_string=query).get_data(as_text=True)
        return {s.code for s in (a, b, c) if rules.group_code(s.code) in page}

    assert codes() == {a.code, b.code, c.code}
    assert codes(state="open") == {a.code, b.code}
    assert codes(state="rated") == {c.code}
    assert codes(category="repairs") == {a.code}
    assert codes(location=pavilion.id) == {a.code}
    assert codes(q="消防") == {b.code}
    assert codes(q=rules.group_code(c.code).lower()) == {c.code}
    assert codes(assignee="me") == {b.code}
    today = a.created_at.astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat()
    assert codes(**{"from": today, "to": today}) == {a.code, b.code, c.code}
    assert codes(**{"from": "2000-01-01", "to": "2000-01-02"}) == set()
    fragment = client.get("/staff/suggestions/", headers={"HX-Request": "true"})
    assert fragment.get_data(as_text=True).startswith('<div id="inbox-results">')
    restore = client.get("/staff/suggestions/", headers={
        "HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in restore.get_data(as_text=True)


def test_exports_are_formula_safe_and_mask_numbers(client, make_staff, sign_in,
                                                   make_suggestion):
    sign_in(client, make_staff("facilitator"))
    make_suggestion(text="=HYPERLINK(\"http://evil.example\")", contact_name="李秀英",
                    contact_phone="13812345678")
    response = client.get("/staff/suggestions/export.csv")
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff编号,")
    assert "'=HYPERLINK" in text and "138****5678" in text and "13812345678" not in text
    response = client.get("/staff/suggestions/export.xlsx", query_string={"state": "submitted"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    header = [cell.value for cell in sheet[1]]
    row = dict(zip(header, [cell.value for cell in sheet[2]], strict=True))
    assert row["建议内容"].startswith("=HYPERLINK") and sheet["G2"].data_type == "s"
    assert row["电话"] == "138****5678" and row["状态"] == "已提交"
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "suggestions.export")) == 2


def test_revealing_a_number_is_for_deciders_and_the_assignee_and_is_audited(
        client, make_staff, sign_in, make_suggestion):
    volunteer = make_staff("volunteer")
    suggestion = make_suggestion(contact_phone="13812345678")
    sign_in(client, volunteer)
    page = client.get(f"/staff/suggestions/{suggestion.id}").get_data(as_text=True)
    assert "138****5678" in page and "显示完整号码" not in page
    refused = client.post_form(f"/staff/suggestions/{suggestion.id}/phone", htmx=True)
    assert refused.status_code == 422 and "138 1234 5678" not in refused.get_data(as_text=True)
    sign_in(client, make_staff("facilitator"))
    shown = client.post_form(f"/staff/suggestions/{suggestion.id}/phone", htmx=True)
    assert shown.status_code == 200 and "138 1234 5678" in shown.get_data(as_text=True)
    assert "已显示完整号码" in shown.get_data(as_text=True)  # announced in the status region
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "suggestions.reveal_phone")) == 1


def test_a_state_change_without_a_reply_is_shown_again_with_the_message(
        client, make_staff, sign_in, make_suggestion):
    sign_in(client, make_staff("facilitator"))
    suggestion = make_suggestion()
    response = client.post_form(f"/staff/suggestions/{suggestion.id}/state",
                                {"state": "declined", "reply": ""}, htmx=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and body.strip().startswith("<form")
    assert "请写上给居民看的答复" in body and 'value="declined" selected' in body
    response = client.post_form(f"/staff/suggestions/{suggestion.id}/state",
                                {"state": "declined", "reply": "暂不采纳：不在社区职责内。"})
    assert response.status_code == 303
    assert db.session.get(Suggestion, suggestion.id).state == "declined"


def test_a_volunteer_moves_on_only_what_is_assigned_to_them(client, make_staff, sign_in,
                                                             make_suggestion):
    volunteer = make_staff("volunteer")
    sign_in(client, volunteer)
    other = make_suggestion(state="decided")
    mine = make_suggestion(state="decided", assignee_id=volunteer.id)
    page = client.get(f"/staff/suggestions/{other.id}").get_data(as_text=True)
    assert "发布" not in page and "合并" not in page
    response = client.post_form(f"/staff/suggestions/{other.id}/state",
                                {"state": "in_progress", "reply": "我来办。"})
    assert response.status_code == 422
    response = client.post_form(f"/staff/suggestions/{mine.id}/state",
                                {"state": "in_progress", "reply": "已经联系物业。"})
    assert response.status_code == 303
    assert db.session.get(Suggestion, mine.id).state == "in_progress"
    assert client.post_form(f"/staff/suggestions/{mine.id}/assign",
                            {"assignee_id": ""}).status_code == 403


def test_merging_and_the_board_switch_in_the_console(client, make_staff, sign_in,
                                                     make_suggestion):
    sign_in(client, make_staff("admin"))
    target, duplicate = make_suggestion(), make_suggestion()
    bad = client.post_form(f"/staff/suggestions/{duplicate.id}/merge", {"target_id": "x"},
                           htmx=True)
    assert bad.status_code == 422 and "请选本社区的另一条建议" in bad.get_data(as_text=True)
    response = client.post_form(f"/staff/suggestions/{duplicate.id}/merge",
                                {"target_id": str(target.id)})
    assert response.headers["Location"] == f"/staff/suggestions/{target.id}"
    page = client.get(f"/staff/suggestions/{target.id}").get_data(as_text=True)
    assert rules.group_code(duplicate.code) in page  # 合并进来的
    client.post_form(f"/staff/suggestions/{target.id}/board", {"on_board": "0"})
    assert db.session.get(Suggestion, target.id).on_board is False
