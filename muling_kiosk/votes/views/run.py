"""The facilitator running a bench meeting on the kiosk tablet in staff mode (/vote/run/…,
reached from the staff tools on the home screen): the meetings to run, the agenda, 到会人数,
what the TV shows, opening a vote, counting hands, closing it, handing the tablet to the
voters, and the promises made on the spot."""

from flask import render_template, request, session, url_for
from flask_babel import gettext as _

from ...access import public, staff_only
from ...extensions import db
from ...paging import page_of_list, page_with
from ...qr import qr_svg_inline
from ...responses import fragment, go_to, page_or_fragment, wants_fragment
from ...staff.auth import SESSION_KEY, current_staff, staff_record_or_404
from ...staff.services import end_session
from ...stations import services as station_services
from ...stations.current import current_station, ensure_demo_station, require_station_tablet
from ...validation import Invalid
from .. import services
from ..models import CHANNELS, RULES, AgendaItem, Meeting, Poll
from .common import (
    RUNNERS,
    bp,
    commitment_values,
    labels,
    page_arg,
    page_of,
    per_page,
    phone_qr,
    phone_url,
    request_key,
    staff_item,
    tv_url,
)

# How many fit on one screen, without and with 大字 (see kiosk.py).
RUN_MEETINGS_PAGE = (4, 2)  # upcoming meetings to run
AGENDA_PAGE = (2, 1)  # agenda items on the facilitator's meeting screen
# The poll form's screens besides the summary (which shows every error, beside its setting).
POLL_SECTIONS = ("options", "rule", "quorum", "channels")


# ---------- the meeting ----------


@bp.get("/vote/run/")
@staff_only(*RUNNERS)
def run_meetings():
    staff = current_staff()
    meetings = services.meetings_of(staff.community_ids(), upcoming=True)
    return render_template("votes/run_meetings.html",
                           page=page_of(meetings, RUN_MEETINGS_PAGE))


@bp.get("/vote/run/<int:meeting_id>")
@staff_only(*RUNNERS)
def run_meeting(meeting_id: int):
    """The meeting on the tablet: the agenda a page at a time (the page of the item on the
    TV unless another is asked for), 开始投票 and 在电视上显示 on each item, 下一项议题."""
    meeting = staff_record_or_404(Meeting, meeting_id)
    items, size = list(meeting.items), per_page(AGENDA_PAGE)
    number = (page_arg() if "page" in request.args
              else page_with(items, meeting.current_item, size))
    return render_template("votes/run_meeting.html", meeting=meeting,
                           agenda=page_of_list(items, number, size),
                           next_item=services.next_item(meeting), **labels())


@bp.get("/vote/run/<int:meeting_id>/tv")
@staff_only(*RUNNERS)
def run_tv(meeting_id: int):
    """How to open the TV display: its address and a QR code."""
    meeting = staff_record_or_404(Meeting, meeting_id)
    return render_template("votes/run_tv.html", meeting=meeting, tv_link=tv_url(meeting),
                           tv_qr=qr_svg_inline(tv_url(meeting), _("QR code: open the TV display")))


@bp.route("/vote/run/<int:meeting_id>/present", methods=["GET", "POST"])
@staff_only(*RUNNERS)
def record_present(meeting_id: int):
    """到会人数: count or correct the number of people present."""
    meeting = staff_record_or_404(Meeting, meeting_id)
    if request.method == "GET":
        return render_template("votes/present.html", meeting=meeting, errors={},
                               value=meeting.present_count if meeting.present_count is not None
                               else "")
    try:
        count = services.record_present_count(meeting, request.form.get("present"),
                                              actor=current_staff())
    except Invalid as invalid:
        db.session.rollback()
        return render_template("votes/present.html", meeting=meeting, errors=invalid.errors,
                               value=request.form.get("present", "")[:10]), 422
    db.session.commit()
    return go_to(url_for("votes.run_meeting", meeting_id=meeting.id),
                 _("%(count)s people present.", count=count))


@bp.post("/vote/run/items/<int:agenda_item_id>/show")
@staff_only(*RUNNERS)
def show_item(agenda_item_id: int):
    item = staff_item(agenda_item_id)
    services.show_item(item.meeting, item, actor=current_staff())
    db.session.commit()
    return go_to(url_for("votes.run_meeting", meeting_id=item.meeting_id) + f"#item-{item.id}",
                 _("The TV now shows: %(title)s", title=item.title))


# ---------- opening a vote ----------


def _poll_form(item: AgendaItem, spec: services.PollSpec, errors: dict,
               section: str = "summary", status: int = 200):
    return render_template(
        "votes/poll_form.html", item=item, spec=spec, errors=errors, section=section,
        rules=RULES, quorum_kinds=list(services.QUORUM_NAMES), channels=CHANNELS,
        option_slots=range(services.OPTIONS_MAX), rule_hints=services.RULE_HINTS,
        **labels()), status


