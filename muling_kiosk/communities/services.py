"""Finding communities, the demo subdistrict from the seed report, and the subdistrict
admin's communities: add, rename, retire, restore."""

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..audit.services import record, snapshot
from ..database import utcnow
from ..extensions import db
from ..validation import Invalid, clean_text
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


# ---------- a subdistrict admin's communities (console and `flask setup`) ----------
#
# Nothing here reads the request; every change is audited in its transaction; the caller
# commits. Retiring keeps every record: a community that stops serving must not lose its
# history, and it can be restored.

SLUG = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?")
NAME_MAX, NAME_EN_MAX = 60, 80
AUDITED_FIELDS = ("slug", "name", "name_en", "retired_at")


def slug_from(text: str) -> str:
    """A slug made from an English (ASCII) name: "Tuanjie West Road" → "tuanjie-west-road";
    "" when nothing ASCII is left (a Chinese name needs its slug given)."""
    slug = re.sub(r"[^a-z0-9]+", "-", (text or "").lower()).strip("-")
    return slug[:40].rstrip("-")


def name_problems(name: str, name_en: str, taken_names=()) -> dict:
    errors = {}
    if not name:
        errors["name"] = _l("Please enter the name.")
    elif len(name) > NAME_MAX:
        errors["name"] = _l("Use at most %(count)s characters.", count=NAME_MAX)
    elif name in taken_names:
        errors["name"] = _l("Another community already has this name.")
    if len(name_en) > NAME_EN_MAX:
        errors["name_en"] = _l("Use at most %(count)s characters.", count=NAME_EN_MAX)
    return errors


def slug_problem(slug: str) -> str | None:
    if not slug:
        return _l("Please enter a short name for addresses, e.g. shengli.")
    if len(slug) > 40 or not SLUG.fullmatch(slug):
        return _l("1 to 40 lowercase letters, digits or dashes (not at either end), "
                  "e.g. shengli.")
    return None


def _clean(text) -> str:
    return " ".join(clean_text(text).split())


def communities_of(subdistrict_id: int) -> list[Community]:
    """All of a subdistrict's communities, serving ones first, then by name."""
    return list(db.session.scalars(
        select(Community).where(Community.subdistrict_id == subdistrict_id)
        .order_by(Community.retired_at.is_not(None), Community.id)))


def serving(communities) -> list[Community]:
    """Those not retired: what new enrolments and the kiosk's choices may offer."""
    return [c for c in communities if c is not None and not c.is_retired]


def _names_in(subdistrict_id: int, except_id: int | None = None) -> set[str]:
    return set(db.session.scalars(select(Community.name).where(
        Community.subdistrict_id == subdistrict_id, Community.id != (except_id or 0))))


def add_community(subdistrict: Subdistrict, slug: str, name: str, name_en: str = "",
                  actor=None) -> Community:
    """A new community of the subdistrict; Invalid for an empty, too long or taken slug or
    name (slugs are unique everywhere, names within the subdistrict)."""
    slug, name, name_en = (slug or "").strip().lower(), _clean(name), _clean(name_en)
    errors = name_problems(name, name_en, _names_in(subdistrict.id))
    if problem := slug_problem(slug):
        errors["slug"] = problem
    elif community_by_slug(slug) is not None:
        errors["slug"] = _l("Another community already uses %(slug)s.", slug=slug)
    if errors:
        raise Invalid(errors)
    community = Community(subdistrict=subdistrict, slug=slug, name=name, name_en=name_en)
    db.session.add(community)
    db.session.flush()
    _audit("community.create", community, None, actor)
    return community


def rename_community(community: Community, name: str, name_en: str = "", actor=None) -> None:
    """A new name (Chinese and English); the slug stays: posters and tablets use it."""
    name, name_en = _clean(name), _clean(name_en)
    errors = name_problems(name, name_en, _names_in(community.subdistrict_id, community.id))
    if errors:
        raise Invalid(errors)
    before = snapshot(community, AUDITED_FIELDS)
    community.name, community.name_en = name, name_en
    _audit("community.rename", community, before, actor)


def retire_community(community: Community, actor=None) -> bool:
    """Hidden from the kiosk's choices and new enrolments; its records stay. False when it
    was retired already (a second click changes nothing)."""
    if community.is_retired:
        return False
    before = snapshot(community, AUDITED_FIELDS)
    community.retired_at = utcnow()
    _audit("community.retire", community, before, actor)
    return True


def restore_community(community: Community, actor=None) -> bool:
    if not community.is_retired:
        return False
    before = snapshot(community, AUDITED_FIELDS)
    community.retired_at = None
    _audit("community.restore", community, before, actor)
    return True


def _audit(action: str, community: Community, before: dict | None, actor) -> None:
    by = {} if actor is None else {"staff": actor}
    record(action, community, before=before, after=snapshot(community, AUDITED_FIELDS),
           community_id=community.id, **by)
