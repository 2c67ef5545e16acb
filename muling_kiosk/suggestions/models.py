"""百姓畅言亭: QR points, suggestions, their public history, pending drafts and photos.

A suggestion's life is a list of SuggestionEvent rows: every state change carries a public
reply the resident reads on the status page; staff-only steps (assignment) are events too,
marked not public. Anything that moves a suggestion on — a staff member, the resident's
rating, a meeting's closed poll — goes through services.change_state and leaves one.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..communities.models import Community
from ..database import utcnow
from ..extensions import db
from ..staff.models import Staff
from ..votes.models import AgendaItem


class SuggestionLocation(db.Model):
    """A QR point (the pavilion, a notice board, the station door): its poster's QR opens
    the phone form at /m/s/<token>."""

    __tablename__ = "suggestion_location"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    # secrets.token_urlsafe(16): unguessable, so a poster cannot be forged for a place.
    token: Mapped[str] = mapped_column(String(43), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    community: Mapped[Community] = relationship()


class Suggestion(db.Model):
    __tablename__ = "suggestion"
    # The inbox and the board: one community's suggestions, newest first.
    __table_args__ = (Index("ix_suggestion_community_created", "community_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    location_id: Mapped[int | None] = mapped_column(ForeignKey("suggestion_location.id"),
                                                    index=True)
    # The tracking code the resident keeps (10 letters of a 32-letter alphabet: 50 bits).
    code: Mapped[str] = mapped_column(String(10), unique=True)
    # The one-off key of the form that created it: a replayed confirmation finds it.
    request_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    category: Mapped[str] = mapped_column(String(20), index=True)
    text: Mapped[str] = mapped_column(Text)
    # Optional; staff see them masked, never the public or the tracking code.
    contact_name: Mapped[str] = mapped_column(String(20), default="")
    contact_phone: Mapped[str] = mapped_column(String(20), default="")
    # "phone" (from a QR poster), "kiosk" (typed on the tablet), "staff" (a volunteer on the
    # tablet wrote it for someone: written_by says who).
    source: Mapped[str] = mapped_column(String(10))
    written_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    state: Mapped[str] = mapped_column(String(20), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("suggestion.id"), index=True)
    # Staff may keep a sensitive one (a quarrel between neighbours) off the public board.
    on_board: Mapped[bool] = mapped_column(default=True)
    rating: Mapped[str | None] = mapped_column(String(12))
    rating_comment: Mapped[str] = mapped_column(Text, default="")
    rated_at: Mapped[datetime | None]
    # 提交议事会: the agenda item it became. Its poll's result comes back into the history
    # by itself (meetings.py). An item removed from the agenda unlinks it.
    agenda_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_item.id", ondelete="SET NULL"), index=True)

    community: Mapped[Community] = relationship()
    location: Mapped[SuggestionLocation | None] = relationship()
    written_by: Mapped[Staff | None] = relationship(foreign_keys=[written_by_id])
    assignee: Mapped[Staff | None] = relationship(foreign_keys=[assignee_id])
    merged_into: Mapped["Suggestion | None"] = relationship(remote_side=[id])
    agenda_item: Mapped[AgendaItem | None] = relationship()
    events: Mapped[list["SuggestionEvent"]] = relationship(
        back_populates="suggestion", order_by="[SuggestionEvent.at, SuggestionEvent.id]",
        cascade="all, delete-orphan")
    photos: Mapped[list["SuggestionPhoto"]] = relationship(
        primaryjoin="SuggestionPhoto.suggestion_id == Suggestion.id",
        order_by="SuggestionPhoto.position", viewonly=True)


class SuggestionEvent(db.Model):
    """One step in a suggestion's history. public_text is what the resident reads."""

    __tablename__ = "suggestion_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    suggestion_id: Mapped[int] = mapped_column(ForeignKey("suggestion.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    # submitted, state, merged, merged_here, rated, assigned, board
    kind: Mapped[str] = mapped_column(String(20))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str | None] = mapped_column(String(20))
    public: Mapped[bool] = mapped_column(default=True)
    public_text: Mapped[str] = mapped_column(Text, default="")
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    # Who acted when it was not a staff member: "resident", "meeting", "kiosk" …
    actor: Mapped[str] = mapped_column(String(60), default="")

    suggestion: Mapped[Suggestion] = relationship(back_populates="events")
    staff: Mapped[Staff | None] = relationship()


class SuggestionDraft(db.Model):
    """What a resident has entered but not confirmed yet (ACCESSIBILITY row 9): the photos
    are re-encoded at the first submit and wait here, so 返回修改 keeps them. Keyed by the
    form's one-off request key; the suggestion made from it keeps that key."""

    __tablename__ = "suggestion_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_key: Mapped[str] = mapped_column(String(64), unique=True)
    # The one-off key of the form shown last: the same step sent twice (a double tap, a
    # resend) is applied once, so its photos are not added twice.
    step_key: Mapped[str | None] = mapped_column(String(64))
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    location_id: Mapped[int | None] = mapped_column(ForeignKey("suggestion_location.id"))
    source: Mapped[str] = mapped_column(String(10))
    written_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    category: Mapped[str] = mapped_column(String(20), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    contact_name: Mapped[str] = mapped_column(String(20), default="")
    contact_phone: Mapped[str] = mapped_column(String(20), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    location: Mapped[SuggestionLocation | None] = relationship()
    photos: Mapped[list["SuggestionPhoto"]] = relationship(
        primaryjoin="SuggestionPhoto.draft_id == SuggestionDraft.id",
        order_by="SuggestionPhoto.position", viewonly=True)


class SuggestionPhoto(db.Model):
    """A photo as we re-encoded it (JPEG, ≤ 1600 px, no EXIF): never the uploaded bytes.
    It belongs to a draft until the resident confirms, then to the suggestion."""

    __tablename__ = "suggestion_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    suggestion_id: Mapped[int | None] = mapped_column(ForeignKey("suggestion.id"), index=True)
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("suggestion_draft.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    width: Mapped[int]
    height: Mapped[int]
    byte_size: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
