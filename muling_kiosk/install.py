"""A real installation: the first run without the demo (`flask setup`), and what must hold
before a production start (`flask check-production`). Plain functions; the caller commits."""

from dataclasses import dataclass, field

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from .communities import services as communities
from .communities.models import Community, Subdistrict
from .extensions import db
from .staff.demo import demo_accounts
from .staff.models import ADMIN, Staff
from .staff.services import create_staff
from .validation import Invalid

DEMO_SUBDISTRICT_SLUG = communities.DEMO_SUBDISTRICT[0]


@dataclass
class Plan:
    """What `flask setup` was given: the subdistrict, its communities, the first admin."""

    subdistrict: str
    subdistrict_en: str = ""
    subdistrict_slug: str = ""
    communities: list[tuple[str, str, str]] = field(default_factory=list)  # slug, name, en
    admin_username: str = ""
    admin_password: str = ""
    admin_pin: str = ""
    admin_name: str = ""


def parse_community(text: str) -> tuple[str, str, str]:
    """"slug:名称[:English]" → (slug, name, English name); ValueError when malformed."""
    parts = [part.strip() for part in (text or "").split(":", 2)]
    if len(parts) < 2 or not parts[0] or not parts[1]:
        raise ValueError(f"{text!r}: write it as slug:名称 or slug:名称:English")
    return parts[0].lower(), parts[1], parts[2] if len(parts) == 3 else ""


def installed() -> str | None:
    """What is already in the database (a sentence), or None when it is empty: setup never
    adds a second subdistrict or admin over an installation."""
    subdistricts = db.session.scalars(select(Subdistrict).order_by(Subdistrict.id)).all()
    staff_count = db.session.scalar(select(func.count(Staff.id)))
    if not subdistricts and not staff_count:
        return None
    names = "、".join(s.name for s in subdistricts) or "-"
    community_count = db.session.scalar(select(func.count(Community.id)))
    return (f"this database is already set up: {names}, {community_count} communities, "
            f"{staff_count} staff accounts")


def set_up(plan: Plan) -> tuple[Subdistrict, Staff]:
    """The subdistrict, its communities and its first admin (of the whole subdistrict), in
    the caller's transaction; Invalid (field → message; community fields as "community 2:
    name") with nothing kept when anything is wrong."""
    errors = {}
    name, name_en = " ".join(plan.subdistrict.split()), " ".join(plan.subdistrict_en.split())
    slug = (plan.subdistrict_slug or communities.slug_from(name_en) or
            communities.slug_from(name) or "subdistrict").lower()
    errors.update({f"subdistrict {k}": v for k, v in
                   communities.name_problems(name, name_en).items()})
    if problem := communities.slug_problem(slug):
        errors["subdistrict slug"] = problem
    if not plan.communities:
        errors["community"] = _l("Give at least one community.")
    if errors:
        raise Invalid(errors)
    subdistrict = Subdistrict(slug=slug, name=name, name_en=name_en)
    db.session.add(subdistrict)
    db.session.flush()
    for number, (c_slug, c_name, c_en) in enumerate(plan.communities, 1):
        try:
            communities.add_community(subdistrict, c_slug, c_name, c_en)
        except Invalid as invalid:
            errors.update({f"community {number} {k}": v for k, v in invalid.errors.items()})
    try:
        admin = create_staff(username=plan.admin_username,
                             display_name=plan.admin_name or plan.admin_username, role=ADMIN,
                             subdistrict_id=subdistrict.id, community_id=None,
                             password=plan.admin_password, pin=plan.admin_pin or None)
    except Invalid as invalid:
        errors.update({f"admin {k}": v for k, v in invalid.errors.items()})
    if errors:
        raise Invalid(errors)
    return subdistrict, admin


def nobody_can_sign_in() -> bool:
    """No active account at all: a fresh install before `flask setup`. (Not "no admin": with
    the last admin deactivated, facilitators must still be able to sign in.)"""
    return db.session.scalar(select(Staff.id).where(Staff.active.is_(True)).limit(1)) is None


def admin_exists() -> bool:
    """Whether anyone can sign in to the console as an admin (else: run `flask setup`)."""
    return db.session.scalar(select(Staff.id).where(
        Staff.role == ADMIN, Staff.active.is_(True)).limit(1)) is not None


@dataclass
class Readiness:
    problems: list[str]  # a production start refuses
    warnings: list[str]  # it starts, and says so


def production_readiness() -> Readiness:
    problems, warnings = [], []
    if current_app.config.get("DEMO"):
        problems.append("MULING_DEMO=1 is set: every browser would count as a station "
                        "tablet. Unset it for production.")
    demo = demo_accounts()
    if demo:
        names = ", ".join(staff.username for staff in demo)
        problems.append(f"demo accounts whose published password or PIN still works: {names}. "
                        f"Remove them: flask --app app remove-demo-accounts")
    if db.session.scalar(select(Subdistrict.id).where(
            Subdistrict.slug == DEMO_SUBDISTRICT_SLUG)) is not None:
        warnings.append("the demo's subdistrict (团结西路街道) and its data are in this "
                        "database: a real installation starts from an empty one")
    if not admin_exists():
        warnings.append("no admin can sign in yet: run flask --app app setup")
    return Readiness(problems, warnings)
