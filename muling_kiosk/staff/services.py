"""Staff rules: accounts, passwords and PINs, sign-in sessions, and the lock-out.

Views call these; nothing here reads the request. Every change is audited in the same
transaction; the caller commits.
"""

import math
import re
import secrets
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..audit.services import record, snapshot
from ..communities.models import Community
from ..database import utcnow
from ..extensions import db
from ..tokens import digest
from ..validation import Invalid
from .models import ADMIN, FACILITATOR, ROLES, VOLUNTEER, LoginThrottle, Staff, StaffSession

SESSION_HOURS = 8
MAX_FAILURES = 5
LOCK_MINUTES = 5
USERNAME = re.compile(r"[a-z0-9][a-z0-9_.-]{2,39}")
PIN = re.compile(r"\d{6}")
AUDITED_FIELDS = ("username", "display_name", "role", "community_id", "active")
ROLE_NAMES = {ADMIN: _l("Administrator"), FACILITATOR: _l("Facilitator"),
              VOLUNTEER: _l("Volunteer (Gege steward)")}
GENERIC_LOGIN_ERROR = _l("The user name or password is not right.")
# Never says whose PIN it is.
PIN_TAKEN = _l("这个 PIN 已有人在用，请换一个。")

# Wrong passwords, counted three ways within LOCK_MINUTES (PINs keep MAX_FAILURES per
# address). A stranger must not lock a real person out trivially, and guessing stays bounded:
# - one account from one address: 5, then that address is shut out of that account;
# - one address, whatever names it tries: 20, then it is shut out (name spraying); not 5:
#   everyone on the station Wi-Fi shares one address, the staff member too;
# - one account from all addresses: 30, then the account is shut for everyone. Reaching it
#   takes at least six addresses (each stops at 5), and it bounds a spread-out guesser to
#   30 tries per LOCK_MINUTES.
PASSWORD_FAILURES = {"pair": 5, "client": 20, "staff": 30}


def _dummy_hash(method: str) -> str:
    """A hash made the way real passwords are (the configured method, scrypt by default):
    checked when the user name is unknown, so the answer takes as long as for a known one
    (a pbkdf2 dummy answered in 25 ms where scrypt accounts took 298: names leaked)."""
    if method not in _DUMMY_HASHES:
        _DUMMY_HASHES[method] = generate_password_hash(secrets.token_hex(16), method=method)
    return _DUMMY_HASHES[method]


_DUMMY_HASHES: dict[str, str] = {}