@bp.route("/vote/run/items/<int:agenda_item_id>/poll", methods=["GET", "POST"])
@staff_only(*RUNNERS)
def new_poll(agenda_item_id: int):
    """Open a vote: the defaults are ready, so it is two taps from the agenda. Each setting
    (options, rule, quorum, ways to vote) has its own screen, reached by a button that posts
    the form back (go=<section>); go=start (or Enter, or no go at all) opens the vote."""
    item = staff_item(agenda_item_id)
    if request.method == "GET":
        if item.open_poll is not None:
            return go_to(url_for("votes.run_poll", poll_id=item.open_poll.id))
        spec = services.PollSpec(question=services.default_question(item.title))
        return _poll_form(item, spec, {})
    form = request.form
    spec = services.PollSpec(
        question=form.get("question", "")[:400], custom=form.get("option_mode") == "custom",
        options=[v[:80] for v in form.getlist("options")][: services.OPTIONS_MAX],
        rule=form.get("rule", ""), quorum_kind=form.get("quorum_kind", ""),
        quorum_value=form.get("quorum_value", "")[:20],
        channels=tuple(c for c in form.getlist("channels") if c in CHANNELS))
    go = form.get("go", "start")
    if go in POLL_SECTIONS or go == "summary":
        return _poll_form(item, spec, {}, section=go)
    try:
        poll = services.open_poll(item, spec, actor=current_staff(), request_key=request_key())
    except Invalid as invalid:
        db.session.rollback()
        return _poll_form(item, spec, invalid.errors, status=422)
    except services.Refused as refused:
        db.session.rollback()
        return _poll_form(item, spec, {"question": refused.message}, status=refused.status)
    db.session.commit()
    return go_to(url_for("votes.run_poll", poll_id=poll.id), _("Voting has started."))


# ---------- the vote under way: its screen, hands, hand-over, close ----------


def _run_poll_context(poll: Poll, **extra) -> dict:
    return {"poll": poll, "meeting": poll.item.meeting, "figures": services.tally(poll),
            "qr": phone_qr(poll),
            "phone_link": phone_url(poll), "tv_link": tv_url(poll.item.meeting),
            "winner": services.winner_label(poll),
            "next_item": services.next_item(poll.item.meeting), **labels(), **extra}


@bp.get("/vote/run/polls/<int:poll_id>")
@staff_only(*RUNNERS)
def run_poll(poll_id: int):
    """The facilitator's screen of a poll."""
    poll = staff_record_or_404(Poll, poll_id)
    return page_or_fragment("votes/run_poll.html", "votes/_run_live.html",
                            **_run_poll_context(poll))


@bp.get("/vote/run/polls/<int:poll_id>/live")
@public
def run_poll_live(poll_id: int):
    """The live part of the facilitator's screen, asked every second with its version: 204
    when nothing changed. Declared public and checked here, because staff mode can end while
    the screen still asks (the tablet is passed to residents): then it answers 204 and
    shows nothing, where a staff route would send the screen to the PIN pad."""
    staff = current_staff()
    poll = db.session.get(Poll, poll_id)
    if (poll is None or staff is None or staff.role not in RUNNERS
            or not staff.can_access(poll.community_id)
            or request.args.get("v") == str(poll.version)):
        return "", 204
    return render_template("votes/_run_live.html", **_run_poll_context(poll))


def _live_answer(poll_id: int, message: str, status: int = 200):
    poll = staff_record_or_404(Poll, poll_id)
    db.session.refresh(poll)
    if not wants_fragment():
        return go_to(url_for("votes.run_poll", poll_id=poll.id), message)
    return fragment("votes/_run_live.html", status, **_run_poll_context(poll, message=message))


def _hand_write(poll_id: int, write):
    staff_record_or_404(Poll, poll_id)
    try:
        change = write()
    except Invalid as invalid:
        db.session.rollback()
        return _live_answer(poll_id, next(iter(invalid.errors.values())), 422)
    except services.Refused as refused:
        db.session.rollback()
        return _live_answer(poll_id, refused.message, refused.status)
    db.session.commit()
    count = services.hand_counts(poll_id).get(change.option_id, 0)
    label = services.option_label(change.option)
    if change.kind == "undo":
        message = _("Undone. %(option)s: %(count)s hands.", option=label, count=count)
    else:
        message = _("%(option)s: %(count)s hands.", option=label, count=count)
    return _live_answer(poll_id, message)


@bp.post("/vote/run/polls/<int:poll_id>/tap")
@staff_only(*RUNNERS)
def tap_hand(poll_id: int):
    return _hand_write(poll_id, lambda: services.tap_hand(
        poll_id, request.form.get("option_id"), actor=current_staff(), request_key=request_key()))


