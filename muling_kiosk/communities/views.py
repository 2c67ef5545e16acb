"""The subdistrict admin's communities (/staff/communities): the list, add, rename, retire
and restore. Only an admin of the whole subdistrict, signed in with the password."""

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _

from ..access import staff_only
from ..extensions import db
from ..responses import go_to
from ..staff.auth import current_staff, password_only
from ..staff.models import ADMIN
from ..validation import Invalid
from . import services
from .models import Community

bp = Blueprint("communities", __name__, url_prefix="/staff/communities")

FIELDS = ("slug", "name", "name_en")


def _form() -> dict:
    return {name: request.form.get(name, "")[:200] for name in FIELDS}


def _list_page(errors=None, values=None, status=200):
    viewer = current_staff()
    return render_template(
        "communities/index.html", subdistrict=viewer.subdistrict,
        communities=services.communities_of(viewer.subdistrict_id),
        errors=errors or {}, values=values or {}), status


def _own(community_id: int) -> Community:
    """A community of the admin's subdistrict; any other does not exist for them."""
    community = db.session.get(Community, community_id)
    if community is None or community.subdistrict_id != current_staff().subdistrict_id:
        abort(404)
    return community


@bp.get("/")
@staff_only(ADMIN, subdistrict=True)
@password_only
def index():
    return _list_page()


@bp.post("/")
@staff_only(ADMIN, subdistrict=True)
@password_only
def add():
    values = _form()
    try:
        community = services.add_community(current_staff().subdistrict, values["slug"],
                                           values["name"], values["name_en"],
                                           actor=current_staff())
    except Invalid as invalid:
        db.session.rollback()
        return _list_page(invalid.errors, values, 422)
    db.session.commit()
    return go_to(url_for("communities.index"),
                 _("%(name)s is added.", name=community.display_name))


@bp.route("/<int:community_id>", methods=["GET", "POST"])
@staff_only(ADMIN, subdistrict=True)
@password_only
def edit(community_id: int):
    community = _own(community_id)
    values, errors = {"name": community.name, "name_en": community.name_en}, {}
    if request.method == "POST":
        values = _form()
        try:
            services.rename_community(community, values["name"], values["name_en"],
                                      actor=current_staff())
        except Invalid as invalid:
            errors = invalid.errors
            db.session.rollback()
        else:
            db.session.commit()
            return go_to(url_for("communities.index"), _("Saved."))
    return render_template("communities/edit.html", community=community, values=values,
                           errors=errors), 422 if errors else 200


@bp.post("/<int:community_id>/retire")
@staff_only(ADMIN, subdistrict=True)
@password_only
def retire(community_id: int):
    community = _own(community_id)
    services.retire_community(community, actor=current_staff())
    db.session.commit()
    return go_to(url_for("communities.index"),
                 _("%(name)s is retired: no kiosk offers it and no tablet can be enrolled for "
                   "it. Its records are kept.", name=community.display_name))


@bp.post("/<int:community_id>/restore")
@staff_only(ADMIN, subdistrict=True)
@password_only
def restore(community_id: int):
    community = _own(community_id)
    services.restore_community(community, actor=current_staff())
    db.session.commit()
    return go_to(url_for("communities.index"),
                 _("%(name)s serves again.", name=community.display_name))
