"""Finding communities, and the demo subdistrict from the seed report."""

from sqlalchemy import select

from ..extensions import db
from .models import Community, Subdistrict

DEMO_SUBDISTRICT = ("tuanjie-xilu", "团结西路街道", "Tuanjie West Road Subdistrict")
DEMO_COMMUNITIES = [
    ("nanhuan", "南环社区", "Nanhuan Community"),
    ("limin", "利民社区", "Limin Community"),
    ("jianshe", "建设社区", "Jianshe Community"),
    ("shengli", "胜利社区", "Shengli Community"),
    ("yonghe", "永和社区", "Yonghe Community"),
]


def community_by_slug(slug: str) -> Community | None:
    return db.session.scalar(select(Community).where(Community.slug == slug))


def ensure_subdistrict(slug: str, name: str, name_en: str = "") -> Subdistrict:
    subdistrict = db.session.scalar(select(Subdistrict).where(Subdistrict.slug == slug))
    if subdistrict is None:
        subdistrict = Subdistrict(slug=slug, name=name, name_en=name_en)
        db.session.add(subdistrict)
        db.session.flush()
    return subdistrict


def ensure_community(
    subdistrict: Subdistrict, slug: str, name: str, name_en: str = ""
) -> Community:
    community = community_by_slug(slug)
    if community is None:
        community = Community(subdistrict=subdistrict, slug=slug, name=name, name_en=name_en)
        db.session.add(community)
        db.session.flush()
    return community


def seed_demo_communities() -> list[Community]:
    """团结西路街道 and its five 社区; running it again changes nothing."""
    subdistrict = ensure_subdistrict(*DEMO_SUBDISTRICT)
    return [ensure_community(subdistrict, *row) for row in DEMO_COMMUNITIES]
