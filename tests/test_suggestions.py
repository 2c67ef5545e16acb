"""百姓畅言亭 rules, through the services: photos, tracking codes, what a resident may enter,
drafts and their confirmation, the states with their public replies, merging, rating, the
rate limit and the demo data."""

import io
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from muling_kiosk import ratelimit
from muling_kiosk.audit.models import AuditEvent
from muling_kiosk.database import utcnow
from muling_kiosk.extensions import db
from muling_kiosk.suggestions import photos
from muling_kiosk.suggestions import services as rules
from muling_kiosk.suggestions.models import (
    Suggestion,
    SuggestionDraft,
    SuggestionLocation,
    SuggestionPhoto,
)
from muling_kiosk.validation import Invalid, clean_text

from .factories_suggestions import (
    eleven_mb_jpeg,
    gps_exif,
    huge_png,
    jpeg_bytes,
    png_bytes,
)

# ---------- photos ----------


def test_a_jpeg_carrying_gps_comes_back_without_any_exif_upright_and_small(app):
    raw = jpeg_bytes(size=(4000, 3000), exif=gps_exif())
    uploaded = Image.open(io.BytesIO(raw))
    assert uploaded.getexif().get_ifd(0x8825)[2] == (38.0, 28.0, 12.5)  # it really has GPS

    photo = photos.process(io.BytesIO(raw), "IMG_0001.jpg")

    kept = Image.open(io.BytesIO(photo.data))
    assert kept.format == "JPEG"
    assert dict(kept.getexif()) == {} and "exif" not in kept.info
    assert b"Exif\x00\x00" not in photo.data and b"PhoneMaker" not in photo.data
    # Orientation 6 (the phone held on its side) applied: 4000×3000 becomes 1200×1600.
    assert kept.size == (photo.width, photo.height) == (1200, 1600)
    assert photo.data != raw


def test_png_and_webp_are_accepted_and_transparency_becomes_white(app):
    photo = photos.process(io.BytesIO(png_bytes(size=(3200, 800))), "plan.png")
    kept = Image.open(io.BytesIO(photo.data))
    assert (kept.format, kept.mode, kept.size) == ("JPEG", "RGB", (1600, 400))
    red, green, _blue = kept.getpixel((10, 10))
    assert red > 100 and green > 150  # half-transparent green on white, not on black
    webp = io.BytesIO()
    Image.new("RGB", (300, 200), (0, 0, 255)).save(webp, "WEBP")
    assert photos.process(io.BytesIO(webp.getvalue()), "x.webp").width == 300


@pytest.mark.parametrize(("make", "name", "words"), [
    (lambda: "这是一个文本文件，不是照片。".encode(), "照片.jpg", "不是我们能打开的照片"),
    (huge_png, "big.png", "太大了，打不开"),
    (eleven_mb_jpeg, "big.jpg", "超过了 10 MB"),
    (lambda: jpeg_bytes()[:300], "cut.jpg", "不是我们能打开的照片"),
    (lambda: _gif(), "moving.gif", "不是我们能打开的照片"),
])
def test_what_is_not_a_usable_photo_is_refused_with_what_to_do(app, make, name, words):
    with pytest.raises(photos.PhotoRejected) as refused:
        photos.process(io.BytesIO(make()), name)
    assert words in refused.value.message and f"“{name}”" in refused.value.message


def _gif() -> bytes:
    buffer = io.BytesIO()
    Image.new("P", (20, 20)).save(buffer, "GIF")
    return buffer.getvalue()


def test_a_decompression_bomb_warning_is_refused_too(app):
    """Between Pillow's warning and its error limit: still refused, never decoded."""
    side = int((Image.MAX_IMAGE_PIXELS * 1.2) ** 0.5)
    with pytest.raises(photos.PhotoRejected):
        photos.process(io.BytesIO(huge_png(side, side)), "wide.png")


# ---------- tracking codes and what a resident enters ----------


