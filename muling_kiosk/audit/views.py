"""The audit log for admins: who changed what, filtered by person, type and date."""

from datetime import date
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, render_template, request

from ..access import staff_only
from ..extensions import db
from ..staff.auth import current_staff
from ..staff.models import ADMIN
from ..staff.services import staff_visible_to
from ..validation import parse_id, parse_page
from .services import changes, search

bp = Blueprint("audit", __name__, url_prefix="/staff/audit")

PAGE_SIZE = 50


def _day(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


@bp.get("/")
@staff_only(ADMIN)
def index():
    viewer = current_staff()
    filters = {
        "staff_id": request.args.get("staff_id", type=parse_id),
        "action": request.args.get("action", "").strip()[:60] or None,
        "day_from": _day("from"),
        "day_to": _day("to"),
    }
    query = search(viewer, tz=ZoneInfo(current_app.config["TIMEZONE"]), **filters)
    page = db.paginate(query, page=request.args.get("page", 1, type=parse_page), per_page=PAGE_SIZE,
                       error_out=False)
    return render_template("audit/index.html", page=page, filters=filters,
                           people=staff_visible_to(viewer), changes=changes)
