"""What several audiences of the signups pages share: the one blueprint, who counts as staff
and as a manager, reading a form field, and the words the templates need."""

from flask import Blueprint, request
from flask_babel import gettext as _

from ...staff.models import ADMIN, FACILITATOR, VOLUNTEER
from .. import services

ANY_STAFF = (ADMIN, FACILITATOR, VOLUNTEER)
MANAGERS = (ADMIN, FACILITATOR)

bp = Blueprint("signups", __name__)


def form_text(name: str, limit: int = 100) -> str:
    """A form field as typed, cut to a length no rule accepts more of."""
    return request.form.get(name, "")[:limit]


def sentences(*parts: str) -> str:
    """Sentences of one message, joined as the language writes them (a space, or none)."""
    text = ""
    for part in filter(None, parts):
        text = _("%(first)s %(then)s", first=text, then=part) if text else part
    return text


@bp.context_processor
def signups_context() -> dict:
    """Why a class cannot be joined or checked in, in words, for every signups template."""
    return {"not_joinable": services.NOT_JOINABLE, "checkin_problems": services.CHECKIN_PROBLEMS}
