"""What a resident enters: checked, kept as a draft (photos re-encoded) until it is
confirmed on the 请确认 screen, then made a suggestion with its tracking code.

keep_draft and confirm_draft are the two rules that commit, unlike the rest: the same step
arriving twice at once (a double tap, a resend) is only known when the database refuses the
second row, and the answer is to roll back and look again for what the first one made.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from ... import ratelimit
from ...audit.services import record
from ...communities.models import Community
from ...database import utcnow
from ...extensions import db
from ...idempotency import find_by_request_key
from ...privacy import NAME_MAX, clean_name, is_mobile, normalise_phone
from ...staff.models import Staff
from ...validation import Invalid, clean_text
from .. import photos as photo_rules
from ..models import (
    Suggestion,
    SuggestionDraft,
    SuggestionEvent,
    SuggestionLocation,
    SuggestionPhoto,
)
from .vocabulary import CATEGORIES, DRAFT_HOURS, MAX_PHOTOS, SUBMITTED, TEXT_MAX, TEXT_MIN, new_code

# ---------- what a resident enters ----------


@dataclass
class Entry:
    category: str = ""
    text: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    errors: dict = field(default_factory=dict)


def check_entry(category, text, contact_name="", contact_phone="") -> Entry:
    """The cleaned values and, per field, what is not right (with how to fix it)."""
    entry = Entry()
    entry.category = str(category or "")
    if entry.category not in CATEGORIES:
        entry.category = ""
        entry.errors["category"] = _l("Please choose what it is about.")
    entry.text = clean_text(text)
    if len(entry.text) < TEXT_MIN:
        entry.errors["text"] = _l("Please write at least %(min)s characters.", min=TEXT_MIN)
    elif len(entry.text) > TEXT_MAX:
        entry.errors["text"] = _l("Please shorten it to %(max)s characters (now %(count)s).",
                                  max=TEXT_MAX, count=len(entry.text))
    # Cleaned like the text (no direction marks or zero-width characters), on one line.
    name = clean_name(clean_text(contact_name))
    if len(name) > NAME_MAX:
        entry.errors["contact_name"] = _l("Use at most %(max)s ordinary characters.",
                                          max=NAME_MAX)
    entry.contact_name = name[:NAME_MAX]  # kept for the form shown again
    raw_phone = str(contact_phone or "").strip()
    phone = normalise_phone(raw_phone)
    if raw_phone and not is_mobile(phone):
        entry.errors["contact_phone"] = _l(
            "Please enter an 11-digit mobile number, or leave it empty.")
    entry.contact_phone = phone if is_mobile(phone) else ""
    return entry


# ---------- drafts: entered, not yet confirmed ----------


FIELDS = ("category", "text", "contact_name", "contact_phone")


def draft_values(draft: SuggestionDraft | None) -> dict:
    """What the draft holds, field by field, as the form shows it."""
    if draft is None:
        return {}
    return {"category": draft.category, "text": draft.text, "contact_name": draft.contact_name,
            "contact_phone": draft.contact_phone}


def entered(arrived, draft: SuggestionDraft | None) -> dict:
    """The entry as it now stands: each field that arrived (arrived: the form), and for a
    field the screen did not show, what the draft holds. The tablet's form comes in
    screens; what one screen does not show must not be lost."""
    kept = draft_values(draft)
    return {name: str(arrived[name]) if name in arrived else kept.get(name) or ""
            for name in FIELDS}


def draft_for(key: str | None, community_id: int) -> SuggestionDraft | None:
    if not key:
        return None
    return db.session.scalar(select(SuggestionDraft).where(
        SuggestionDraft.request_key == key, SuggestionDraft.community_id == community_id))


def draft_at(key: str | None, community_id: int,
             location: SuggestionLocation | None) -> SuggestionDraft | None:
    """The draft under this key if it was begun at this place (None: the tablet): a draft
    begun at one QR point is not taken over at another, nor on the tablet."""
    draft = draft_for(key, community_id)
    if draft is not None and draft.location_id != (location.id if location else None):
        return None
    return draft


def draft_photo(draft: SuggestionDraft, photo_id: int) -> SuggestionPhoto | None:
    return db.session.scalar(select(SuggestionPhoto).where(
        SuggestionPhoto.id == photo_id, SuggestionPhoto.draft_id == draft.id))


def save_draft(*, key: str, community: Community, location: SuggestionLocation | None,
               source: str, written_by: Staff | None, values: dict, uploads=(),
               remove_photo_ids=(), step_key: str | None = None
               ) -> tuple[SuggestionDraft, Entry]:
    """Keep what was entered under the form's key, photos re-encoded, even when something is
    not right yet: the form is shown again with the photos already there. The entry's
    errors say what to fix (a refused photo names the file and what to do). step_key is
    the key of the form as it was shown: the same step arriving twice changes the photos
    once."""
    _forget_old_drafts()
    draft = draft_for(key, community.id)
    if draft is not None and step_key is not None and draft.step_key == step_key:
        uploads, remove_photo_ids = (), ()  # a replay of a step already applied
    if draft is None:
        draft = SuggestionDraft(request_key=key, community_id=community.id,
                                location_id=location.id if location else None, source=source,
                                written_by_id=written_by.id if written_by else None)
        db.session.add(draft)
        db.session.flush()
    entry = check_entry(values.get("category"), values.get("text"),
                        values.get("contact_name"), values.get("contact_phone"))
    draft.step_key = step_key
    draft.category = entry.category
    draft.text = entry.text[: TEXT_MAX * 4]
    draft.contact_name = entry.contact_name
    draft.contact_phone = entry.contact_phone
    if remove_photo_ids:
        db.session.execute(delete(SuggestionPhoto).where(
            SuggestionPhoto.draft_id == draft.id, SuggestionPhoto.id.in_(list(remove_photo_ids))))
    photo_errors = _add_photos(draft, uploads)
    if photo_errors:
        entry.errors["photos"] = " ".join(photo_errors)
    db.session.flush()
    db.session.expire(draft, ["photos"])
    return draft, entry


def keep_draft(*, key: str, community: Community, location: SuggestionLocation | None,
               source: str, written_by: Staff | None, values: dict, uploads=(),
               remove_photo_ids=(), step_key: str | None = None
               ) -> tuple[SuggestionDraft, Entry]:
    """save_draft, committed. The same step racing in twice (PostgreSQL): the other one made
    the draft; this one, tried again, finds it and, being the same step, adds nothing.
    Photos come only from a phone: the tablet's form has no photo input."""
    if source != "phone":
        uploads = ()
    for attempt in (1, 2):
        try:
            draft, entry = save_draft(
                key=key, community=community, location=location, source=source,
                written_by=written_by, values=values, uploads=uploads,
                remove_photo_ids=remove_photo_ids, step_key=step_key)
            db.session.commit()
            break
        except IntegrityError:
            db.session.rollback()
            if attempt == 2:
                raise
    return draft, entry


