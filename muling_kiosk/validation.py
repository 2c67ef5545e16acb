"""How a service says "this input is not right": field → message, shown next to the field;
and the cleaning every free text gets before a rule looks at it."""

import unicodedata
from datetime import date


class Invalid(Exception):
    def __init__(self, errors: dict[str, str]):
        super().__init__(errors)
        self.errors = errors


# Ids and counts from a URL or a form must fit the database's integer (PostgreSQL refuses a
# larger one with an error, not a "not found").
DB_INT_MAX = 2**31 - 1


def parse_id(raw) -> int:
    """A record id typed or sent by a browser: 1 … DB_INT_MAX, ASCII digits only.
    Raises ValueError otherwise, so it works as `request.args.get("x", type=parse_id)`."""
    text = str(raw if raw is not None else "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        raise ValueError(f"not an id: {text[:20]!r}")
    value = int(text)
    if not 1 <= value <= DB_INT_MAX:
        raise ValueError(f"id out of range: {value}")
    return value


def parse_page(raw) -> int:
    """A page number for a pager: 1 … 100000."""
    value = parse_id(raw)
    if value > 100_000:
        raise ValueError("page out of range")
    return value


def id_or_none(raw) -> int | None:
    try:
        return parse_id(raw)
    except ValueError:
        return None


# Days a filter may ask about: outside them a date is a typo (and 9999-12-31 + 1 day
# overflows).
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)


def parse_day(raw) -> date | None:
    """A day from a filter (?from=2026-11-01): None when missing, malformed or out of range."""
    try:
        day = date.fromisoformat(str(raw or "").strip())
    except ValueError:
        return None
    return day if FIRST_DAY <= day <= LAST_DAY else None


# Line and paragraph separators (U+2028, U+2029) end a line like a newline does.
_LINE_BREAKS = str.maketrans({"\r": "\n", "\u2028": "\n", "\u2029": "\n"})


def clean_text(raw) -> str:
    """Free text as a person typed or pasted it, without what must not reach the page or the
    database: newlines as \\n, and no control characters (tabs and newlines stay; NUL breaks
    PostgreSQL), no lone surrogates, and no invisible format characters (category Cf): the
    direction marks and overrides (U+200E/U+200F, U+202A–U+202E, U+2066–U+2069) that make a
    text show in another order than it was written, and the zero-width characters (U+200B–
    U+200D, U+2060, U+FEFF) that make two equal-looking texts differ. Trimmed."""
    text = str(raw or "").replace("\r\n", "\n").translate(_LINE_BREAKS)
    return "".join(ch for ch in text
                   if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs")
                   ).strip()