def test_tracking_codes_are_random_unambiguous_and_forgiving_to_type(app):
    assert len(rules.CODE_ALPHABET) == 32 and not set("0O1I") & set(rules.CODE_ALPHABET)
    assert rules.CODE_LENGTH * 5 >= 40  # bits of randomness
    codes = {rules.new_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(c) == 10 and set(c) <= set(rules.CODE_ALPHABET) for c in codes)
    code = codes.pop()
    assert rules.group_code(code) == f"{code[:5]}-{code[5:]}"
    assert rules.normalise_code(f" {code[:5].lower()} - {code[5:]} ") == code
    assert rules.normalise_code("O0I1O0I1O0") == ""  # letters a code never has
    assert rules.normalise_code("ABC") == ""


@pytest.mark.parametrize(("text", "error"), [
    ("1234", "请至少写 5 个字"),
    ("12345", None),
    ("字" * 500, None),
    ("字" * 501, "最多 500 个字，现在是 501 个字"),
    ("  \n\n 路灯坏了 \n", "请至少写 5 个字"),  # 4 characters once trimmed
])
def test_the_text_is_5_to_500_characters(app, text, error):
    entry = rules.check_entry("repairs", text)
    found = entry.errors.get("text")
    assert (str(found).startswith(error) if error else found is None)


def test_control_characters_and_direction_overrides_never_reach_the_record(app):
    assert clean_text("路灯\x00坏了\x07\r\n三盏\u202e灯\t。") == "路灯坏了\n三盏灯\t。"


def test_direction_marks_and_zero_width_characters_never_reach_text_or_name(app):
    entry = rules.check_entry("repairs", "\u200f路灯\u200e坏了\u2067三盏\u200b。\ufeff",
                              "\u202e王\u200d阿姨\u200f", "")
    assert entry.errors == {}
    assert (entry.text, entry.contact_name) == ("路灯坏了三盏。", "王阿姨")
    # Only invisible characters: nothing is left, so it is too short, not stored as written.
    assert "text" in rules.check_entry("repairs", "\u200f" * 10).errors


def test_a_place_name_loses_invisible_characters_too(community):
    location = rules.create_location(community, "\u200f小区\u200b广场凉亭\u202e")
    assert location.name == "小区广场凉亭"


def test_category_name_and_number_are_checked(app):
    entry = rules.check_entry("sports", "路灯坏了三盏。", "王" * 21, "12345")
    assert set(entry.errors) == {"category", "contact_name", "contact_phone"}
    entry = rules.check_entry("repairs", "路灯坏了三盏。", " 王 阿姨 ", "138-1234-5678")
    assert entry.errors == {}
    assert (entry.contact_name, entry.contact_phone) == ("王 阿姨", "13812345678")
    assert rules.check_entry("repairs", "路灯坏了三盏。", "", "abc").errors.keys() == {
        "contact_phone"}


def test_numbers_typed_into_a_text_are_masked_for_the_board():
    assert rules.mask_numbers("请打 139 1234 5678 找我，3号楼2单元") == "请打 139****5678 找我，3号楼2单元"
    assert rules.mask_numbers("电话0951-6012345") == "电话095****2345"


@pytest.mark.parametrize(("written", "shown"), [
    ("打138.1234.5678", "打138****5678"),
    ("１３８－１２３４－５６７８", "138****5678"),
    ("１３８１２３４５６７８找我", "138****5678找我"),
    ("138 . 1234 . 5678", "138****5678"),
    ("138\u30001234\u30005678", "138****5678"),
    ("138—1234—5678", "138****5678"),
    ("（0951）6012345", "（095****2345"),
    ("本地 6012345", "本地 60***45"),
    ("2026.11.24 开会，3号楼2单元201室", "2026.11.24 开会，3号楼2单元201室"),
])
def test_phone_numbers_with_any_separators_or_full_width_digits_are_masked(written, shown):
    assert rules.mask_numbers(written) == shown


