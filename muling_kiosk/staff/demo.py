"""Demo staff accounts, one per role, for trying the kiosk. Never use them in production:
how to recognise them (check-production) and switch them off (remove-demo-accounts)."""

import secrets

from sqlalchemy import delete, select
from werkzeug.security import check_password_hash

from ..audit.services import record, snapshot
from ..communities.services import community_by_slug
from ..extensions import db
from .models import ADMIN, FACILITATOR, VOLUNTEER, Staff, StaffSession
from .services import AUDITED_FIELDS, create_staff, hash_password

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


# ---------- recognising them in a real installation ----------
#
# A demo account is one of DEMO_STAFF's user names whose published password or published PIN
# still opens it: the README prints both, so such an account is a door anyone can open. A
# real person may well be called "admin" with a password of their own: not a demo account.
# Not a marker column: a database seeded before this check existed is recognised as well.


def demo_accounts() -> list[Staff]:
    """The demo accounts still open with what the README publishes (active or not: an admin
    could switch one on again)."""
    published = {username: (password, pin) for username, _n, _r, _s, password, pin in DEMO_STAFF}
    found = []
    for staff in db.session.scalars(select(Staff).where(Staff.username.in_(list(published)))
                                    .order_by(Staff.id)):
        password, pin = published[staff.username]
        if check_password_hash(staff.password_hash, password) or (
                staff.pin_hash and check_password_hash(staff.pin_hash, pin)):
            found.append(staff)
    return found


def remove_demo_accounts() -> list[str]:
    """Close every demo account for good: deactivated, its password replaced by a random one
    nobody knows, its PIN removed, its sessions ended; audited. The row stays (the audit log
    and the records it made point at it), and seed-demo will not bring it back (the user name
    is taken). Returns the user names closed; the caller commits."""
    closed = []
    for staff in demo_accounts():
        before = snapshot(staff, AUDITED_FIELDS)
        staff.password_hash = hash_password(secrets.token_urlsafe(32))
        staff.pin_hash = None
        staff.active = False
        db.session.execute(delete(StaffSession).where(StaffSession.staff_id == staff.id))
        record("staff.remove_demo", staff, before=before, after=snapshot(staff, AUDITED_FIELDS),
               staff=None, actor="flask remove-demo-accounts")
        closed.append(staff.username)
    return closed
