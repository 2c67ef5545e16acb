"""百姓畅言栏, the public board: on the web and on phones (/board, a community's by ?c=) and on
the station tablet (/suggest/board/…, a few cards a page, each opening on a screen of its
own). Only what staff put on the board; no one's name or number."""

from flask import abort, render_template, request, url_for

from ...access import public
from ...communities.current import kiosk_community_or_choose
from ...communities.models import Community
from ...communities.services import community_by_slug
from ...pagecache import cached_page
from ...paging import page_of
from ...validation import parse_page
from .. import services as rules
from .common import bp

BOARD_PAGE = 12
KIOSK_BOARD_PAGE = 3  # what the tablet shows at once, in any orientation and with 大字


# ---------- on the web and on phones ----------


def _board_category() -> str:
    category = request.args.get("category", "")
    return category if category in rules.CATEGORIES else ""


def _board(template: str, community: Community, endpoint: str, per_page: int = BOARD_PAGE):
    category = _board_category()
    page = page_of(rules.board_query(community.id, category),
                   request.args.get("page", 1, type=parse_page), per_page)
    return render_template(template, community=community, page=page, category=category,
                           endpoint=endpoint, replies=rules.board_replies,
                           mask_numbers=rules.mask_numbers)


@bp.get("/board")
@public
def board():
    def render():
        slug = request.args.get("c", "")[:40]
        community = community_by_slug(slug) if slug else kiosk_community_or_choose()
        if community is None:
            abort(404)
        return _board("suggestions/board.html", community, "suggestions.board")

    return cached_page(render)



# ---------- the tablet ----------


@bp.get("/suggest/board")
@public
def kiosk_board():
    """百姓畅言栏 on the tablet: a few cards a page with big 上一页 / 下一页, each opening the
    whole suggestion; the kind is chosen on a screen of its own. Nothing to scroll."""
    def render():
        community = kiosk_community_or_choose()
        return _board("suggestions/kiosk_board.html", community, "suggestions.kiosk_board",
                      per_page=KIOSK_BOARD_PAGE)

    return cached_page(render)


@bp.get("/suggest/board/kinds")
@public
def kiosk_board_kinds():
    def render():
        kiosk_community_or_choose()
        return render_template("suggestions/kiosk_board_kinds.html",
                               category=_board_category())

    return cached_page(render)


@bp.get("/suggest/board/<int:suggestion_id>")
@public
def kiosk_board_item(suggestion_id: int):
    def render():
        item = rules.board_item(kiosk_community_or_choose().id, suggestion_id)
        if item is None:
            abort(404)
        category = _board_category()
        back = url_for("suggestions.kiosk_board", category=category or None,
                       page=request.args.get("page", type=parse_page))
        return render_template("suggestions/kiosk_board_item.html", item=item, back=back,
                               replies=rules.board_replies(item),
                               mask_numbers=rules.mask_numbers)

    return cached_page(render)