# ---------- drafts and confirmation ----------


def _draft(community, location=None, key="k" * 22, **values):
    values = {"category": "repairs", "text": "凉亭的灯坏了三盏。", **values}
    return rules.save_draft(key=key, community=community, location=location, source="phone",
                            written_by=None, values=values,
                            uploads=[("a.jpg", io.BytesIO(jpeg_bytes()))])


def test_confirming_a_draft_makes_one_suggestion_however_often(community, make_location):
    location = make_location()
    draft, entry = _draft(community, location)
    assert entry.errors == {} and len(draft.photos) == 1
    db.session.commit()
    assert db.session.scalar(select(func.count(Suggestion.id))) == 0  # not before 确认

    first = rules.submit_draft("k" * 22, community, device="d", address="a")
    db.session.commit()
    again = rules.submit_draft("k" * 22, community, device="d", address="a")
    assert again.id == first.id
    assert db.session.scalar(select(func.count(Suggestion.id))) == 1
    assert db.session.scalar(select(func.count(SuggestionDraft.id))) == 0
    assert [p.suggestion_id for p in db.session.scalars(select(SuggestionPhoto))] == [first.id]
    assert (first.state, first.location_id, first.source) == ("submitted", location.id, "phone")
    assert [e.kind for e in first.events] == ["submitted"]
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "suggestions.submit"))
    assert audit.after == {"category": "repairs", "source": "phone"}  # no personal data


def test_a_draft_keeps_good_photos_while_something_else_is_wrong(community):
    draft, entry = rules.save_draft(
        key="x" * 22, community=community, location=None, source="phone", written_by=None,
        values={"category": "", "text": "灯"},
        uploads=[("ok.jpg", io.BytesIO(jpeg_bytes())), ("bad.jpg", io.BytesIO(b"no")),
                 ("ok2.png", io.BytesIO(png_bytes()))])
    assert set(entry.errors) == {"category", "text", "photos"}
    assert "“bad.jpg”" in entry.errors["photos"]
    assert len(draft.photos) == 2
    with pytest.raises(Invalid):
        rules.submit_draft("x" * 22, community, device="d", address="a")
    # Fixed on the second try, one photo removed, two more offered: three at most.
    draft, entry = rules.save_draft(
        key="x" * 22, community=community, location=None, source="phone", written_by=None,
        values={"category": "repairs", "text": "灯坏了好几天了。"},
        uploads=[(name, io.BytesIO(jpeg_bytes())) for name in ("c.jpg", "d.jpg", "e.jpg")],
        remove_photo_ids=[draft.photos[0].id])
    assert len(draft.photos) == 3
    assert "最多 3 张照片，多出来的没有加上" in entry.errors["photos"]


def test_drafts_nobody_confirmed_are_forgotten_after_a_day(community):
    draft, _entry = _draft(community, key="old" * 8)
    draft.created_at = utcnow() - timedelta(hours=25)
    db.session.commit()
    _draft(community, key="new" * 8)
    assert db.session.scalars(select(SuggestionDraft.request_key)).all() == ["new" * 8]
    assert db.session.scalar(select(func.count(SuggestionPhoto.id))) == 1


def test_a_gone_draft_cannot_be_confirmed(community):
    with pytest.raises(Invalid) as invalid:
        rules.submit_draft("gone" * 6, community, device="d", address="a")
    assert "draft" in invalid.value.errors


# ---------- the states, each with a public reply ----------


