"""Rules of the 百姓畅言亭: locations, drafts and confirmed suggestions, the states a suggestion
moves through with a public reply at each step, merging, rating, the inbox, the public board.

Views call these; nothing here reads the request. Every staff change is audited in the same
transaction; the caller commits. Whatever moves a suggestion on — a staff member, the
resident's rating, a meeting's closed poll — does it through change_state (or add_note for a
public word without a new state), so the resident's history is always complete.
"""

import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import selectinload

from .. import ratelimit
from ..audit.services import record
from ..communities.models import Community
from ..database import utcnow
from ..extensions import db
from ..i18n import format_when
from ..idempotency import find_by_request_key
from ..privacy import (
    NAME_MAX,
    clean_name,
    is_mobile,
    mask_phone,
    normalise_phone,
)
from ..staff.models import ADMIN, FACILITATOR, VOLUNTEER, Staff
from ..validation import Invalid, clean_text
from . import photos as photo_rules
from .models import (
    Suggestion,
    SuggestionDraft,
    SuggestionEvent,
    SuggestionLocation,
    SuggestionPhoto,
)

# ---------- vocabulary ----------

CATEGORIES = {
    "parking": _l("Parking"),
    "greenery": _l("Greenery and environment"),
    "sanitation": _l("Cleanliness"),
    "safety": _l("Public safety"),
    "property": _l("Property management"),
    "neighbours": _l("Neighbour disputes"),
    "repairs": _l("Repairs"),
    "other": _l("Other"),
}

SUBMITTED = "submitted"      # 已提交 (民事民提)
DISCUSSING = "discussing"    # 讨论中 (民事民议)
DECIDED = "decided"          # 已决定 (民事民决)
IN_PROGRESS = "in_progress"  # 处理中 (民事民决)
RESOLVED = "resolved"        # 已解决
RATED = "rated"              # 已评价 (民事民评)
DECLINED = "declined"        # 未采纳
MERGED = "merged"            # 已合并 into another

STATE_NAMES = {
    SUBMITTED: _l("Submitted"),
    DISCUSSING: _l("Under discussion"),
    DECIDED: _l("Decided"),
    IN_PROGRESS: _l("In progress"),
    RESOLVED: _l("Resolved"),
    RATED: _l("Rated"),
    DECLINED: _l("Not adopted"),
    MERGED: _l("Merged"),
}
# The step of 民事民提 → 民事民议 → 民事民决 → 民事民评 a state belongs to.
STAGES = {
    SUBMITTED: _l("Residents raise it"),
    DISCUSSING: _l("Residents discuss it"),
    DECIDED: _l("Residents decide it"),
    IN_PROGRESS: _l("Residents decide it"),
    RESOLVED: _l("Residents decide it"),
    RATED: _l("Residents rate it"),
}
# Where a state may go next. RATED comes only from the resident's rating, MERGED only from
# merge(); a declined suggestion may be taken up again, a resolved one reopened before it
# is rated.
TRANSITIONS = {
    SUBMITTED: (DISCUSSING, DECIDED, IN_PROGRESS, DECLINED),
    DISCUSSING: (DECIDED, IN_PROGRESS, DECLINED),
    DECIDED: (IN_PROGRESS, RESOLVED, DECLINED),
    IN_PROGRESS: (RESOLVED,),
    RESOLVED: (IN_PROGRESS,),
    DECLINED: (DISCUSSING,),
    RATED: (),
    MERGED: (),
}
OPEN_STATES = (SUBMITTED, DISCUSSING, DECIDED, IN_PROGRESS)
CLOSED_STATES = (RESOLVED, RATED, DECLINED, MERGED)
# A 格格管家 works on what is assigned to them: they report progress, the facilitators and
# admins decide (discuss, decline, merge).
VOLUNTEER_STATES = (IN_PROGRESS, RESOLVED)
DECIDING_ROLES = (ADMIN, FACILITATOR)
ASSIGNABLE_ROLES = (VOLUNTEER, FACILITATOR)

