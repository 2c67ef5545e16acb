"""What the audience modules of the suggestions views share: the one blueprint, the words
every template of the feature may use, and how a stored photo is sent."""

from flask import Blueprint, Response

from .. import services as rules
from ..models import SuggestionPhoto

bp = Blueprint("suggestions", __name__)

FIELD_LIMIT = 4000  # what of a field we look at; the rules then say what is too long


@bp.context_processor
def vocabulary():
    """The words of this feature, for every template its pages render."""
    return {"categories": rules.CATEGORIES, "state_names": rules.STATE_NAMES,
            "stages": rules.STAGES, "ratings": rules.RATINGS, "sources": rules.SOURCES,
            "group_code": rules.group_code, "mask_numbers": rules.mask_numbers}


def jpeg_response(photo: SuggestionPhoto) -> Response:
    # No shared cache keeps it (it may show a resident's door); a stored photo never changes,
    # so the browser may keep it for an hour.
    response = Response(photo.data, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response