def test_a_suggestion_moves_through_every_state_with_a_public_reply(make_suggestion,
                                                                     make_staff):
    staff = make_staff("facilitator")
    suggestion = make_suggestion()
    replies = [(rules.DISCUSSING, "下周四议事会讨论。"), (rules.DECIDED, "议事会通过：画禁停线。"),
               (rules.IN_PROGRESS, "物业在画线。"), (rules.RESOLVED, "线画好了。")]
    for state, reply in replies:
        rules.change_state(suggestion, state, reply, staff=staff)
        db.session.commit()
        assert suggestion.state == state
    rules.rate(suggestion, "satisfied", "好多了。")
    db.session.commit()
    assert suggestion.state == rules.RATED and suggestion.rating == "satisfied"
    history = rules.public_history(suggestion)
    assert [(e.kind, e.to_state) for e in history] == [
        ("submitted", "submitted"), *[("state", s) for s, _ in replies], ("rated", "rated")]
    assert [e.public_text for e in history[1:5]] == [r for _, r in replies]
    changes = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "suggestions.change_state").order_by(AuditEvent.id)).all()
    assert [(a.before["state"], a.after["state"]) for a in changes] == [
        ("submitted", "discussing"), ("discussing", "decided"), ("decided", "in_progress"),
        ("in_progress", "resolved")]
    assert {a.staff_id for a in changes} == {staff.id}


def test_every_change_needs_a_public_reply(make_suggestion, make_staff):
    suggestion = make_suggestion()
    with pytest.raises(Invalid) as invalid:
        rules.change_state(suggestion, rules.DECLINED, "  \n ", staff=make_staff("admin"))
    assert set(invalid.value.errors) == {"reply"}
    assert suggestion.state == rules.SUBMITTED


@pytest.mark.parametrize(("start", "to"), [
    ("submitted", "resolved"), ("submitted", "rated"), ("submitted", "merged"),
    ("in_progress", "discussing"), ("rated", "in_progress"), ("merged", "discussing"),
    ("declined", "resolved"), ("submitted", "flying"),
])
def test_moves_the_loop_does_not_allow(make_suggestion, make_staff, start, to):
    suggestion = make_suggestion(state=start)
    with pytest.raises(Invalid) as invalid:
        rules.change_state(suggestion, to, "答复。", staff=make_staff("admin"))
    assert "state" in invalid.value.errors and suggestion.state == start


def test_a_declined_suggestion_can_be_taken_up_again_and_a_resolved_one_reopened(
        make_suggestion, make_staff):
    admin = make_staff("admin")
    declined = make_suggestion(state=rules.DECLINED)
    rules.change_state(declined, rules.DISCUSSING, "大家又提起来了，重新讨论。", staff=admin)
    resolved = make_suggestion(state=rules.RESOLVED)
    rules.change_state(resolved, rules.IN_PROGRESS, "居民说还没修好，继续处理。", staff=admin)
    assert (declined.state, resolved.state) == (rules.DISCUSSING, rules.IN_PROGRESS)


def test_a_reply_without_a_new_state_is_a_public_note(make_suggestion, make_staff):
    suggestion = make_suggestion(state=rules.IN_PROGRESS)
    event = rules.change_state(suggestion, None, "配件到了，明天装。", staff=make_staff("admin"))
    assert (event.kind, suggestion.state) == ("note", rules.IN_PROGRESS)
    assert rules.public_history(suggestion)[-1].public_text == "配件到了，明天装。"


def test_a_closed_poll_can_decide_it_without_a_staff_member(make_suggestion):
    """The hook the meetings feature will call: the system moves it on, with the result."""
    suggestion = make_suggestion(state=rules.DISCUSSING)
    rules.add_note(suggestion, "已提交到11月26日板凳议事会。", actor="meeting")
    event = rules.change_state(suggestion, rules.DECIDED, "议事会表决通过（赞成 27，反对 2）。",
                               actor="meeting")
    db.session.commit()
    assert (suggestion.state, event.staff_id, event.actor) == (rules.DECIDED, None, "meeting")
    audit = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "suggestions.change_state")).one()
    assert (audit.staff_id, audit.actor) == (None, "meeting")


