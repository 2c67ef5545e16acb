"""长者学堂 sign-up (placeholder until its issue lands)."""

from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l

from ..access import public

bp = Blueprint("signups", __name__, url_prefix="/classes")


@bp.get("/")
@public
def index():
    return render_template("home/coming_soon.html", title=_l("Sign up for classes"))
