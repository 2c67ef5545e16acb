"""The audit log for admins: who changed what, filtered by person, type and date."""


from flask import Blueprint, render_template, request

from ..access import staff_only
from ..extensions import db
from ..i18n import local_zone
from ..staff.auth import current_staff, password_only
from ..staff.models import ADMIN
from ..staff.services import staff_visible_to
from ..validation import parse_day, parse_id, parse_page
from .services import changes, search

bp = Blueprint("audit", __name__, url_prefix="/staff/audit")

PAGE_SIZE = 50


@bp.get("/")
@staff_only(ADMIN)
@password_only
def index():
    viewer = current_staff()
    filters = {
        "staff_id": request.args.get("staff_id", type=parse_id),
        "action": request.args.get("action", "").strip()[:60] or None,
        "day_from": parse_day(request.args.get("from")),
        "day_to": parse_day(request.args.get("to")),
    }
    query = search(viewer, tz=local_zone(), **filters)
    page = db.paginate(query, page=request.args.get("page", 1, type=parse_page), per_page=PAGE_SIZE,
                       error_out=False)
    return render_template("audit/index.html", page=page, filters=filters,
                           people=staff_visible_to(viewer), changes=changes)
