"""What several audiences of the signups pages share: the one blueprint, who counts as staff
and as a manager, reading a form field, and the words the templates need."""

from flask import Blueprint, request

from ...staff.models import ADMIN, FACILITATOR, VOLUNTEER
from .. import services

ANY_STAFF = (ADMIN, FACILITATOR, VOLUNTEER)
MANAGERS = (ADMIN, FACILITATOR)

bp = Blueprint("signups", __name__)


def form_text(name: str, limit: int = 100) -> str:
    """A form field as typed, cut to a length no rule accepts more of."""
    return request.form.get(name, "")[:limit]


@bp.context_processor
def signups_context() -> dict:
    """Why a class cannot be joined or checked in, in words, for every signups template."""
    return {"not_joinable": services.NOT_JOINABLE, "checkin_problems": services.CHECKIN_PROBLEMS}