RATINGS = {
    "satisfied": _l("Satisfied"),
    "fair": _l("Mostly satisfied"),
    "unsatisfied": _l("Not satisfied"),
}

SOURCES = {
    "phone": _l("Phone (QR poster)"),
    "kiosk": _l("Station tablet"),
    "staff": _l("Station tablet, written by staff"),
}

TEXT_MIN, TEXT_MAX = 5, 500
REPLY_MIN, REPLY_MAX = 2, 1000
COMMENT_MAX = 300
LOCATION_NAME_MAX = 60
MAX_PHOTOS = 3
DRAFT_HOURS = 24

# Tracking codes: no 0/O/1/I, so nobody mixes them up when reading one aloud.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 10  # 32 ** 10 = 2 ** 50


# ---------- small rules ----------


def new_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if db.session.scalar(select(Suggestion.id).where(Suggestion.code == code)) is None:
            return code


def normalise_code(raw: str | None) -> str:
    """What a person typed ("k7qm x-3pa9c") as a code ("K7QMX3PA9C"), if it can be one."""
    code = re.sub(r"[^0-9A-Za-z]", "", raw or "").upper()[:CODE_LENGTH * 2]
    return code if len(code) == CODE_LENGTH and all(c in CODE_ALPHABET for c in code) else ""


def group_code(code: str) -> str:
    """K7QMX-3PA9C: two groups of five, easier to read out and to copy."""
    return f"{code[:5]}-{code[5:]}" if len(code) == CODE_LENGTH else code


_NUMBER_RUN = re.compile(r"\d[\d \-]{5,}\d")


def mask_numbers(text: str) -> str:
    """Phone-like runs of 7 digits or more, masked: the board shows no one's number even
    when a resident typed it into the text."""
    def mask(match):
        digits = re.sub(r"\D", "", match.group())
        return mask_phone(digits) if len(digits) >= 7 else match.group()

    return _NUMBER_RUN.sub(mask, text)


def category_name(key: str) -> str:
    return str(CATEGORIES.get(key, CATEGORIES["other"]))


def state_name(key: str) -> str:
    return str(STATE_NAMES.get(key, key))


# ---------- locations ----------


def _location_name(raw) -> tuple[str, dict]:
    name = clean_name(clean_text(raw))
    if not name:
        return name, {"name": _l("Please give the place a name people know, e.g. 小区广场凉亭.")}
    if len(name) > LOCATION_NAME_MAX:
        return name[:LOCATION_NAME_MAX], {"name": _l("Use at most 60 ordinary characters.")}
    return name, {}


def create_location(community: Community, name: str, staff=None) -> SuggestionLocation:
    name, errors = _location_name(name)
    if errors:
        raise Invalid(errors)
    location = SuggestionLocation(community_id=community.id, name=name,
                                  token=secrets.token_urlsafe(16))
    db.session.add(location)
    db.session.flush()
    record("suggestions.create_location", location, after={"name": name}, **_by(staff))
    return location


def update_location(location: SuggestionLocation, name: str, active: bool,
                    staff=None) -> SuggestionLocation:
    name, errors = _location_name(name)
    if errors:
        raise Invalid(errors)
    before = {"name": location.name, "active": location.active}
    location.name, location.active = name, active
    record("suggestions.update_location", location, before=before,
           after={"name": name, "active": active}, **_by(staff))
    return location


def locations_of(community_ids: list[int]) -> list[SuggestionLocation]:
    return list(db.session.scalars(
        select(SuggestionLocation).where(SuggestionLocation.community_id.in_(community_ids))
        .order_by(SuggestionLocation.community_id, SuggestionLocation.active.desc(),
                  SuggestionLocation.id)))


