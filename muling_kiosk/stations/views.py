"""The admin's station tablets (/staff/stations): "设为本社区平板" on the device in hand, the
list of a community's tablets, and 撤销. Password sessions only."""

from flask import Blueprint, render_template, request
from flask_babel import gettext as _

from ..access import staff_only
from ..communities.services import serving
from ..extensions import db
from ..responses import go_to
from ..staff.auth import current_staff, form_community_id, password_only, staff_record_or_404
from ..staff.models import ADMIN
from ..staff.services import communities_for
from ..validation import Invalid
from . import services
from .current import enrolled_station, remember_station
from .models import Station

bp = Blueprint("stations", __name__)


def _page(errors=None, values=None, status=200):
    viewer = current_staff()
    return render_template(
        "stations/console/stations.html", stations=services.stations_of(viewer.community_ids()),
        communities=serving(communities_for(viewer)), this_device=enrolled_station(),
        errors=errors or {}, values=values or {"community_id": viewer.community_id}), status


@bp.get("/staff/stations")
@staff_only(ADMIN)
@password_only
def index():
    return _page()


@bp.post("/staff/stations")
@staff_only(ADMIN)
@password_only
def enroll():
    viewer = current_staff()
    values = {"name": request.form.get("name", "")[:80],
              "community_id": form_community_id(viewer)}
    try:
        # A retired community takes no new tablet.
        station, token = services.enroll(values["name"], values["community_id"],
                                         [c.id for c in serving(communities_for(viewer))],
                                         actor=viewer,
                                         replacing=enrolled_station())
    except Invalid as invalid:
        return _page(invalid.errors, values, 422)
    db.session.commit()
    response = go_to(request.path, _("这台设备现在是 %(community)s 的平板“%(name)s”。",
                                     community=station.community.display_name,
                                     name=station.name))
    return remember_station(response, token)


@bp.post("/staff/stations/<int:station_id>/revoke")
@staff_only(ADMIN)
@password_only
def revoke(station_id: int):
    station = staff_record_or_404(Station, station_id)
    services.revoke(station, actor=current_staff())
    db.session.commit()
    return go_to("/staff/stations", _("“%(name)s”已撤销，它不再是本社区的平板。",
                                      name=station.name))
