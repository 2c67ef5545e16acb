"""Following one's suggestion on a phone (/m/t/…), reached from the receipt's QR code or by
typing the tracking code: its status and public history, its photos, and the resident's
rating once it is resolved."""

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...access import public
from ...extensions import db
from ...responses import go_to, page_or_fragment, wants_fragment
from ...validation import Invalid, clean_text
from .. import services as rules
from ..models import Suggestion
from .common import FIELD_LIMIT, bp, jpeg_response


@bp.get("/m/t/")
@public
def track():
    raw = request.args.get("code", "")[:40]
    error = None
    if raw:
        suggestion = rules.suggestion_by_code(raw)
        if suggestion is not None:
            return redirect(url_for("suggestions.status", code=suggestion.code), 303)
        error = _("We found no suggestion with this code. Please check each letter.")
    return render_template("suggestions/track.html", code=raw, error=error), \
        422 if error else 200


def _by_code(code: str) -> Suggestion:
    suggestion = rules.suggestion_by_code(code)
    if suggestion is None:
        abort(404)
    return suggestion


def _status_context(suggestion: Suggestion, **extra) -> dict:
    target = suggestion.merged_into
    return {"suggestion": suggestion, "code": rules.group_code(suggestion.code),
            "history": rules.public_history(suggestion), "target": target,
            "target_history": rules.public_history(target) if target else [],
            "rating_values": {}, "rating_errors": {}, "rate_confirm": False, **extra}


@bp.get("/m/t/<code>")
@public
def status(code: str):
    suggestion = _by_code(code)
    if code != suggestion.code:  # typed in lower case or with its dash: one address per code
        return redirect(url_for("suggestions.status", code=suggestion.code), 301)
    return render_template("suggestions/status.html", **_status_context(suggestion))


@bp.get("/m/t/<code>/photos/<int:number>")
@public
def status_photo(code: str, number: int):
    photo = rules.photo_of(_by_code(code), number)
    if photo is None:
        abort(404)
    return jpeg_response(photo)


@bp.post("/m/t/<code>/rate")
@public
def rate(code: str):
    """Two steps: "check" shows the choice back with 确认 / 返回修改, "confirm" rates (once),
    anything else shows the form again with what was chosen."""
    suggestion = _by_code(code)
    form = request.form
    step = form.get("step", "")
    values = {"rating": str(form.get("rating", ""))[:20],
              "comment": clean_text(str(form.get("comment", ""))[:FIELD_LIMIT])}
    if suggestion.state == rules.RATED:
        return go_to(url_for("suggestions.status", code=suggestion.code),
                     _("This suggestion has already been rated. Thank you."))
    errors, confirm = {}, False
    if step == "confirm":
        suggestion = rules.locked(suggestion.id)
        try:
            rules.rate(suggestion, values["rating"], values["comment"])
        except Invalid as invalid:
            db.session.rollback()
            errors = invalid.errors
        else:
            db.session.commit()
            return go_to(url_for("suggestions.status", code=suggestion.code),
                         _("Thank you for your rating."))
    elif step == "check":
        errors = rules.check_rating(values["rating"], values["comment"])
        confirm = not errors
    context = _status_context(suggestion, rating_values=values, rating_errors=errors,
                              rate_confirm=confirm, in_place=wants_fragment(),
                              rating_name=rules.RATINGS.get(values["rating"], ""))
    return page_or_fragment("suggestions/status.html", "suggestions/_rate.html",
                            422 if errors else 200, **context)