def test_volunteers_report_progress_only_on_what_is_assigned_to_them(make_suggestion,
                                                                     make_staff):
    volunteer = make_staff("volunteer")
    mine = make_suggestion(state=rules.DECIDED, assignee_id=volunteer.id)
    other = make_suggestion(state=rules.DECIDED)
    assert rules.next_states(mine, volunteer) == [rules.IN_PROGRESS, rules.RESOLVED]
    assert rules.next_states(other, volunteer) == []
    with pytest.raises(Invalid):
        rules.change_state(other, rules.IN_PROGRESS, "我来办。", staff=volunteer)
    with pytest.raises(Invalid):
        rules.change_state(mine, rules.DECLINED, "不办了。", staff=volunteer)
    rules.change_state(mine, rules.IN_PROGRESS, "已经联系物业。", staff=volunteer)
    assert mine.state == rules.IN_PROGRESS


def test_assigning_to_someone_of_the_community(make_suggestion, make_staff, make_community):
    admin = make_staff("admin")
    suggestion = make_suggestion()
    volunteer = make_staff("volunteer")
    rules.assign(suggestion, volunteer, staff=admin)
    assert suggestion.assignee_id == volunteer.id
    assert rules.assignable_staff(suggestion) == [volunteer]
    elsewhere = make_staff("volunteer", community=make_community())
    for wrong in (elsewhere, make_staff("admin")):
        with pytest.raises(Invalid):
            rules.assign(suggestion, wrong, staff=admin)
    rules.assign(suggestion, None, staff=admin)
    assert suggestion.assignee_id is None
    assert [e.public for e in suggestion.events if e.kind == "assigned"] == [False, False]


# ---------- merging and rating ----------


def test_a_duplicate_joins_another_and_those_that_joined_it_follow(make_suggestion, make_staff):
    admin = make_staff("admin")
    first, second, third = make_suggestion(), make_suggestion(), make_suggestion()
    rules.merge(third, second, staff=admin)
    rules.merge(second, first, staff=admin, reply="和3号楼那条一起办。")
    db.session.commit()
    assert (second.state, second.merged_into_id) == (rules.MERGED, first.id)
    assert third.merged_into_id == first.id  # no chains
    assert second.events[-1].kind == "merged" and second.events[-1].public_text == "和3号楼那条一起办。"
    assert [e.kind for e in first.events][-1] == "merged_here"
    for bad_target in (second, first):  # a merged one, or itself
        with pytest.raises(Invalid):
            rules.merge(first if bad_target is first else make_suggestion(), bad_target,
                        staff=admin)


def test_merging_stays_within_a_community_and_before_the_rating(make_suggestion, make_staff,
                                                                  make_community):
    admin = make_staff("admin")
    here = make_suggestion()
    there = make_suggestion(community=make_community())
    with pytest.raises(Invalid):
        rules.merge(here, there, staff=admin)
    with pytest.raises(Invalid):
        rules.merge(make_suggestion(state=rules.RATED, rating="fair"), here, staff=admin)


def test_a_resolved_suggestion_is_rated_once(make_suggestion):
    suggestion = make_suggestion(state=rules.IN_PROGRESS)
    with pytest.raises(Invalid):
        rules.rate(suggestion, "satisfied")  # not resolved yet
    suggestion.state = rules.RESOLVED
    with pytest.raises(Invalid):
        rules.rate(suggestion, "great")
    with pytest.raises(Invalid):
        rules.rate(suggestion, "satisfied", "字" * 301)
    rules.rate(suggestion, "unsatisfied", "清了两天又满了。")
    with pytest.raises(Invalid):
        rules.rate(suggestion, "satisfied")
    assert (suggestion.state, suggestion.rating) == (rules.RATED, "unsatisfied")


# ---------- the rate limit ----------


@pytest.fixture
def limited(make_app):
    app = make_app(RATELIMIT_ENABLED=True)
    with app.app_context():
        yield app


