"""One number, however it was written, out of free text: a suggestion's words, a rating
comment, an agenda item copied from a suggestion, an audit row's details. `scrub_database`
walks every text column of every table, because a number typed into a text can end up in
more places than anyone lists."""

import re

from sqlalchemy import JSON, String, Text, cast, or_, select
from sqlalchemy.orm.attributes import flag_modified

from ...extensions import db

# What stands where an erased number was.
REMOVED_NUMBER = "***"
# Separators people put between digits: spaces, dots, dashes, slashes, brackets (full-width
# too), up to three between two digits: 138 1234 5678, 138-1234-5678, （138）1234.5678.
_SEPARATORS = r"[\s.\-‐‑‒–—―－．。·・/／()（）]{0,3}"


def number_pattern(number: str) -> re.Pattern:
    """The number's digits in order, with separators allowed between them, not inside a
    longer run of digits."""
    return re.compile(r"(?<!\d)" + _SEPARATORS.join(re.escape(d) for d in number) + r"(?!\d)")


def scrub_text(text, number: str):
    """The text with every writing of the number replaced; anything not text unchanged."""
    if not isinstance(text, str) or not number:
        return text
    return number_pattern(number).sub(REMOVED_NUMBER, text)


def _scrub_json(value, number: str):
    if isinstance(value, str):
        return scrub_text(value, number)
    if isinstance(value, list):
        return [_scrub_json(v, number) for v in value]
    if isinstance(value, dict):
        return {k: _scrub_json(v, number) for k, v in value.items()}
    return value


def _text_columns(mapper):
    """(attribute name, column) of every text or JSON column."""
    for prop in mapper.column_attrs:
        column = prop.columns[0]
        if isinstance(column.type, String | Text | JSON):
            yield prop.key, column


def scrub_database(number: str, skip=(), skip_columns=()) -> int:
    """Replace the number in every text and JSON column of every mapped table (except the
    classes in skip and the columns in skip_columns); the number of rows changed. A row is
    read only when a column holds the number's last four digits (every usual way of writing
    it keeps them together)."""
    if len(number) < 7:
        return 0
    hint, pattern, changed = number[-4:], number_pattern(number), 0
    for mapper in db.Model.registry.mappers:
        model = mapper.class_
        if model in skip or getattr(model, "__table__", None) is None:
            continue
        columns = [(k, c) for k, c in _text_columns(mapper)
                   if not any(c is other for other in skip_columns)]
        if not columns:
            continue
        near = [(cast(c, Text) if isinstance(c.type, JSON) else c).contains(hint, autoescape=True)
                for _key, c in columns]
        for row in db.session.scalars(select(model).where(or_(*near))):
            if _scrub_row(row, columns, number, pattern):
                changed += 1
    return changed


def _scrub_row(row, columns, number, pattern) -> bool:
    changed = False
    for key, column in columns:
        value = getattr(row, key)
        if isinstance(column.type, JSON):
            cleaned = _scrub_json(value, number)
            if cleaned != value:
                setattr(row, key, cleaned)
                flag_modified(row, key)
                changed = True
        elif isinstance(value, str) and pattern.search(value):
            setattr(row, key, scrub_text(value, number)[: column.type.length or None])
            changed = True
    return changed
