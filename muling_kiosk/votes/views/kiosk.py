"""The kiosk, for anyone at the shared tablet: the 议事会投票 tile (/vote/), the public board
of past meetings and what each decided (/vote/meetings/…), and the pass-the-tablet ballot
(/vote/poll/…), which the facilitator hands over from the poll's screen (run.py).

The ballot is only for the community's enrolled station tablet (any other device gets a kind
403 page), and only while the facilitator has handed it over: the hand-over arms the tablet,
each recorded ballot spends it, and "下一位" (the recorded screen's next step) arms it again."""

from flask import abort, render_template, request, url_for
from flask_babel import gettext as _

from ...access import public
from ...communities.current import kiosk_community, kiosk_community_or_choose, kiosk_record_or_404
from ...extensions import db
from ...responses import fragment, go_to, page_or_fragment, wants_fragment
from ...stations import services as stations
from ...stations.current import current_station, is_station_tablet, require_station_tablet
from ...validation import Invalid, parse_page
from .. import services
from ..models import PASS, Meeting, Poll
from .common import bp, labels, page_of, request_key

PASS_LOCK_SECONDS = 3  # "已记录，请传给下一位" stays this long, nothing to tap
# How many fit on one kiosk screen (a landscape tablet is the tightest), without and with
# 大字: longer lists are paged with 上一页 / 下一页, never scrolled. (votes.js reloads a paged
# screen when 大字 is switched, so the page holds what fits.)
BOARD_PAGE = (3, 2)  # past meetings on the public board
RECORD_PAGE = (3, 2)  # agenda items in a past meeting's record


# ---------- the tile and the board of past meetings ----------


@bp.get("/vote/")
@public
def index():
    """The 议事会投票 tile: the open ballot if there is one, else the decisions so far."""
    community = kiosk_community_or_choose()
    poll = services.open_pass_poll(community.id)
    if poll is not None and is_station_tablet(community) and stations.handed_over_for(
            current_station(), poll.id):
        return go_to(url_for("votes.ballot", poll_id=poll.id))
    return render_template("votes/index.html", community=community,
                           page=page_of(services.decided_meetings(community.id), BOARD_PAGE),
                           upcoming=services.next_meeting(community.id), **labels())


@bp.get("/vote/meetings/<int:meeting_id>")
@public
def meeting(meeting_id: int):
    """What a past meeting decided and who promised what, no personal data: its agenda with
    each item's result (a page at a time), and a screen per item (?item=<number>)."""
    found = kiosk_record_or_404(Meeting, meeting_id)
    items = list(found.items)
    number = 1 if len(items) == 1 else request.args.get("item", 0, type=parse_page)
    if 1 <= number <= len(items):
        return render_template("votes/meeting_item.html", meeting=found, item=items[number - 1],
                               number=number, count=len(items), **labels())
    return render_template("votes/meeting.html", meeting=found,
                           page=page_of(items, RECORD_PAGE), **labels())


# ---------- pass the tablet ----------


def _kiosk_poll(poll_id: int) -> Poll:
    poll = kiosk_record_or_404(Poll, poll_id)
    if not poll.channel_pass:
        abort(404)
    require_station_tablet(kiosk_community())
    return poll


def _ballot_context(poll: Poll, **extra) -> dict:
    return {"poll": poll, "lock_seconds": PASS_LOCK_SECONDS,
            "handed_over": stations.may_take_ballot(current_station(), poll.id),
            "waiting_for_next": stations.waiting_for_next(current_station(), poll.id),
            **labels(), **extra}


def _not_handed_over() -> str:
    return _("请等主持人把平板交给您，再投票。")


@bp.get("/vote/poll/<int:poll_id>")
@public
def ballot(poll_id: int):
    """Pass the tablet: the question and huge buttons; ?option= asks to confirm."""
    poll = _kiosk_poll(poll_id)
    chosen = services.find_option(poll, request.args.get("option")) if poll.is_open else None
    # The next voter's screen (a fragment after 已记录) clears the status line.
    return page_or_fragment("votes/ballot.html", "votes/_ballot.html",
                            **_ballot_context(poll, chosen=chosen, clear_status=wants_fragment()))


@bp.post("/vote/poll/<int:poll_id>")
@public
def cast_ballot(poll_id: int):
    poll = _kiosk_poll(poll_id)
    station = current_station()
    try:
        _ballot, is_new = services.cast_ballot(poll.id, request.form.get("option_id"), PASS,
                                               request_key=request_key())
        # A new ballot spends the hand-over; a replay of one recorded (a double tap) does not.
        if is_new and not stations.take_ballot(station, poll.id):
            raise services.Refused(_not_handed_over(), 409)
    except Invalid as invalid:
        db.session.rollback()
        return _ballot_answer(poll, 422, error=invalid.errors["option"])
    except services.Refused as refused:
        db.session.rollback()
        return _ballot_answer(poll, refused.status, error=refused.message)
    db.session.commit()
    if not wants_fragment():
        return go_to(url_for("votes.ballot", poll_id=poll.id), _("Recorded. Please pass the "
                                                                  "tablet to the next person."))
    return fragment("votes/_ballot_recorded.html", **_ballot_context(poll))


@bp.post("/vote/poll/<int:poll_id>/next")
@public
def next_voter(poll_id: int):
    """下一位: after a recorded ballot, the tablet takes the next one (the recorded screen asks
    for this by itself after a few seconds; without JavaScript it is a button)."""
    poll = _kiosk_poll(poll_id)
    stations.next_voter(current_station(), poll.id)
    db.session.commit()
    if not wants_fragment():
        return go_to(url_for("votes.ballot", poll_id=poll.id))
    return fragment("votes/_ballot.html", **_ballot_context(poll, chosen=None,
                                                            clear_status=True))


def _ballot_answer(poll: Poll, status: int, error=None):
    db.session.refresh(poll)
    return page_or_fragment("votes/ballot.html", "votes/_ballot.html", status=status,
                            **_ballot_context(poll, chosen=None, error=error))
