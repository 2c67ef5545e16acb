"""板凳议事会 live vote (placeholder until its issue lands)."""

from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l

from ..access import public

bp = Blueprint("votes", __name__, url_prefix="/vote")


@bp.get("/")
@public
def index():
    return render_template("home/coming_soon.html", title=_l("Bench meeting vote"))