def record_honeypot(community: Community) -> None:
    """A form that filled in the field only robots see: audited (no one's data), not kept."""
    record("suggestions.honeypot", None, staff=None, actor="form", community_id=community.id)


def _add_photos(draft: SuggestionDraft, uploads) -> list[str]:
    """Each upload is a photo_rules.Photo or PhotoRejected (decoded by photo_rules.prepare
    before the transaction), or (file name, stream), decoded here. Good ones join the draft;
    each refusal is a message. Empty file inputs (nothing chosen) are not uploads."""
    count = db.session.scalar(select(func.count(SuggestionPhoto.id))
                              .where(SuggestionPhoto.draft_id == draft.id)) or 0
    errors, too_many = [], False
    for upload in uploads:
        if count >= MAX_PHOTOS or upload is photo_rules.LEFT_OUT:
            too_many = True
            continue
        photo = upload
        if isinstance(upload, tuple):
            try:
                photo = photo_rules.process(upload[1], upload[0])
            except photo_rules.PhotoRejected as rejected:
                photo = rejected
        if isinstance(photo, photo_rules.PhotoRejected):
            errors.append(photo.message)
            continue
        db.session.add(SuggestionPhoto(draft_id=draft.id, position=count, width=photo.width,
                                       height=photo.height, byte_size=len(photo.data),
                                       data=photo.data))
        count += 1
    if too_many:
        errors.append(str(_l("At most %(max)s photos: the others were not added.",
                             max=MAX_PHOTOS)))
    return errors


