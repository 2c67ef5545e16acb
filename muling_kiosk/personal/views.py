"""The admin's page for one person's data (/staff/personal): search by mobile number, the
list of what we hold, the spreadsheet for the person, and erasure after a confirmation.
Every step is a POST: the number never travels in a URL (access logs keep URLs)."""

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _

from ..access import staff_only
from ..exports import xlsx_response
from ..extensions import db
from ..responses import go_to
from ..staff.auth import current_staff, password_only
from ..staff.models import ADMIN
from . import services

bp = Blueprint("personal", __name__, url_prefix="/staff/personal")


@bp.context_processor
def _helpers():
    from ..suggestions.services import group_code

    return {"group_code": group_code}


def _find():
    """The records of the number in the form, in the admin's communities, or the search
    page again with what to fix."""
    raw = request.form.get("number", "")[:40]
    found = services.find_person(raw, current_staff().community_ids())
    if len(found.number) < 7:
        error = _("Please enter the whole mobile number.")
        return None, (render_template("personal/console/index.html", found=None,
                                      number=raw, error=error), 422)
    return found, None


@bp.get("/")
@staff_only(ADMIN)
@password_only
def index():
    return render_template("personal/console/index.html", found=None, number="", error=None)


@bp.post("/")
@staff_only(ADMIN)
@password_only
def search():
    found, problem = _find()
    if problem:
        return problem
    return render_template("personal/console/index.html", found=found, number=found.number,
                           error=None)


@bp.post("/export")
@staff_only(ADMIN)
@password_only
def export():
    found, problem = _find()
    if problem:
        return problem
    header, rows = services.export_rows(found)
    services.record_export(found, staff=current_staff())
    db.session.commit()
    return xlsx_response(_("Personal data %(number)s", number=found.masked) + ".xlsx",
                         header, rows, title=found.masked)


@bp.post("/forget")
@staff_only(ADMIN)
@password_only
def forget():
    """First the confirmation page (what will be erased); erased when it is confirmed."""
    found, problem = _find()
    if problem:
        return problem
    if request.form.get("confirm") != "yes":
        return render_template("personal/console/forget.html", found=found)
    done = services.forget_person(found.number, current_staff().community_ids(),
                                  staff=current_staff())
    db.session.commit()
    return go_to(url_for("personal.index"), _(
        "%(number)s is erased: %(signups)s sign-ups and %(suggestions)s suggestions "
        "anonymised.", number=done["number"], signups=done["signups"],
        suggestions=done["suggestions"]))
