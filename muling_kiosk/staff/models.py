"""Staff accounts, their sign-in sessions, and the counters behind the lock-out."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..communities.models import Community, Subdistrict
from ..database import utcnow
from ..extensions import db

ADMIN = "admin"
FACILITATOR = "facilitator"  # 社区工作者, 楼栋长, 网格长
VOLUNTEER = "volunteer"  # 格格管家
ROLES = (ADMIN, FACILITATOR, VOLUNTEER)


class Staff(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(40))
    password_hash: Mapped[str] = mapped_column(String(255))
    pin_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    subdistrict_id: Mapped[int] = mapped_column(ForeignKey("subdistrict.id"), index=True)
    # None: a subdistrict admin, who holds every community of the subdistrict.
    community_id: Mapped[int | None] = mapped_column(ForeignKey("community.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    subdistrict: Mapped[Subdistrict] = relationship()
    community: Mapped[Community | None] = relationship()

    @property
    def is_subdistrict_admin(self) -> bool:
        return self.role == ADMIN and self.community_id is None

    def can_access(self, community_id: int | None) -> bool:
        """Whether this person may see and change records of that community."""
        if community_id is None:
            return False
        if self.community_id is not None:
            return self.community_id == community_id
        community = db.session.get(Community, community_id)
        return community is not None and community.subdistrict_id == self.subdistrict_id

    def community_ids(self) -> list[int]:
        if self.community_id is not None:
            return [self.community_id]
        return [c.id for c in self.subdistrict.communities]


class StaffSession(db.Model):
    """A signed-in staff member: the browser holds a random token, we keep only its hash,
    so logging out or deactivating an account ends the session at once."""

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    via: Mapped[str] = mapped_column(String(10))  # "console" (password) or "tablet" (PIN)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    client: Mapped[str] = mapped_column(String(64), default="")

    staff: Mapped[Staff] = relationship()


class LoginThrottle(db.Model):
    """Wrong passwords or PINs counted per account and per client address."""

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    first_failure_at: Mapped[datetime | None]
    locked_until: Mapped[datetime | None]
