"""Demo staff accounts, one per role, for trying the kiosk. Never use them in production."""

from sqlalchemy import select

from ..communities.services import community_by_slug
from ..extensions import db
from .models import ADMIN, FACILITATOR, VOLUNTEER, Staff
from .services import create_staff

# username, display name, role, community slug (None: the whole subdistrict), password, PIN
DEMO_STAFF = [
    ("jiedao", "街道管理员 周芳", ADMIN, None, "demo-jiedao-2026", "802468"),
    ("admin", "社区管理员 刘洋", ADMIN, "shengli", "demo-admin-2026", "246810"),
    ("zhuchi", "主持人 陈静", FACILITATOR, "shengli", "demo-zhuchi-2026", "135790"),
    ("gege", "格格管家 赵桂芝", VOLUNTEER, "shengli", "demo-gege-2026", "147258"),
]


def seed_demo_staff() -> list[str]:
    lines = ["演示账号 (demo only):"]
    for username, name, role, slug, password, pin in DEMO_STAFF:
        community = community_by_slug(slug) if slug else community_by_slug("shengli")
        if db.session.scalar(select(Staff.id).where(Staff.username == username)) is None:
            create_staff(username=username, display_name=name, role=role,
                         subdistrict_id=community.subdistrict_id,
                         community_id=community.id if slug else None,
                         password=password, pin=pin, actor=None)
        lines.append(f"  {role:<12} {username:<8} password {password:<18} PIN {pin}  {name}")
    return lines
