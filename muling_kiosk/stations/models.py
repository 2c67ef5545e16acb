"""A station tablet: the enrollment of one device as a community's shared tablet."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..communities.models import Community
from ..database import utcnow
from ..extensions import db
from ..staff.models import Staff

ARMED = "armed"  # the facilitator handed the tablet over: the next ballot may be cast
RECORDED = "recorded"  # a ballot was recorded: "下一位" arms the tablet again


class Station(db.Model):
    """The device keeps a random token in a signed cookie; we keep only its hash. Revoking
    the record ends the tablet's powers at the next request."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    enrolled_at: Mapped[datetime] = mapped_column(default=utcnow)
    enrolled_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    # Pass-the-tablet: the poll whose ballot this tablet may take, and whether it may now
    # (ARMED) or waits for "下一位" (RECORDED). No foreign key: votes are another feature.
    ballot_poll_id: Mapped[int | None]
    ballot_state: Mapped[str] = mapped_column(String(10), default="")

    community: Mapped[Community] = relationship()
    enrolled_by: Mapped[Staff | None] = relationship(foreign_keys=[enrolled_by_id])
    revoked_by: Mapped[Staff | None] = relationship(foreign_keys=[revoked_by_id])

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