def location_by_token(token: str, active_only: bool = True) -> SuggestionLocation | None:
    if not token or len(token) > 64:
        return None
    query = select(SuggestionLocation).where(SuggestionLocation.token == token)
    if active_only:
        query = query.where(SuggestionLocation.active.is_(True))
    return db.session.scalar(query)


def kiosk_location(community: Community | None) -> SuggestionLocation | None:
    """The QR the tablet shows: its community's first active location."""
    if community is None:
        return None
    return db.session.scalar(
        select(SuggestionLocation).where(SuggestionLocation.community_id == community.id,
                                         SuggestionLocation.active.is_(True))
        .order_by(SuggestionLocation.id).limit(1))


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


def draft_for(key: str | None, community_id: int) -> SuggestionDraft | None:
    if not key:
        return None
    return db.session.scalar(select(SuggestionDraft).where(
        SuggestionDraft.request_key == key, SuggestionDraft.community_id == community_id))


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


def _add_photos(draft: SuggestionDraft, uploads) -> list[str]:
    """Each upload is (file name, stream). Good ones join the draft; each refusal is a
    message. Empty file inputs (nothing chosen) are not uploads."""
    count = db.session.scalar(select(func.count(SuggestionPhoto.id))
                              .where(SuggestionPhoto.draft_id == draft.id)) or 0
    errors, too_many = [], False
    for name, stream in uploads:
        if count >= MAX_PHOTOS:
            too_many = True
            continue
        try:
            photo = photo_rules.process(stream, name)
        except photo_rules.PhotoRejected as rejected:
            errors.append(rejected.message)
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


# ---------- the life of a suggestion ----------


def suggestion_by_code(code: str) -> Suggestion | None:
    code = normalise_code(code)
    if not code:
        return None
    return db.session.scalar(select(Suggestion).where(Suggestion.code == code))


def locked(suggestion_id: int) -> Suggestion | None:
    """The suggestion with its row locked for this transaction (PostgreSQL; on SQLite the
    write request already holds the database lock)."""
    return db.session.scalar(select(Suggestion).where(Suggestion.id == suggestion_id)
                             .with_for_update())


def next_states(suggestion: Suggestion, staff: Staff | None) -> list[str]:
    """The states this person may move it to (staff None: the system, e.g. a meeting)."""
    allowed = list(TRANSITIONS.get(suggestion.state, ()))
    if staff is not None and staff.role == VOLUNTEER:
        if suggestion.assignee_id != staff.id:
            return []
        allowed = [s for s in allowed if s in VOLUNTEER_STATES]
    return allowed


def may_reply(suggestion: Suggestion, staff: Staff | None) -> bool:
    if suggestion.state == MERGED:
        return False
    return staff is None or staff.role in DECIDING_ROLES or suggestion.assignee_id == staff.id


def _reply(raw) -> tuple[str, dict]:
    reply = clean_text(raw)
    if len(reply) < REPLY_MIN:
        return reply, {"reply": _l("Please write the reply the resident will read.")}
    if len(reply) > REPLY_MAX:
        return reply, {"reply": _l("Please shorten the reply to %(max)s characters.",
                                   max=REPLY_MAX)}
    return reply, {}


def change_state(suggestion: Suggestion, to_state: str | None, reply: str, *,
                 staff: Staff | None = None, actor: str = "",
                 at: datetime | None = None) -> SuggestionEvent:
    """Move a suggestion on, with the public reply the resident reads on the status page.
    to_state None (or the current state) only adds the reply. staff None is the system
    (actor names it, e.g. "meeting"); its moves follow TRANSITIONS too. at: when it
    happened, if not now (a poll closed at that time)."""
    reply, errors = _reply(reply)
    from_state = suggestion.state
    keep = not to_state or to_state == from_state
    if keep:
        if not may_reply(suggestion, staff):
            errors["state"] = _l("You cannot reply to this suggestion.")
    elif to_state not in next_states(suggestion, staff):
        errors["state"] = _l("It cannot move from “%(from)s” to that state.",
                             **{"from": state_name(from_state)})
    if errors:
        raise Invalid(errors)
    now = at or utcnow()
    event = SuggestionEvent(suggestion_id=suggestion.id, at=now,
                            kind="note" if keep else "state", from_state=from_state,
                            to_state=from_state if keep else to_state, public_text=reply,
                            staff_id=staff.id if staff else None, actor=actor[:60])
    db.session.add(event)
    suggestion.updated_at = now
    if not keep:
        suggestion.state = to_state
    record("suggestions.reply" if keep else "suggestions.change_state", suggestion,
           before={"state": from_state}, after={"state": suggestion.state, "reply": reply},
           **_by(staff, actor))
    return event


