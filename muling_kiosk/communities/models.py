"""街道 (subdistrict) and 社区 (community): every record of every feature belongs to one."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..i18n import current_locale


class Subdistrict(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    name_en: Mapped[str] = mapped_column(String(80), default="")

    communities: Mapped[list["Community"]] = relationship(
        back_populates="subdistrict", order_by="Community.id"
    )

    @property
    def display_name(self) -> str:
        return self.name_en if current_locale() == "en" and self.name_en else self.name


class Community(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    subdistrict_id: Mapped[int] = mapped_column(ForeignKey("subdistrict.id"), index=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    name_en: Mapped[str] = mapped_column(String(80), default="")
    # Retired by a subdistrict admin: gone from kiosk choices and new enrolments, its records
    # kept (and shown to staff); None while it serves.
    retired_at: Mapped[datetime | None] = mapped_column(default=None)

    subdistrict: Mapped[Subdistrict] = relationship(back_populates="communities")

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None

    @property
    def display_name(self) -> str:
        return self.name_en if current_locale() == "en" and self.name_en else self.name
