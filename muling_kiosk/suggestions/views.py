"""百姓畅言亭 suggestions (placeholder until its issue lands)."""

from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l

from ..access import public

bp = Blueprint("suggestions", __name__, url_prefix="/suggest")


@bp.get("/")
@public
def kiosk():
    return render_template("home/coming_soon.html", title=_l("I have a suggestion"))
