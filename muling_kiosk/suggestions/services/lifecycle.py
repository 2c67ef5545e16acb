"""The life of a suggestion after it is confirmed: the states it moves through with a public
reply at each step, assigning, merging, the public board's switch, the phone number revealed
to call back, the resident's rating, and what the resident's status page shows."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from ...audit.services import record
from ...database import utcnow
from ...extensions import db
from ...staff.models import VOLUNTEER, Staff
from ...validation import Invalid, clean_text
from ..models import Suggestion, SuggestionEvent, SuggestionPhoto
from .vocabulary import (
    ASSIGNABLE_ROLES,
    COMMENT_MAX,
    DECIDING_ROLES,
    MERGED,
    RATED,
    RATINGS,
    REPLY_MAX,
    REPLY_MIN,
    RESOLVED,
    TRANSITIONS,
    VOLUNTEER_STATES,
    by_whom,
    has_hidden_numbers,
    normalise_code,
    state_name,
)


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
           **by_whom(staff, actor))
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


def merged_here(suggestion: Suggestion) -> list[Suggestion]:
    """The duplicates merged into this one."""
    return list(db.session.scalars(select(Suggestion).where(
        Suggestion.merged_into_id == suggestion.id)))


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


def may_reveal_phone(suggestion: Suggestion, staff: Staff) -> bool:
    """Who may see the whole number: admins, facilitators and the assigned volunteer."""
    return bool(suggestion.contact_phone) and (
        staff.role in DECIDING_ROLES or suggestion.assignee_id == staff.id)


def reveal_phone(suggestion: Suggestion, *, staff: Staff) -> str:
    """The whole number, to call the resident back; who looked is in the audit log."""
    record("suggestions.reveal_phone", suggestion, staff=staff)
    return suggestion.contact_phone


def may_reveal_text(suggestion: Suggestion, staff: Staff) -> bool:
    """A number typed into the text is masked on staff screens too; the same people who may
    see the contact's number may see the text whole."""
    return has_hidden_numbers(suggestion.text) and (
        staff.role in DECIDING_ROLES or suggestion.assignee_id == staff.id)


def reveal_text(suggestion: Suggestion, *, staff: Staff) -> str:
    """The text with the numbers in it, to call back; who looked is in the audit log."""
    record("suggestions.reveal_text", suggestion, staff=staff)
    return suggestion.text


def rate(suggestion: Suggestion, rating: str, comment: str = "") -> SuggestionEvent:
    """The resident rates a resolved suggestion, once; it is then 已评价."""
    errors = {}
    if suggestion.state == RATED:
        raise Invalid({"rating": _l("This suggestion has already been rated. Thank you.")})
    if suggestion.state != RESOLVED:
        errors["rating"] = _l("It can be rated once it is resolved.")
    comment = clean_text(comment)
    errors.update(check_rating(rating, comment))
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


def check_rating(rating: str, comment: str) -> dict:
    """What is not right in a rating as chosen (comment cleaned), per field: the resident's
    check step shows it back only when nothing is, and rate() asks the same."""
    errors = {}
    if rating not in RATINGS:
        errors["rating"] = _l("Please choose one of the three answers.")
    if len(comment) > COMMENT_MAX:
        errors["comment"] = _l("Please shorten it to %(max)s characters (now %(count)s).",
                               max=COMMENT_MAX, count=len(comment))
    return errors


def public_history(suggestion: Suggestion) -> list[SuggestionEvent]:
    return [e for e in suggestion.events if e.public]


def photo_of(suggestion: Suggestion, number: int) -> SuggestionPhoto | None:
    """The number-th photo (1-based) of a suggestion."""
    photos = suggestion.photos
    return photos[number - 1] if 1 <= number <= len(photos) else None

