"""The big "choose your community" page for a device that is no station tablet (a phone, an
office PC) when the server serves several communities: choosing keeps the slug in a signed
cookie (communities.current) and goes back to the page the device came from."""

from itertools import groupby

from flask import Blueprint, render_template, request
from flask_babel import gettext as _

from ..access import public
from ..responses import go_to, safe_next
from .current import choices, kiosk_community, remember_choice

bp = Blueprint("community_choice", __name__)


def _page(status=200):
    groups = [(subdistrict, list(communities)) for subdistrict, communities
              in groupby(choices(), key=lambda community: community.subdistrict)]
    return render_template("communities/choose.html", groups=groups,
                           current=kiosk_community(), next=safe_next("/"),
                           idle_enabled=False), status


@bp.get("/community")
@public
def choose():
    return _page()


@bp.post("/community")
@public
def set_choice():
    slug = request.form.get("community", "")
    community = next((c for c in choices() if c.slug == slug), None)
    if community is None:
        return _page(422)
    response = go_to(safe_next("/"), _("This device now shows %(community)s.",
                                       community=community.display_name))
    return remember_choice(response, community)