def add_note(suggestion: Suggestion, text: str, *, staff: Staff | None = None,
             actor: str = "", at: datetime | None = None) -> SuggestionEvent:
    """A public word in the history without a new state (e.g. the result of a second vote
    on the same item)."""
    return change_state(suggestion, None, text, staff=staff, actor=actor, at=at)


def assignable_staff(suggestion: Suggestion) -> list[Staff]:
    return list(db.session.scalars(
        select(Staff).where(Staff.community_id == suggestion.community_id,
                            Staff.active.is_(True), Staff.role.in_(ASSIGNABLE_ROLES))
        .order_by(Staff.role.desc(), Staff.display_name)))


def assign(suggestion: Suggestion, assignee: Staff | None, *, staff: Staff) -> None:
    """Give it to a 格格管家 (or a facilitator) of its community to follow up; None: nobody."""
    if assignee is not None and (assignee.community_id != suggestion.community_id
                                 or not assignee.active
                                 or assignee.role not in ASSIGNABLE_ROLES):
        raise Invalid({"assignee": _l("Please choose someone of this community.")})
    before = suggestion.assignee_id
    suggestion.assignee_id = assignee.id if assignee else None
    db.session.add(SuggestionEvent(suggestion_id=suggestion.id, kind="assigned", public=False,
                                   from_state=suggestion.state, to_state=suggestion.state,
                                   public_text=assignee.display_name if assignee else "",
                                   staff_id=staff.id))
    record("suggestions.assign", suggestion, before={"assignee_id": before},
           after={"assignee_id": suggestion.assignee_id}, staff=staff)


def merge_candidates(suggestion: Suggestion) -> list[Suggestion]:
    """Suggestions it could join: same community, not itself, not merged; same category
    first, then newest."""
    query = (select(Suggestion)
             .where(Suggestion.community_id == suggestion.community_id,
                    Suggestion.id != suggestion.id, Suggestion.state != MERGED)
             .order_by((Suggestion.category == suggestion.category).desc(),
                       Suggestion.created_at.desc())
             .limit(200))
    return list(db.session.scalars(query))


def merge(duplicate: Suggestion, target: Suggestion | None, *, staff: Staff,
          reply: str = "") -> None:
    """The duplicate joins target: its reporter's status page then follows target. Those
    already merged into the duplicate follow target too (no chains)."""
    if duplicate.state in (RATED, MERGED):
        raise Invalid({"target": _l("This suggestion cannot be merged any more.")})
    if (target is None or target.id == duplicate.id or target.state == MERGED
            or target.community_id != duplicate.community_id):
        raise Invalid({"target": _l("Please choose another suggestion of this community.")})
    reply = clean_text(reply)[:REPLY_MAX]
    before = duplicate.state
    now = utcnow()
    db.session.execute(update(Suggestion).where(Suggestion.merged_into_id == duplicate.id)
                       .values(merged_into_id=target.id))
    duplicate.merged_into_id = target.id
    duplicate.state = MERGED
    duplicate.updated_at = now
    db.session.add(SuggestionEvent(suggestion_id=duplicate.id, at=now, kind="merged",
                                   from_state=before, to_state=MERGED, public_text=reply,
                                   staff_id=staff.id))
    db.session.add(SuggestionEvent(suggestion_id=target.id, at=now, kind="merged_here",
                                   from_state=target.state, to_state=target.state,
                                   staff_id=staff.id))
    record("suggestions.merge", duplicate, before={"state": before},
           after={"state": MERGED, "merged_into_id": target.id}, staff=staff)