@bp.post("/vote/run/polls/<int:poll_id>/undo")
@staff_only(*RUNNERS)
def undo_hand(poll_id: int):
    return _hand_write(poll_id, lambda: services.undo_last_hand(
        poll_id, actor=current_staff(), request_key=request_key()))


@bp.route("/vote/run/polls/<int:poll_id>/total", methods=["GET", "POST"])
@staff_only(*RUNNERS)
def set_hand_total(poll_id: int):
    """Type the number of raised hands for one option (instead of tapping)."""
    poll = staff_record_or_404(Poll, poll_id)
    option_id = request.values.get("option_id", "")
    option = services.find_option(poll, option_id)
    if option is None and request.method == "GET" and not option_id:
        # 输入总数 on the poll screen: first choose the option.
        return render_template("votes/hand_total.html", poll=poll, option=None,
                               counts=services.hand_counts(poll.id), **labels())
    if option is None:
        return go_to(url_for("votes.run_poll", poll_id=poll.id),
                     _("Please choose the option whose total you want to type."))
    errors, value, status = {}, services.hand_counts(poll.id).get(option.id, 0), 200
    if request.method == "POST":
        value = request.form.get("total", "")[:20]
        try:
            services.set_hand_total(poll.id, option.id, value, actor=current_staff(),
                                    request_key=request_key())
        except Invalid as invalid:
            db.session.rollback()
            errors, status = invalid.errors, 422
        except services.Refused as refused:
            db.session.rollback()
            return go_to(url_for("votes.run_poll", poll_id=poll.id), str(refused.message))
        else:
            db.session.commit()
            return go_to(url_for("votes.run_poll", poll_id=poll.id), _(
                "%(option)s: %(count)s hands.", option=services.option_label(option),
                count=services.hand_counts(poll.id).get(option.id, 0)))
    return render_template("votes/hand_total.html", poll=poll, option=option, value=value,
                           errors=errors, **labels()), status


@bp.post("/vote/run/polls/<int:poll_id>/hand-over")
@staff_only(*RUNNERS)
def hand_over(poll_id: int):
    """Pass the tablet to the residents: staff mode ends, the ballot comes up."""
    poll = staff_record_or_404(Poll, poll_id)
    if not (poll.is_open and poll.channel_pass):
        return go_to(url_for("votes.run_poll", poll_id=poll.id))
    community = poll.item.meeting.community
    require_station_tablet(community)  # only the community's tablet is passed round
    station = current_station() or ensure_demo_station(community)  # demo: no enrollment
    station_services.arm_ballot(station, poll.id)
    end_session(session.pop(SESSION_KEY, None), reason="staff.lock_tablet")
    db.session.commit()
    return go_to(url_for("votes.ballot", poll_id=poll.id),
                 _("Staff mode is off. Please pass the tablet to the first voter."))


@bp.route("/vote/run/polls/<int:poll_id>/close", methods=["GET", "POST"])
@staff_only(*RUNNERS)
def close_poll(poll_id: int):
    poll = staff_record_or_404(Poll, poll_id)
    if request.method == "GET":
        if not poll.is_open:
            return go_to(url_for("votes.run_poll", poll_id=poll.id))
        return render_template("votes/close_confirm.html", **_run_poll_context(poll))
    try:
        poll, closed_now = services.close_poll(poll.id, actor=current_staff())
    except services.Refused as refused:
        db.session.rollback()
        return go_to(url_for("votes.run_poll", poll_id=poll.id), str(refused.message))
    db.session.commit()
    message = (_("Voting has ended. Result: %(result)s", result=services.result_text(poll))
               if closed_now else _("This vote was already closed."))
    return go_to(url_for("votes.run_poll", poll_id=poll.id), message)


# ---------- promises made at the meeting ----------


@bp.route("/vote/run/items/<int:agenda_item_id>/commitments", methods=["GET", "POST"])
@staff_only(*RUNNERS)
def add_commitment(agenda_item_id: int):
    """现场承诺 on the tablet: who, what, by when."""
    item = staff_item(agenda_item_id)
    values, errors, status = {"who": "", "what": "", "due_on": ""}, {}, 200
    if request.method == "POST":
        values = commitment_values(request.form)
        try:
            services.add_commitment(item, **values, actor=current_staff())
        except Invalid as invalid:
            db.session.rollback()
            errors, status = invalid.errors, 422
        else:
            db.session.commit()
            return go_to(url_for("votes.run_meeting", meeting_id=item.meeting_id)
                         + f"#item-{item.id}", _("The commitment is recorded."))
    return render_template("votes/commitment_form.html", item=item, values=values,
                           errors=errors, who_choices=services.COMMITMENT_WHO,
                           other=services.WHO_OTHER, **labels()), status
