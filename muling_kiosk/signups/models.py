"""长者学堂: courses, their sessions, and who signed up for each (or waits for a place)."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..communities.models import Community
from ..database import utcnow
from ..extensions import db
from ..staff.models import Staff

# ClassSession.status
OPEN = "open"
CANCELLED = "cancelled"
CLOSED = "closed"  # sign-up closed by staff; those signed up keep their places
SESSION_STATUSES = (OPEN, CLOSED, CANCELLED)

# Signup.status
CONFIRMED = "confirmed"
WAITING = "waiting"
WITHDRAWN = "cancelled"
ACTIVE = (CONFIRMED, WAITING)

# Categories staff choose from (shown translated, see services.CATEGORY_NAMES).
CATEGORIES = ("phone", "calligraphy", "taichi", "health", "choir", "papercut", "other")


class Course(db.Model):
    """A class that meets one or many times: 书法, 太极拳 …"""

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    title: Mapped[str] = mapped_column(String(40))
    teacher: Mapped[str] = mapped_column(String(40), default="")
    place: Mapped[str] = mapped_column(String(60), default="")
    category: Mapped[str] = mapped_column(String(20), default="other")
    description: Mapped[str] = mapped_column(Text, default="")
    capacity: Mapped[int] = mapped_column(default=20)  # for new sessions
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    community: Mapped[Community] = relationship()
    sessions: Mapped[list["ClassSession"]] = relationship(
        back_populates="course", order_by="ClassSession.starts_at"
    )


class ClassSession(db.Model):
    """One meeting of a course at a time and place, with its own number of seats.
    The row every sign-up and cancellation locks first, so seats are counted one at a time."""

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    capacity: Mapped[int]
    status: Mapped[str] = mapped_column(String(10), default=OPEN)
    cancel_reason: Mapped[str] = mapped_column(String(200), default="")
    cancelled_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    course: Mapped[Course] = relationship(back_populates="sessions")
    signups: Mapped[list["Signup"]] = relationship(back_populates="session", order_by="Signup.id")

    __table_args__ = (
        # The class list: one community's sessions by time.
        Index("ix_class_session_community_starts", "community_id", "starts_at"),
    )

    @property
    def title(self) -> str:
        return self.course.title

    @property
    def place(self) -> str:
        return self.course.place

    @property
    def teacher(self) -> str:
        return self.course.teacher


class Signup(db.Model):
    """A place (confirmed) or a queue place (waiting) of one person in one session.
    The queue is in arrival order: the id, given under the session's lock."""

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("class_session.id"))
    name: Mapped[str] = mapped_column(String(20))
    # Stored whole (staff must be able to call), shown masked. None: a walk-in without one.
    phone: Mapped[str | None] = mapped_column(String(11))
    status: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The form's one-off key: a double tap or a resend answers with this same record.
    request_key: Mapped[str] = mapped_column(String(64), unique=True)
    # 代报名: the staff member who signed this person up on the tablet.
    created_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    promoted_at: Mapped[datetime | None]  # moved up from the queue
    cancelled_at: Mapped[datetime | None]
    attended_at: Mapped[datetime | None]
    walk_in: Mapped[bool] = mapped_column(default=False)
    # Made on a phone (not the station tablet): the hash of the cancel code on its receipt.
    cancel_code_hash: Mapped[str | None] = mapped_column(String(255))

    session: Mapped[ClassSession] = relationship(back_populates="signups")
    created_by: Mapped[Staff | None] = relationship()

    __table_args__ = (
        # One number holds at most one place or queue place per session (the final guard
        # behind the service's own check).
        Index("uq_signup_active_phone", "session_id", "phone", unique=True,
              sqlite_where=text("status IN ('confirmed', 'waiting')"),
              postgresql_where=text("status IN ('confirmed', 'waiting')")),
        # Counting seats and walking the queue of a session.
        Index("ix_signup_session_status", "session_id", "status", "id"),
        # 我的报名: a number's sign-ups.
        Index("ix_signup_phone", "phone"),
    )

    @property
    def community_id(self) -> int:
        return self.session.community_id

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE


class PersonDraft(db.Model):
    """One person's sign-up state on one device (signups/person.py): what they typed between
    下一步 and 确认, the number of 我的报名, the receipts' cancel codes. Kept here, not in the
    browser's session cookie (signed, not encrypted); the cookie holds a random key whose hash
    is the id. Rows expire on their own (person.KEPT)."""

    __tablename__ = "person_draft"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[dict] = mapped_column(db.JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