class LockedOut(Exception):
    def __init__(self, seconds: int):
        super().__init__(seconds)
        self.seconds = seconds

    @property
    def minutes(self) -> int:
        return max(1, -(-self.seconds // 60))


# ---------- passwords and PINs ----------


def digits(raw: str | None) -> str:
    """What the keypad sent, without spaces or anything else."""
    return re.sub(r"\D", "", raw or "")[:20]


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["STAFF_PASSWORD_HASH"])


def hash_pin(pin: str) -> str:
    return generate_password_hash(pin, method=current_app.config["STAFF_PIN_HASH"])


def password_problem(password: str) -> str | None:
    if len(password) < 8:
        return _l("Use at least 8 characters.")
    if len(password) > 128:
        return _l("Use at most 128 characters.")
    return None


def pin_problem(pin: str) -> str | None:
    if not PIN.fullmatch(pin):
        return _l("The PIN is exactly 6 digits.")
    if len(set(pin)) == 1 or pin in "0123456789" or pin in "9876543210":
        return _l("This PIN is too easy to guess. Choose 6 digits that are not a simple row.")
    return None


# ---------- accounts ----------


def create_staff(*, username: str, display_name: str, role: str, subdistrict_id: int,
                 community_id: int | None, password: str, pin: str | None = None,
                 actor=None) -> Staff:
    username = (username or "").strip().lower()
    display_name = (display_name or "").strip()
    errors = _account_errors(username, display_name, role, community_id)
    if problem := password_problem(password or ""):
        errors["password"] = problem
    if pin and (problem := pin_problem(pin)):
        errors["pin"] = problem
    elif pin and pin_taken(pin, subdistrict_id):
        errors["pin"] = PIN_TAKEN
    if not errors and db.session.scalar(select(Staff.id).where(Staff.username == username)):
        errors["username"] = _l("This user name is taken.")
    if errors:
        raise Invalid(errors)
    staff = Staff(username=username, display_name=display_name, role=role,
                  subdistrict_id=subdistrict_id, community_id=community_id,
                  password_hash=hash_password(password), pin_hash=hash_pin(pin) if pin else None)
    db.session.add(staff)
    db.session.flush()
    record("staff.create", staff, after=snapshot(staff, AUDITED_FIELDS), **_by(actor))
    return staff


def update_staff(staff: Staff, *, display_name: str, role: str, community_id: int | None,
                 actor=None) -> Staff:
    display_name = (display_name or "").strip()
    errors = _account_errors(staff.username, display_name, role, community_id)
    if errors:
        raise Invalid(errors)
    before = snapshot(staff, AUDITED_FIELDS)
    staff.display_name, staff.role, staff.community_id = display_name, role, community_id
    record("staff.update", staff, before=before, after=snapshot(staff, AUDITED_FIELDS),
           **_by(actor))
    return staff


def set_active(staff: Staff, active: bool, actor=None) -> None:
    """Deactivating ends every session of that person at once."""
    before = snapshot(staff, AUDITED_FIELDS)
    staff.active = active
    if not active:
        db.session.execute(delete(StaffSession).where(StaffSession.staff_id == staff.id))
    record("staff.activate" if active else "staff.deactivate", staff, before=before,
           after=snapshot(staff, AUDITED_FIELDS), **_by(actor))


def reset_password(staff: Staff, new_password: str, actor=None,
                   current_token: str | None = None) -> None:
    """A new password set by an admin: every session of that person ends (but the admin's
    own, current_token, when they reset their own)."""
    if problem := password_problem(new_password or ""):
        raise Invalid({"password": problem})
    staff.password_hash = hash_password(new_password)
    record("staff.reset_password", staff, **_by(actor))
    end_other_sessions(staff, current_token)


def reset_pin(staff: Staff, new_pin: str, actor=None) -> None:
    if problem := pin_problem(new_pin or "") or (
            pin_taken(new_pin, staff.subdistrict_id, staff.id) and PIN_TAKEN):
        raise Invalid({"pin": problem})
    staff.pin_hash = hash_pin(new_pin)
    _end_tablet_sessions(staff)
    record("staff.reset_pin", staff, **_by(actor))


def pin_taken(pin: str, subdistrict_id: int, except_staff_id: int | None = None) -> bool:
    """Whether another account of the subdistrict has this PIN (a PIN names one person)."""
    others = db.session.scalars(select(Staff.pin_hash).where(
        Staff.subdistrict_id == subdistrict_id, Staff.pin_hash.is_not(None),
        Staff.id != (except_staff_id or 0))).all()
    return any(check_password_hash(pin_hash, pin) for pin_hash in others)


def _end_tablet_sessions(staff: Staff) -> None:
    """A new PIN ends the staff mode the old one opened on any tablet."""
    db.session.execute(delete(StaffSession).where(StaffSession.staff_id == staff.id,
                                                  StaffSession.via == "tablet"))


def change_own_password(staff: Staff, current: str, new: str, confirm: str,
                        current_token: str | None = None) -> None:
    """A new password: the person's other sessions end (another browser that knew the old
    password is signed out); the one they changed it in (current_token) stays."""
    errors = {}
    if not check_password_hash(staff.password_hash, current or ""):
        errors["current_password"] = _l("This is not your current password.")
    if problem := password_problem(new or ""):
        errors["new_password"] = problem
    elif new != confirm:
        errors["confirm_password"] = _l("The two new passwords are not the same.")
    if errors:
        raise Invalid(errors)
    staff.password_hash = hash_password(new)
    record("staff.change_password", staff, staff=staff)
    end_other_sessions(staff, current_token)


def change_own_pin(staff: Staff, current_password: str, pin: str, confirm: str) -> None:
    errors = {}
    if not check_password_hash(staff.password_hash, current_password or ""):
        errors["pin_password"] = _l("This is not your current password.")
    if problem := pin_problem(pin or ""):
        errors["pin"] = problem
    elif pin != confirm:
        errors["pin_confirm"] = _l("The two PINs are not the same.")
    elif not errors and pin_taken(pin, staff.subdistrict_id, staff.id):
        errors["pin"] = PIN_TAKEN
    if errors:
        raise Invalid(errors)
    staff.pin_hash = hash_pin(pin)
    _end_tablet_sessions(staff)
    record("staff.change_pin", staff, staff=staff)


def staff_visible_to(viewer: Staff):
    """The accounts an admin manages: those of their community (or subdistrict)."""
    query = select(Staff).where(Staff.subdistrict_id == viewer.subdistrict_id)
    if viewer.community_id is not None:
        query = query.where(Staff.community_id == viewer.community_id)
    return db.session.scalars(query.order_by(Staff.active.desc(), Staff.display_name)).all()


def communities_for(viewer: Staff) -> list[Community]:
    return [db.session.get(Community, cid) for cid in viewer.community_ids()]


def new_account_values(viewer: Staff) -> dict:
    """What the form for a new account holds before anything is chosen: the least role
    (volunteer) in the admin's own community, or for a 街道 admin the first community; a
    whole-subdistrict administrator is made only by choosing both on purpose."""
    ids = viewer.community_ids()
    return {"role": VOLUNTEER,
            "community_id": viewer.community_id or (ids[0] if ids else None)}


def _account_errors(username, display_name, role, community_id) -> dict:
    errors = {}
    if not USERNAME.fullmatch(username or ""):
        errors["username"] = _l("3 to 40 lowercase letters, digits, dots, dashes or underscores.")
    if not display_name:
        errors["display_name"] = _l("Please enter the name people know this person by.")
    elif len(display_name) > 40:
        errors["display_name"] = _l("Use at most 40 characters.")
    if role not in ROLES:
        errors["role"] = _l("Please choose a role.")
    elif community_id is None and role != ADMIN:
        errors["community_id"] = _l("Facilitators and volunteers belong to one community.")
    return errors


def _by(actor) -> dict:
    return {} if actor is None else {"staff": actor}


# ---------- signing in ----------


def authenticate(username: str, password: str, client: str, now: datetime | None = None) -> Staff:
    """The account for this user name and password, or Invalid (always the same message for
    an unknown name, a wrong password and an inactive account), or LockedOut."""
    now = now or utcnow()
    username = (username or "").strip().lower()
    staff = db.session.scalar(select(Staff).where(Staff.username == username))
    keys = _throttle_keys("password", client, staff)
    _refuse_if_locked(keys, now, "password", staff, username, None)
    if staff is None:
        check_password_hash(_dummy_hash(current_app.config["STAFF_PASSWORD_HASH"]),
                            password or "")
        valid = False
    else:
        valid = check_password_hash(staff.password_hash, password or "") and staff.active
    if not valid:
        _register_failure(keys, now, "password", staff, username, None)
        raise Invalid({"password": GENERIC_LOGIN_ERROR})
    # Only this address's count for this account: the address's and the account's run out
    # with their window, so a success of one's own cannot wipe a guesser's count.
    _clear_failures([key for key in keys if _kind(key) == "pair"])
    return staff


def unlock_with_pin(pin: str, community: Community, tablet: str,
                    now: datetime | None = None) -> Staff:
    """The active staff member of this kiosk's community whose PIN this is. tablet: which
    tablet asks (the station, else the address): wrong PINs are counted per tablet, and a
    success does not clear them (they may be someone else's guesses). A malformed PIN is a
    message, not a wrong try. PINs are unique in a subdistrict; one that two accounts still
    share (set before that rule) unlocks nobody and names nobody."""
    now = now or utcnow()
    pin = digits(pin)
    keys = _throttle_keys("pin", tablet, None)
    _refuse_if_locked(keys, now, "pin", None, "", community.id)
    if not PIN.fullmatch(pin):
        raise Invalid({"pin": _l("Please enter all 6 digits of your PIN.")})
    candidates = db.session.scalars(
        select(Staff).where(Staff.active.is_(True), Staff.pin_hash.is_not(None),
                            Staff.subdistrict_id == community.subdistrict_id)
    ).all()
    matches = [s for s in candidates
               if (s.community_id in (None, community.id)) and check_password_hash(s.pin_hash, pin)]
    if not matches:
        _register_failure(keys, now, "pin", None, "", community.id)
        raise Invalid({"pin": _l("This PIN is not right.")})
    if len(matches) > 1:
        raise Invalid({"pin": _l("这个 PIN 不止一人在用。请用密码登录，把 PIN 换掉。")})
    return matches[0]


def start_session(staff: Staff, via: str, client: str, now: datetime | None = None) -> str:
    """A new session (a new identifier at every sign-in); the browser keeps the token."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    db.session.add(StaffSession(token_hash=digest(token), staff_id=staff.id, via=via,
                                created_at=now, expires_at=now + timedelta(hours=SESSION_HOURS),
                                client=client[:64]))
    record("staff.login" if via == "console" else "staff.unlock_tablet", staff, staff=staff)
    return token


def end_other_sessions(staff: Staff, keep_token: str | None = None) -> int:
    """End every session of this person but the one holding keep_token (None: all), e.g.
    after a password or PIN change. Sessions live in the database and are looked up on every
    request, so the others are signed out at their next request. Returns how many ended."""
    query = delete(StaffSession).where(StaffSession.staff_id == staff.id)
    if keep_token:
        query = query.where(StaffSession.token_hash != digest(keep_token))
    ended = db.session.execute(query).rowcount or 0
    if ended:
        record("staff.end_other_sessions", staff, after={"sessions": ended})
    return ended


def end_session(token: str | None, reason: str = "staff.logout") -> None:
    if not token:
        return
    session = _session_for(token)
    if session is not None:
        record(reason, session.staff, staff=session.staff)
        db.session.delete(session)


def staff_for_token(token: str | None, now: datetime | None = None) -> tuple[Staff, str] | None:
    """The signed-in staff member and how they signed in, while the session is valid."""
    if not token:
        return None
    now = now or utcnow()
    session = _session_for(token)
    if session is None or session.expires_at <= now or not session.staff.active:
        return None
    return session.staff, session.via


def _session_for(token: str) -> StaffSession | None:
    return db.session.scalar(select(StaffSession).where(StaffSession.token_hash == digest(token)))


# ---------- lock-out ----------


def _throttle_keys(way: str, client: str, staff: Staff | None) -> list[str]:
    keys = [f"{way}:client:{client}"]
    if staff is not None:
        keys.append(f"{way}:staff:{staff.id}")
        if way == "password":
            keys.append(f"{way}:staff:{staff.id}:client:{client}")
    return keys


def _kind(key: str) -> str:
    """pair (an account from an address), client or staff."""
    _way, kind, rest = key.split(":", 2)
    return "pair" if kind == "staff" and ":client:" in rest else kind


def _max_failures(key: str) -> int:
    if key.startswith("password:"):
        return PASSWORD_FAILURES[_kind(key)]
    return MAX_FAILURES


def seconds_locked(keys: list[str], now: datetime) -> int:
    rows = db.session.scalars(select(LoginThrottle).where(LoginThrottle.key.in_(keys))).all()
    remaining = [(r.locked_until - now).total_seconds() for r in rows
                 if r.locked_until is not None and r.locked_until > now]
    return math.ceil(max(remaining, default=0))


def _audit_attempt(action, staff, username, community_id) -> None:
    record(action, staff, staff=None, actor=username or "", community_id=community_id,
           target_type="Staff" if staff else "")


def _refuse_if_locked(keys, now, way, staff, username, community_id) -> None:
    seconds = seconds_locked(keys, now)
    if seconds:
        _audit_attempt(f"staff.{way}_refused_locked", staff, username, community_id)
        db.session.commit()
        raise LockedOut(seconds)


def _register_failure(keys, now, way, staff, username, community_id) -> None:
    window = timedelta(minutes=LOCK_MINUTES)
    locked = False
    for key in keys:
        row = db.session.get(LoginThrottle, key, with_for_update=True)
        if row is None:
            row = LoginThrottle(key=key, failures=0)
            db.session.add(row)
        if row.first_failure_at is None or now - row.first_failure_at > window:
            row.failures, row.first_failure_at = 0, now
        row.failures += 1
        if row.failures >= _max_failures(key):
            row.locked_until, row.failures, row.first_failure_at = now + window, 0, None
            locked = True
    _audit_attempt(f"staff.{way}_failed", staff, username, community_id)
    if locked:
        _audit_attempt(f"staff.{way}_locked_out", staff, username, community_id)
    # The failure must be counted even though the caller answers with an error.
    db.session.commit()


def _clear_failures(keys) -> None:
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.key.in_(keys)))