def _forget_old_drafts() -> None:
    """Drafts nobody confirmed within a day go, with their photos."""
    old = select(SuggestionDraft.id).where(
        SuggestionDraft.created_at < utcnow() - timedelta(hours=DRAFT_HOURS))
    db.session.execute(delete(SuggestionPhoto).where(SuggestionPhoto.draft_id.in_(old)))
    db.session.execute(delete(SuggestionDraft).where(SuggestionDraft.id.in_(old)))


def submitted_with_key(key: str | None) -> Suggestion | None:
    return find_by_request_key(Suggestion, key)


def confirm_draft(key: str, community: Community, *, device: str, address: str,
                  exempt: bool = False) -> Suggestion:
    """submit_draft, committed: the suggestion, once, however often 确认提交 arrives. Rolled
    back when it raises (Invalid, ratelimit.RateLimited). A replay racing in (PostgreSQL's
    unique request key) answers with the suggestion the first one made."""
    try:
        suggestion = submit_draft(key, community, device=device, address=address,
                                  exempt=exempt)
        db.session.commit()
    except (ratelimit.RateLimited, Invalid):
        db.session.rollback()
        raise
    except IntegrityError:
        db.session.rollback()
        suggestion = submitted_with_key(key)
        if suggestion is None:
            raise
    return suggestion


def submit_draft(key: str, community: Community, *, device: str, address: str,
                 exempt: bool = False) -> Suggestion:
    """Confirm a draft: the suggestion, with its tracking code. A replay (a second tap, a
    resend after a dropped connection) answers with the suggestion the first one made.
    Invalid when the draft is gone or not right; ratelimit.RateLimited when this device or
    address has sent too many (the draft then stays for later)."""
    existing = submitted_with_key(key)
    if existing is not None:
        return existing
    # The lock makes a concurrent replay wait here; it then finds the suggestion above.
    draft = db.session.scalar(select(SuggestionDraft).where(
        SuggestionDraft.request_key == key, SuggestionDraft.community_id == community.id)
        .with_for_update())
    if draft is None:
        existing = submitted_with_key(key)
        if existing is not None:
            return existing
        raise Invalid({"draft": _l("This suggestion was not found. Please write it again.")})
    entry = check_entry(draft.category, draft.text, draft.contact_name, draft.contact_phone)
    if entry.errors:
        raise Invalid(entry.errors)
    if not exempt:
        ratelimit.count("suggestion", device, address)
    now = utcnow()
    suggestion = Suggestion(
        community_id=draft.community_id, location_id=draft.location_id, code=new_code(),
        request_key=key, category=entry.category, text=entry.text,
        contact_name=entry.contact_name, contact_phone=entry.contact_phone,
        source=draft.source, written_by_id=draft.written_by_id, state=SUBMITTED,
        created_at=now, updated_at=now)
    db.session.add(suggestion)
    db.session.flush()
    db.session.execute(update(SuggestionPhoto).where(SuggestionPhoto.draft_id == draft.id)
                       .values(suggestion_id=suggestion.id, draft_id=None))
    db.session.delete(draft)
    db.session.add(SuggestionEvent(suggestion_id=suggestion.id, at=now, kind="submitted",
                                   to_state=SUBMITTED, actor=suggestion.source,
                                   staff_id=suggestion.written_by_id))
    # No personal data in the audit log: the record says what came in, not from whom.
    record("suggestions.submit", suggestion, staff=suggestion.written_by,
           actor=None if suggestion.written_by else "resident",
           after={"category": suggestion.category, "source": suggestion.source})
    return suggestion