def set_on_board(suggestion: Suggestion, on_board: bool, *, staff: Staff) -> None:
    before = suggestion.on_board
    suggestion.on_board = on_board
    db.session.add(SuggestionEvent(suggestion_id=suggestion.id, kind="board", public=False,
                                   from_state=suggestion.state, to_state=suggestion.state,
                                   public_text="1" if on_board else "0", staff_id=staff.id))
    record("suggestions.set_on_board", suggestion, before={"on_board": before},
           after={"on_board": on_board}, staff=staff)


def reveal_phone(suggestion: Suggestion, *, staff: Staff) -> str:
    """The whole number, to call the resident back; who looked is in the audit log."""
    record("suggestions.reveal_phone", suggestion, staff=staff)
    return suggestion.contact_phone


def rate(suggestion: Suggestion, rating: str, comment: str = "") -> SuggestionEvent:
    """The resident rates a resolved suggestion, once; it is then 已评价."""
    errors = {}
    if suggestion.state == RATED:
        raise Invalid({"rating": _l("This suggestion has already been rated. Thank you.")})
    if suggestion.state != RESOLVED:
        errors["rating"] = _l("It can be rated once it is resolved.")
    if rating not in RATINGS:
        errors["rating"] = _l("Please choose one of the three answers.")
    comment = clean_text(comment)
    if len(comment) > COMMENT_MAX:
        errors["comment"] = _l("Please shorten it to %(max)s characters (now %(count)s).",
                               max=COMMENT_MAX, count=len(comment))
    if errors:
        raise Invalid(errors)
    now = utcnow()
    suggestion.rating, suggestion.rating_comment, suggestion.rated_at = rating, comment, now
    suggestion.state, suggestion.updated_at = RATED, now
    event = SuggestionEvent(suggestion_id=suggestion.id, at=now, kind="rated",
                            from_state=RESOLVED, to_state=RATED, public_text=comment,
                            actor="resident")
    db.session.add(event)
    record("suggestions.rate", suggestion, staff=None, actor="resident",
           before={"state": RESOLVED}, after={"state": RATED, "rating": rating})
    return event


def public_history(suggestion: Suggestion) -> list[SuggestionEvent]:
    return [e for e in suggestion.events if e.public]


def photo_of(suggestion: Suggestion, number: int) -> SuggestionPhoto | None:
    """The number-th photo (1-based) of a suggestion."""
    photos = suggestion.photos
    return photos[number - 1] if 1 <= number <= len(photos) else None


def draft_photo(draft: SuggestionDraft, photo_id: int) -> SuggestionPhoto | None:
    return db.session.scalar(select(SuggestionPhoto).where(
        SuggestionPhoto.id == photo_id, SuggestionPhoto.draft_id == draft.id))


# ---------- the staff inbox ----------


@dataclass
class InboxFilters:
    state: str = ""       # a state, "open", or "" for all
    category: str = ""
    location_id: int | None = None  # 0: typed on the tablet (no location)
    day_from: date | None = None
    day_to: date | None = None
    q: str = ""
    assignee_id: int | None = None