def test_five_suggestions_in_ten_minutes_from_one_device_or_address(limited):
    for _ in range(5):
        ratelimit.check("suggestion", "phone-a", "10.0.0.1")
        ratelimit.count("suggestion", "phone-a", "10.0.0.1")
    with pytest.raises(ratelimit.RateLimited) as limit:
        ratelimit.check("suggestion", "phone-a", "10.0.0.9")
    assert 590 <= limit.value.seconds <= 600 and limit.value.minutes == 10
    with pytest.raises(ratelimit.RateLimited):  # a new device id from the same address
        ratelimit.count("suggestion", "phone-b", "10.0.0.1")
    ratelimit.count("suggestion", "phone-c", "10.0.0.2")


def test_the_limits_are_configurable_and_the_address_limit_apart(make_app):
    app = make_app(RATELIMIT_ENABLED=True, SUGGESTION_RATE_LIMIT="2 per minute",
                   SUGGESTION_ADDRESS_RATE_LIMIT="3 per hour")
    with app.app_context():
        ratelimit.count("suggestion", "a", "wifi")
        ratelimit.count("suggestion", "a", "wifi")
        with pytest.raises(ratelimit.RateLimited) as limit:
            ratelimit.count("suggestion", "a", "wifi")
        assert limit.value.seconds <= 60
        ratelimit.count("suggestion", "b", "wifi")
        with pytest.raises(ratelimit.RateLimited) as limit:
            ratelimit.count("suggestion", "c", "wifi")
        assert limit.value.seconds > 3000


def test_staff_writing_on_the_tablet_is_not_limited(limited, community):
    for n in range(7):
        rules.save_draft(key=f"staff-written-{n:08d}", community=community, location=None,
                         source="staff", written_by=None,
                         values={"category": "other", "text": "代居民写的建议。"})
        rules.submit_draft(f"staff-written-{n:08d}", community, device="tablet",
                           address="10.0.0.5", exempt=True)
    assert db.session.scalar(select(func.count(Suggestion.id))) == 7


# ---------- locations and demo data ----------


def test_locations_have_unguessable_tokens_and_a_name(community):
    location = rules.create_location(community, " 小区广场凉亭 ")
    other = rules.create_location(community, "3号楼公告栏")
    assert location.name == "小区广场凉亭" and len(location.token) >= 22
    assert location.token != other.token
    with pytest.raises(Invalid):
        rules.create_location(community, "  ")
    rules.update_location(location, "凉亭", False)
    assert rules.location_by_token(location.token) is None
    assert rules.location_by_token(location.token, active_only=False) is location
    assert rules.kiosk_location(community) is other


def test_demo_data_covers_every_state_and_seeding_twice_adds_nothing(runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    counts = (db.session.scalar(select(func.count(Suggestion.id))),
              db.session.scalar(select(func.count(SuggestionLocation.id))))
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0 and "0 条建议" in result.output
    assert (db.session.scalar(select(func.count(Suggestion.id))),
            db.session.scalar(select(func.count(SuggestionLocation.id)))) == counts
    from muling_kiosk.communities.services import community_by_slug

    yonghe, shengli = community_by_slug("yonghe"), community_by_slug("shengli")
    states = set(db.session.scalars(select(Suggestion.state).where(
        Suggestion.community_id == yonghe.id)))
    assert states == set(rules.STATE_NAMES)
    pavilion = db.session.scalar(select(SuggestionLocation).where(
        SuggestionLocation.name.contains("凉亭"), SuggestionLocation.community_id == yonghe.id))
    assert db.session.scalar(select(func.count(Suggestion.id)).where(
        Suggestion.location_id == pavilion.id)) >= 4
    rated = db.session.scalars(select(Suggestion).where(Suggestion.state == rules.RATED)).all()
    assert len(rated) >= 3 and all(s.rating for s in rated)
    assert rules.kiosk_location(shengli) is not None
    assert db.session.scalar(select(func.count(Suggestion.id)).where(
        Suggestion.community_id == shengli.id, Suggestion.state != rules.SUBMITTED)) >= 3
    oldest = db.session.scalar(select(func.min(Suggestion.created_at)))
    assert utcnow() - oldest > timedelta(days=60)  # a few months
