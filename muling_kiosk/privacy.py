"""Personal data rules shared by every feature: mainland mobile numbers, masking, names."""

import re
import unicodedata

MOBILE = re.compile(r"1[3-9]\d{9}")
NAME_MAX = 20


def normalise_phone(raw: str | None) -> str:
    """Digits only: the keypad shows "138 1234 5678", people type "138-1234-5678"."""
    return re.sub(r"\D", "", raw or "")[:20]


def is_mobile(number: str) -> bool:
    return bool(MOBILE.fullmatch(number))


def mask_phone(number: str | None) -> str:
    """138****5678: enough to recognise one's own number, not enough to call it."""
    if not number:
        return ""
    if len(number) < 7:
        return "*" * len(number)
    return f"{number[:3]}{'*' * (len(number) - 7)}{number[-4:]}"


def group_phone(number: str) -> str:
    """138 1234 5678, as the keypad shows it."""
    return " ".join(part for part in (number[:3], number[3:7], number[7:]) if part)


def clean_name(raw: str | None) -> str:
    """Trimmed, with inner runs of spaces collapsed; control characters are left for
    has_control_characters to refuse rather than silently dropped."""
    return re.sub(r"\s+", " ", (raw or "").strip())


def has_control_characters(text: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cf") for ch in text)


def register_filters(app) -> None:
    app.jinja_env.filters["masked_phone"] = mask_phone
    app.jinja_env.filters["grouped_phone"] = group_phone