def inbox_query(viewer: Staff, filters: InboxFilters, tz=UTC):
    query = select(Suggestion).where(Suggestion.community_id.in_(viewer.community_ids()))
    if filters.state == "open":
        query = query.where(Suggestion.state.in_(OPEN_STATES))
    elif filters.state in STATE_NAMES:
        query = query.where(Suggestion.state == filters.state)
    if filters.category in CATEGORIES:
        query = query.where(Suggestion.category == filters.category)
    if filters.location_id == 0:
        query = query.where(Suggestion.location_id.is_(None))
    elif filters.location_id:
        query = query.where(Suggestion.location_id == filters.location_id)
    if filters.day_from:
        query = query.where(Suggestion.created_at >= _start_of(filters.day_from, tz))
    if filters.day_to:
        query = query.where(Suggestion.created_at < _start_of(filters.day_to + timedelta(days=1),
                                                              tz))
    if filters.assignee_id:
        query = query.where(Suggestion.assignee_id == filters.assignee_id)
    if filters.q:
        code = normalise_code(filters.q)
        words = Suggestion.text.icontains(filters.q, autoescape=True)
        query = query.where(or_(words, Suggestion.code == code) if code else words)
    return query.order_by(Suggestion.created_at.desc(), Suggestion.id.desc())


def _start_of(day: date, tz) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz)


def counts_by_state(viewer: Staff) -> dict[str, int]:
    rows = db.session.execute(
        select(Suggestion.state, func.count(Suggestion.id))
        .where(Suggestion.community_id.in_(viewer.community_ids()))
        .group_by(Suggestion.state))
    return dict(rows.all())


def latest_reply(suggestion: Suggestion) -> str:
    for event in reversed(suggestion.events):
        if event.public and event.kind in ("state", "note") and event.public_text:
            return event.public_text
    return ""


def export_table(suggestions) -> tuple[list[str], list[list]]:
    """The inbox as a table for CSV and Excel. Phone numbers masked: a number to call back
    is revealed one at a time on screen, and that is audited."""
    header = [_("Code"), _("Submitted"), _("Category"), _("Place"), _("Source"), _("State"),
              _("Suggestion"), _("Name"), _("Phone"), _("Assigned to"), _("Rating"),
              _("Rating comment"), _("Latest reply")]
    rows = []
    for s in suggestions:
        rows.append([
            group_code(s.code), format_when(s.created_at, "date") + " " +
            format_when(s.created_at, "time"), category_name(s.category),
            s.location.name if s.location else str(SOURCES.get(s.source, "")),
            str(SOURCES.get(s.source, s.source)), state_name(s.state), s.text, s.contact_name,
            mask_phone(s.contact_phone), s.assignee.display_name if s.assignee else "",
            str(RATINGS[s.rating]) if s.rating in RATINGS else "", s.rating_comment,
            latest_reply(s)])
    return header, rows


# ---------- the public board ----------


def board_query(community_id: int, category: str = ""):
    """Suggestions staff have looked at, newest first: what is only 已提交 may still hold
    something not for everyone's eyes, and merged ones appear as the one they joined."""
    query = select(Suggestion).where(
        Suggestion.community_id == community_id, Suggestion.on_board.is_(True),
        Suggestion.state.not_in((SUBMITTED, MERGED)))
    if category in CATEGORIES:
        query = query.where(Suggestion.category == category)
    # The replies of the whole page in one query, not one per suggestion.
    return (query.options(selectinload(Suggestion.events))
            .order_by(Suggestion.created_at.desc(), Suggestion.id.desc()))


def board_item(community_id: int, suggestion_id: int) -> Suggestion | None:
    """One suggestion of the board, or None if the board does not show it."""
    return db.session.scalar(board_query(community_id).where(Suggestion.id == suggestion_id))


def board_replies(suggestion: Suggestion) -> list[SuggestionEvent]:
    """The community's replies, oldest first. Not the resident's rating comment: they wrote
    it for the community, not for the board (the board shows the rating itself)."""
    return [e for e in suggestion.events
            if e.public and e.kind in ("state", "note") and e.public_text]


def _by(staff, actor: str = "") -> dict:
    if staff is not None:
        return {"staff": staff}
    return {"staff": None, "actor": actor or "system"}
