"""The words of the 百姓畅言亭 and the small rules every other part uses: the categories, the
states a suggestion moves through and where each may go next, the ratings, the sources, the
limits, the tracking codes, and who an audited change is by."""

import re
import unicodedata

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...extensions import db
from ...privacy import mask_phone
from ...staff.models import ADMIN, FACILITATOR, VOLUNTEER
from ...tokens import choose
from ..models import Suggestion

# ---------- vocabulary ----------

CATEGORIES = {
    "parking": _l("Parking"),
    "greenery": _l("Greenery and environment"),
    "sanitation": _l("Cleanliness"),
    "safety": _l("Public safety"),
    "property": _l("Property management"),
    "neighbours": _l("Neighbour disputes"),
    "repairs": _l("Repairs"),
    "other": _l("Other"),
}

SUBMITTED = "submitted"      # 已提交 (民事民提)
DISCUSSING = "discussing"    # 讨论中 (民事民议)
DECIDED = "decided"          # 已决定 (民事民决)
IN_PROGRESS = "in_progress"  # 处理中 (民事民决)
RESOLVED = "resolved"        # 已解决
RATED = "rated"              # 已评价 (民事民评)
DECLINED = "declined"        # 未采纳
MERGED = "merged"            # 已合并 into another

STATE_NAMES = {
    SUBMITTED: _l("Submitted"),
    DISCUSSING: _l("Under discussion"),
    DECIDED: _l("Decided"),
    IN_PROGRESS: _l("In progress"),
    RESOLVED: _l("Resolved"),
    RATED: _l("Rated"),
    DECLINED: _l("Not adopted"),
    MERGED: _l("Merged"),
}
# The step of 民事民提 → 民事民议 → 民事民决 → 民事民评 a state belongs to.
STAGES = {
    SUBMITTED: _l("Residents raise it"),
    DISCUSSING: _l("Residents discuss it"),
    DECIDED: _l("Residents decide it"),
    IN_PROGRESS: _l("Residents decide it"),
    RESOLVED: _l("Residents decide it"),
    RATED: _l("Residents rate it"),
}
# Where a state may go next. RATED comes only from the resident's rating, MERGED only from
# merge(); a declined suggestion may be taken up again, a resolved one reopened before it
# is rated.
TRANSITIONS = {
    SUBMITTED: (DISCUSSING, DECIDED, IN_PROGRESS, DECLINED),
    DISCUSSING: (DECIDED, IN_PROGRESS, DECLINED),
    DECIDED: (IN_PROGRESS, RESOLVED, DECLINED),
    IN_PROGRESS: (RESOLVED,),
    RESOLVED: (IN_PROGRESS,),
    DECLINED: (DISCUSSING,),
    RATED: (),
    MERGED: (),
}
OPEN_STATES = (SUBMITTED, DISCUSSING, DECIDED, IN_PROGRESS)
CLOSED_STATES = (RESOLVED, RATED, DECLINED, MERGED)
# A 格格管家 works on what is assigned to them: they report progress, the facilitators and
# admins decide (discuss, decline, merge).
VOLUNTEER_STATES = (IN_PROGRESS, RESOLVED)
DECIDING_ROLES = (ADMIN, FACILITATOR)
ASSIGNABLE_ROLES = (VOLUNTEER, FACILITATOR)

RATINGS = {
    "satisfied": _l("Satisfied"),
    "fair": _l("Mostly satisfied"),
    "unsatisfied": _l("Not satisfied"),
}

SOURCES = {
    "phone": _l("Phone (QR poster)"),
    "kiosk": _l("Station tablet"),
    "staff": _l("Station tablet, written by staff"),
}

TEXT_MIN, TEXT_MAX = 5, 500
REPLY_MIN, REPLY_MAX = 2, 1000
COMMENT_MAX = 300
LOCATION_NAME_MAX = 60
MAX_PHOTOS = 3
DRAFT_HOURS = 24

# Tracking codes: no 0/O/1/I, so nobody mixes them up when reading one aloud.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 10  # 32 ** 10 = 2 ** 50


# ---------- small rules ----------


def new_code() -> str:
    while True:
        code = choose(CODE_ALPHABET, CODE_LENGTH)
        if db.session.scalar(select(Suggestion.id).where(Suggestion.code == code)) is None:
            return code


def normalise_code(raw: str | None) -> str:
    """What a person typed ("k7qm x-3pa9c") as a code ("K7QMX3PA9C"), if it can be one."""
    code = re.sub(r"[^0-9A-Za-z]", "", raw or "").upper()[:CODE_LENGTH * 2]
    return code if len(code) == CODE_LENGTH and all(c in CODE_ALPHABET for c in code) else ""


def group_code(code: str) -> str:
    """K7QMX-3PA9C: two groups of five, easier to read out and to copy."""
    return f"{code[:5]}-{code[5:]}" if len(code) == CODE_LENGTH else code


# Digits (any script's, full-width too) with up to three separators between two digits:
# spaces of any width, dots, dashes of every kind, slashes, brackets: 138.1234.5678,
# 138 1234 5678, （0951）6012345, １３８－１２３４－５６７８.
_SEPARATORS = r"[\s.\-‐‑‒–—―－．。·・/／()（）]"
_NUMBER_RUN = re.compile(rf"\d(?:{_SEPARATORS}{{0,3}}\d){{6,}}")
# A date written with separators is not a phone number: 2026.11.24 stays as it is.
_DATE = re.compile(r"(?:19|20)\d\d[-./](?:0?[1-9]|1[0-2])[-./](?:0?[1-9]|[12]\d|3[01])")


def mask_numbers(text: str) -> str:
    """Phone-like runs of 7 digits or more, however they are written, masked: the board
    shows no one's number even when a resident typed it into the text."""
    def mask(match):
        written = unicodedata.normalize("NFKC", match.group())
        if _DATE.fullmatch(written):
            return match.group()
        digits = "".join(str(unicodedata.digit(c)) for c in written if c.isdigit())
        if len(digits) >= 11:
            return mask_phone(digits)
        return f"{digits[:2]}{'*' * (len(digits) - 4)}{digits[-2:]}"

    return _NUMBER_RUN.sub(mask, text)


def has_hidden_numbers(text: str) -> bool:
    """Whether mask_numbers hides anything in the text."""
    return bool(text) and mask_numbers(text) != text


def category_name(key: str) -> str:
    return str(CATEGORIES.get(key, CATEGORIES["other"]))


def state_name(key: str) -> str:
    return str(STATE_NAMES.get(key, key))



def by_whom(staff, actor: str = "") -> dict:
    """Who an audited change is by: a staff member, or the system (actor names it)."""
    if staff is not None:
        return {"staff": staff}
    return {"staff": None, "actor": actor or "system"}
