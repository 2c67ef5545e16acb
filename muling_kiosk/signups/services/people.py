"""Checking what a person typed on the tablet: a name and a mainland mobile number; and the
cancel code a phone's receipt shows."""

from flask import current_app
from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash, generate_password_hash

from ...privacy import NAME_MAX, clean_name, has_control_characters, is_mobile, normalise_phone
from ...tokens import choose
from ...validation import Invalid


def check_name(raw: str | None) -> str:
    """1–20 characters after trimming, no control characters; else Invalid for "name"."""
    stripped = (raw or "").strip()
    name = clean_name(stripped)
    if not name:
        raise Invalid({"name": _l("Please write your name.")})
    if has_control_characters(stripped.replace(" ", "")):
        raise Invalid({"name": _l("The name has a sign that cannot be used. "
                                  "Please write it again.")})
    if len(name) > NAME_MAX:
        raise Invalid({"name": _l("A name can have at most %(max)s characters.", max=NAME_MAX)})
    return name


def check_phone(raw: str | None, required: bool = True) -> str | None:
    """A mainland mobile number (1[3-9] and 9 more digits); else Invalid for "phone"."""
    phone = normalise_phone(raw)
    if not phone:
        if not required:
            return None
        raise Invalid({"phone": _l("Please enter your mobile number.")})
    if not is_mobile(phone):
        raise Invalid({"phone": _l("A mobile number has 11 digits and starts with 13 to 19. "
                                   "Please check it.")})
    return phone


def check_person(raw_name: str | None, raw_phone: str | None,
                 phone_required: bool = True) -> tuple[str, str | None]:
    """Both fields checked at once, so both messages show together."""
    errors, name, phone = {}, "", None
    try:
        name = check_name(raw_name)
    except Invalid as invalid:
        errors.update(invalid.errors)
    try:
        phone = check_phone(raw_phone, phone_required)
    except Invalid as invalid:
        errors.update(invalid.errors)
    if errors:
        raise Invalid(errors)
    return name, phone


# ---------- cancel codes: 我的报名 on a phone ----------


def new_cancel_code() -> str:
    """The short code on a phone's receipt: with the number, it finds that sign-up again."""
    return choose("0123456789", 6)


def hash_cancel_code(code: str) -> str:
    return generate_password_hash(code, method=current_app.config["STAFF_PIN_HASH"])


def cancel_code_matches(signup, code: str) -> bool:
    return bool(signup.cancel_code_hash and code
                and check_password_hash(signup.cancel_code_hash, code))
