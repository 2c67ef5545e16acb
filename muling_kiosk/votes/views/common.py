"""What several audiences of the votes pages share: the one blueprint, who may run a meeting,
the links and QR codes of a poll and a meeting, the words the
templates need, and the kiosk's paging of a list that would not fit."""

from flask import Blueprint, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from ...idempotency import parse_request_key
from ...kiosk_state import large_text
from ...paging import ListPage, page_of_list
from ...qr import public_url, qr_svg_inline
from ...staff.auth import staff_record_or_404
from ...staff.models import ADMIN, FACILITATOR
from ...validation import parse_page
from .. import services
from ..models import AgendaItem, Meeting, Poll
from ..signals import describe_item

bp = Blueprint("votes", __name__)

RUNNERS = (ADMIN, FACILITATOR)


def request_key() -> str | None:
    return parse_request_key(request.form.get("request_key"))


def staff_item(item_id: int) -> AgendaItem:
    return staff_record_or_404(AgendaItem, item_id, lambda item: item.meeting.community_id)


def phone_url(poll: Poll) -> str:
    return public_url(url_for("votes.phone_ballot", ballot_token=poll.phone_token))


def tv_url(meeting: Meeting) -> str:
    return public_url(url_for("votes.tv", tv_token=meeting.display_token))


def phone_qr(poll: Poll | None):
    """The QR code to vote by phone, while the poll takes phone ballots; else None."""
    if poll is None or not (poll.is_open and poll.channel_phone):
        return None
    return qr_svg_inline(phone_url(poll), _("QR code: vote on your phone"))


def labels() -> dict:
    return {"rule_names": services.RULE_NAMES, "result_names": services.RESULT_NAMES,
            "channel_names": services.CHANNEL_NAMES, "quorum_names": services.QUORUM_NAMES,
            "option_label": services.option_label, "quorum_text": services.quorum_text,
            "result_text": services.result_text, "rule_label": services.rule_label,
            "tally": services.tally,
            "who_label": services.who_label}


@bp.app_template_global()
def item_notes(item: AgendaItem, view: str) -> Markup:
    """What other features show under an agenda item (votes.signals.describe_item)."""
    return Markup("").join(note for _receiver, note in describe_item.send(item, view=view)
                           if note)


def page_arg() -> int:
    return request.args.get("page", 1, type=parse_page)


def per_page(sizes: tuple[int, int]) -> int:
    """How many a page of this list holds, for the text size this kiosk shows."""
    return sizes[1] if large_text() else sizes[0]


def page_of(items, sizes: tuple[int, int]) -> ListPage:
    """The page of `items` this request asks for (?page=)."""
    return page_of_list(items, page_arg(), per_page(sizes))


def commitment_values(form) -> dict:
    """A promise as the tablet's and the console's forms send it."""
    who = services.commitment_who(form.get("who", ""), form.get("who_other", ""))
    return {"who": who[:80], "what": form.get("what", "")[:400],
            "due_on": form.get("due_on", "")[:20]}
