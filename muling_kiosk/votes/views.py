"""板凳议事会: the kiosk's ballot and public record, phone ballots, the TV display, the
facilitator's screens on the tablet (/vote/run/…) and the staff console (/staff/votes/…)."""

import time
import unicodedata
from datetime import datetime

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    render_template,
    request,
    session,
    stream_with_context,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup

from .. import devices
from ..access import public, staff_only
from ..communities.current import kiosk_community, kiosk_record_or_404
from ..communities.models import Community
from ..errors import render_error
from ..exports import csv_response, xlsx_response
from ..extensions import db
from ..i18n import DEFAULT_LOCALE, local_zone
from ..idempotency import parse_request_key
from ..kiosk_state import large_text
from ..qr import public_url, qr_svg_inline
from ..responses import fragment, go_to, page_or_fragment, wants_fragment
from ..staff.auth import SESSION_KEY, current_staff, form_community_id, staff_record_or_404
from ..staff.models import ADMIN, FACILITATOR
from ..staff.services import end_session
from ..validation import Invalid, parse_page
from . import live, services
from .models import (
    CHANNELS,
    CLOSED,
    HAND,
    PASS,
    PHONE,
    RULES,
    AgendaItem,
    Commitment,
    Meeting,
    Poll,
)
from .signals import describe_item

bp = Blueprint("votes", __name__)

RUNNERS = (ADMIN, FACILITATOR)
PASS_LOCK_SECONDS = 3  # "已记录，请传给下一位" stays this long, nothing to tap
# How many fit on one kiosk screen (a landscape tablet is the tightest), without and with
# 大字: longer lists are paged with 上一页 / 下一页, never scrolled. (votes.js reloads a paged
# screen when 大字 is switched, so the page holds what fits.)
BOARD_PAGE = (3, 2)  # past meetings on the public board
RECORD_PAGE = (3, 2)  # agenda items in a past meeting's record
RUN_MEETINGS_PAGE = (4, 2)  # upcoming meetings to run
AGENDA_PAGE = (2, 1)  # agenda items on the facilitator's meeting screen
# The poll form's screens besides the summary (which shows every error, beside its setting).
POLL_SECTIONS = ("options", "rule", "quorum", "channels")


# ---------- helpers ----------


def _local_input(value: datetime | None) -> str:
    """A UTC time as the value of a datetime-local field, in the community's time zone."""
    return value.astimezone(local_zone()).strftime("%Y-%m-%dT%H:%M") if value else ""


def _parse_local(raw: str | None) -> datetime | None:
    try:
        naive = datetime.fromisoformat((raw or "").strip())
    except ValueError:
        return None
    return naive.replace(tzinfo=local_zone()) if naive.tzinfo is None else naive


def _key() -> str | None:
    return parse_request_key(request.form.get("request_key"))


def _staff_item(item_id: int) -> AgendaItem:
    return staff_record_or_404(AgendaItem, item_id, lambda item: item.meeting.community_id)


def phone_url(poll: Poll) -> str:
    return public_url(url_for("votes.phone_ballot", ballot_token=poll.phone_token))


def tv_url(meeting: Meeting) -> str:
    return public_url(url_for("votes.tv", tv_token=meeting.display_token))


def phone_qr(poll: Poll):
    return qr_svg_inline(phone_url(poll), _("QR code: vote on your phone"))


def _names() -> dict:
    return {"rule_names": services.RULE_NAMES, "result_names": services.RESULT_NAMES,
            "channel_names": services.CHANNEL_NAMES, "quorum_names": services.QUORUM_NAMES,
            "option_label": services.option_label, "quorum_text": services.quorum_text,
            "result_text": services.result_text, "tally": services.tally,
            "who_label": services.who_label}


@bp.app_template_global()
def item_notes(item: AgendaItem, view: str) -> Markup:
    """What other features show under an agenda item (votes.signals.describe_item)."""
    return Markup("").join(note for _receiver, note in describe_item.send(item, view=view)
                           if note)


def _page_arg() -> int:
    return request.args.get("page", 1, type=parse_page)


def _per_page(sizes: tuple[int, int]) -> int:
    """How many a page of this list holds, for the text size this kiosk shows."""
    return sizes[1] if large_text() else sizes[0]


def _page_of(items, sizes: tuple[int, int]) -> services.ListPage:
    """The page of `items` this request asks for (?page=)."""
    return services.page_of_list(items, _page_arg(), _per_page(sizes))


# ---------- the kiosk: the tile, the public record, the pass-the-tablet ballot ----------


@bp.get("/vote/")
@public
def index():
    """The 议事会投票 tile: the open ballot if there is one, else the decisions so far."""
    community = kiosk_community()
    if community is not None and (poll := services.open_pass_poll(community.id)) is not None:
        return go_to(url_for("votes.ballot", poll_id=poll.id))
    upcoming = services.meetings_of([community.id], upcoming=True)[:1] if community else []
    meetings = services.decided_meetings(community.id) if community else []
    return render_template("votes/index.html", community=community,
                           page=_page_of(meetings, BOARD_PAGE),
                           upcoming=upcoming[0] if upcoming else None, **_names())


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
                               number=number, count=len(items), **_names())
    return render_template("votes/meeting.html", meeting=found,
                           page=_page_of(items, RECORD_PAGE), **_names())


def _kiosk_poll(poll_id: int) -> Poll:
    poll = kiosk_record_or_404(Poll, poll_id)
    if not poll.channel_pass:
        abort(404)
    return poll


def _ballot_context(poll: Poll, **extra) -> dict:
    return {"poll": poll, "lock_seconds": PASS_LOCK_SECONDS, **_names(), **extra}


@bp.get("/vote/poll/<int:poll_id>")
@public
def ballot(poll_id: int):
    """Pass the tablet: the question and huge buttons; ?option= asks to confirm."""
    poll = _kiosk_poll(poll_id)
    chosen = None
    if poll.is_open and request.args.get("option"):
        chosen = next((o for o in poll.options if str(o.id) == request.args["option"]), None)
    # The next voter's screen (a fragment after 已记录) clears the status line.
    return page_or_fragment("votes/ballot.html", "votes/_ballot.html",
                            **_ballot_context(poll, chosen=chosen, clear_status=wants_fragment()))


@bp.post("/vote/poll/<int:poll_id>")
@public
def cast_ballot(poll_id: int):
    poll = _kiosk_poll(poll_id)
    try:
        services.cast_ballot(poll.id, request.form.get("option_id"), PASS,
                             request_key=_key())
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


def _ballot_answer(poll: Poll, status: int, error=None):
    db.session.refresh(poll)
    return page_or_fragment("votes/ballot.html", "votes/_ballot.html", status=status,
                            **_ballot_context(poll, chosen=None, error=error))


# ---------- phones: /m/v/<token> ----------


def _phone_poll(token: str) -> Poll | None:
    return services.poll_by_phone_token(token) if 8 <= len(token) <= 32 else None


def _unknown_phone_poll():
    return render_error(404, detail=_("This vote's code is not complete or not valid. Please "
                                      "scan the QR code again."))


@bp.get("/m/v/<ballot_token>")
@public
def phone_ballot(ballot_token: str):
    poll = _phone_poll(ballot_token)
    if poll is None or not poll.channel_phone:
        return _unknown_phone_poll()
    mine = services.ballot_of_device(poll, devices.device_id())
    chosen = None
    if mine is None and poll.is_open and request.args.get("option"):
        chosen = next((o for o in poll.options if str(o.id) == request.args["option"]), None)
    return page_or_fragment("votes/phone.html", "votes/_phone.html",
                            **_phone_context(poll, mine=mine, chosen=chosen))


def _phone_context(poll: Poll, **extra) -> dict:
    return {"poll": poll, "meeting": poll.item.meeting, **_names(), **extra}


@bp.post("/m/v/<ballot_token>")
@public
def phone_cast(ballot_token: str):
    poll = _phone_poll(ballot_token)
    if poll is None or not poll.channel_phone:
        return _unknown_phone_poll()
    device_id = devices.known_device()
    if device_id is None:
        response = page_or_fragment(
            "votes/phone.html", "votes/_phone.html", status=400,
            **_phone_context(poll, mine=None, chosen=None, error=_(
                "We could not recognise this phone, so nothing was counted. Please scan the "
                "QR code again and vote once more.")))
        if devices.sent_a_forged_cookie():
            devices.forget_forged(response)
        return response
    error, status, created = None, 200, False
    try:
        _ballot, created = services.cast_ballot(poll.id, request.form.get("option_id"), PHONE,
                                                device_id=device_id, request_key=_key())
    except Invalid as invalid:
        error, status = invalid.errors["option"], 422
    except services.Refused as refused:
        error, status = refused.message, refused.status
    if error:
        db.session.rollback()
    else:
        db.session.commit()
    db.session.refresh(poll)
    if not error and not wants_fragment():
        return go_to(url_for("votes.phone_ballot", ballot_token=poll.phone_token),
                     _("Your vote is counted.") if created else None)
    mine = services.ballot_of_device(poll, device_id)
    response = page_or_fragment("votes/phone.html", "votes/_phone.html", status=status,
                                **_phone_context(poll, mine=mine, chosen=None, error=error,
                                                 just_voted=created))
    return response


# ---------- the TV display ----------


def _tv_locale() -> str:
    """The TV's language comes from its link, never from the TV's own browser (a TV bought in
    a shop asks for English; the room reads Chinese): Chinese, or English with ?lang=en.
    Nobody taps a TV, so there is no switch on it."""
    return "en" if request.args.get("lang") == "en" else DEFAULT_LOCALE


@bp.get("/vote/tv/<tv_token>")
@public
def tv(tv_token: str):
    meeting = services.meeting_by_display_token(tv_token)
    if meeting is None:
        abort(404)
    with force_locale(_tv_locale()):
        return render_template("votes/tv.html", **_tv_context(meeting))


@bp.get("/vote/tv/<tv_token>/state")
@public
def tv_state(tv_token: str):
    """For a display that asks (every second, with the version it shows): 204 when nothing
    changed (one indexed query), else the new display."""
    version = services.display_version(tv_token)
    if version is None:
        abort(404)
    if request.args.get("v") == str(version):
        return "", 204
    with force_locale(_tv_locale()):
        return render_template("votes/_tv.html",
                               **_tv_context(services.meeting_by_display_token(tv_token)))


@bp.get("/vote/tv/<tv_token>/events")
@public
def tv_events(tv_token: str):
    """Server-sent events for the TV page: the display now, then the new display at each
    change of the meeting, for a few minutes (then the browser reconnects by itself).
    A change costs one render per process, however many displays follow it (live.py)."""
    version = services.display_version(tv_token)
    if version is None:
        abort(404)
    app = current_app._get_current_object()
    watcher, renders = live.watcher_for(app), live.render_cache_for(app)
    locale = _tv_locale()  # the page's own language, which asked with the same ?lang

    def body(at_version: int) -> str:
        def render():
            meeting = services.meeting_by_display_token(tv_token)
            with force_locale(locale):
                return render_template("votes/_tv_body.html", **_tv_context(meeting))

        html = renders.get_or_render((tv_token, at_version, locale), render)
        db.session.remove()  # hold no database connection between events
        return html

    @stream_with_context
    def events():
        shown = version
        yield "retry: 2000\n" + live.sse_event("display", body(shown))
        ends = time.monotonic() + live.STREAM_SECONDS
        while time.monotonic() < ends and not watcher.stopping.is_set():
            latest = watcher.wait(tv_token, shown, timeout=live.KEEPALIVE_SECONDS)
            if latest == shown:
                yield ": still here\n\n"  # keeps proxies from closing a quiet stream
                continue
            shown = latest
            yield live.sse_event("display", body(shown))

    db.session.remove()
    return Response(events(), mimetype="text/event-stream",
                    headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


def text_length(text: str | None) -> str:
    """How much room a text takes on the TV, for its font size: "short", "medium", "long",
    "longer" (a question can be this long) or "longest" (a long description). A Chinese
    character is about as wide as two Latin letters."""
    width = sum(1 if unicodedata.east_asian_width(c) in "WF" else 0.55 for c in text or "")
    for name, most in (("short", 16), ("medium", 40), ("long", 90), ("longer", 200)):
        if width <= most:
            return name
    return "longest"


def _tv_context(meeting: Meeting) -> dict:
    poll = services.shown_poll(meeting)
    figures = services.tally(poll) if poll is not None else None
    return {"meeting": meeting, "item": meeting.current_item, "poll": poll, "figures": figures,
            "qr": phone_qr(poll) if poll is not None and poll.is_open and poll.channel_phone
            else None, "phone_url": phone_url(poll) if poll is not None else None,
            "winner": services.winner_label(poll) if poll is not None else None,
            # Kept on the TV's own requests (the stream, the fallback) so they speak alike.
            "tv_lang": "en" if _tv_locale() == "en" else None,
            "text_length": text_length, **_names()}


# ---------- the facilitator on the tablet: /vote/run/… ----------


@bp.get("/vote/run/")
@staff_only(*RUNNERS)
def run_meetings():
    staff = current_staff()
    meetings = services.meetings_of(staff.community_ids(), upcoming=True)
    return render_template("votes/run_meetings.html",
                           page=_page_of(meetings, RUN_MEETINGS_PAGE))


@bp.get("/vote/run/<int:meeting_id>")
@staff_only(*RUNNERS)
def run_meeting(meeting_id: int):
    """The meeting on the tablet: the agenda a page at a time (the page of the item on the
    TV unless another is asked for), 开始投票 and 在电视上显示 on each item, 下一项议题."""
    meeting = staff_record_or_404(Meeting, meeting_id)
    items, per_page = list(meeting.items), _per_page(AGENDA_PAGE)
    number = (_page_arg() if "page" in request.args
              else services.page_with(items, meeting.current_item, per_page))
    return render_template("votes/run_meeting.html", meeting=meeting,
                           agenda=services.page_of_list(items, number, per_page),
                           next_item=services.next_item(meeting), **_names())


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
    item = _staff_item(agenda_item_id)
    services.show_item(item.meeting, item, actor=current_staff())
    db.session.commit()
    return go_to(url_for("votes.run_meeting", meeting_id=item.meeting_id) + f"#item-{item.id}",
                 _("The TV now shows: %(title)s", title=item.title))


def _poll_form(item: AgendaItem, spec: services.PollSpec, errors: dict,
               section: str = "summary", status: int = 200):
    return render_template(
        "votes/poll_form.html", item=item, spec=spec, errors=errors, section=section,
        rules=RULES, quorum_kinds=list(services.QUORUM_NAMES), channels=CHANNELS,
        option_slots=range(services.OPTIONS_MAX), rule_hints=services.RULE_HINTS,
        **_names()), status


@bp.route("/vote/run/items/<int:agenda_item_id>/poll", methods=["GET", "POST"])
@staff_only(*RUNNERS)
def new_poll(agenda_item_id: int):
    """Open a vote: the defaults are ready, so it is two taps from the agenda. Each setting
    (options, rule, quorum, ways to vote) has its own screen, reached by a button that posts
    the form back (go=<section>); go=start (or Enter, or no go at all) opens the vote."""
    item = _staff_item(agenda_item_id)
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
        poll = services.open_poll(item, spec, actor=current_staff(), request_key=_key())
    except Invalid as invalid:
        db.session.rollback()
        return _poll_form(item, spec, invalid.errors, status=422)
    except services.Refused as refused:
        db.session.rollback()
        return _poll_form(item, spec, {"question": refused.message}, status=refused.status)
    db.session.commit()
    return go_to(url_for("votes.run_poll", poll_id=poll.id), _("Voting has started."))


def _run_poll_context(poll: Poll, **extra) -> dict:
    return {"poll": poll, "meeting": poll.item.meeting, "figures": services.tally(poll),
            "qr": phone_qr(poll) if poll.is_open and poll.channel_phone else None,
            "phone_link": phone_url(poll), "tv_link": tv_url(poll.item.meeting),
            "winner": services.winner_label(poll),
            "next_item": services.next_item(poll.item.meeting), **_names(), **extra}


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
        poll_id, request.form.get("option_id"), actor=current_staff(), request_key=_key()))


@bp.post("/vote/run/polls/<int:poll_id>/undo")
@staff_only(*RUNNERS)
def undo_hand(poll_id: int):
    return _hand_write(poll_id, lambda: services.undo_last_hand(
        poll_id, actor=current_staff(), request_key=_key()))


@bp.route("/vote/run/polls/<int:poll_id>/total", methods=["GET", "POST"])
@staff_only(*RUNNERS)
def set_hand_total(poll_id: int):
    """Type the number of raised hands for one option (instead of tapping)."""
    poll = staff_record_or_404(Poll, poll_id)
    option_id = request.values.get("option_id", "")
    option = next((o for o in poll.options if str(o.id) == option_id), None)
    if option is None and request.method == "GET" and not option_id:
        # 输入总数 on the poll screen: first choose the option.
        return render_template("votes/hand_total.html", poll=poll, option=None,
                               counts=services.hand_counts(poll.id), **_names())
    if option is None:
        return go_to(url_for("votes.run_poll", poll_id=poll.id),
                     _("Please choose the option whose total you want to type."))
    errors, value, status = {}, services.hand_counts(poll.id).get(option.id, 0), 200
    if request.method == "POST":
        value = request.form.get("total", "")[:20]
        try:
            services.set_hand_total(poll.id, option.id, value, actor=current_staff(),
                                    request_key=_key())
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
                           errors=errors, **_names()), status


@bp.post("/vote/run/polls/<int:poll_id>/hand-over")
@staff_only(*RUNNERS)
def hand_over(poll_id: int):
    """Pass the tablet to the residents: staff mode ends, the ballot comes up."""
    poll = staff_record_or_404(Poll, poll_id)
    if not (poll.is_open and poll.channel_pass):
        return go_to(url_for("votes.run_poll", poll_id=poll.id))
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


def _commitment_values(form) -> dict:
    who = form.get("who", "")
    if who == services.WHO_OTHER or who not in services.COMMITMENT_WHO:
        who = form.get("who_other", "")
    return {"who": who[:80], "what": form.get("what", "")[:400],
            "due_on": form.get("due_on", "")[:20]}


@bp.route("/vote/run/items/<int:agenda_item_id>/commitments", methods=["GET", "POST"])
@staff_only(*RUNNERS)
def add_commitment(agenda_item_id: int):
    """现场承诺 on the tablet: who, what, by when."""
    item = _staff_item(agenda_item_id)
    values, errors, status = {"who": "", "what": "", "due_on": ""}, {}, 200
    if request.method == "POST":
        values = _commitment_values(request.form)
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
                           other=services.WHO_OTHER, **_names()), status


# ---------- the staff console: /staff/votes/… ----------


def _communities() -> list[Community]:
    return [db.session.get(Community, cid) for cid in current_staff().community_ids()]


@bp.get("/staff/votes/")
@staff_only(*RUNNERS)
def console_meetings():
    ids = current_staff().community_ids()
    return render_template("votes/console_meetings.html",
                           upcoming=services.meetings_of(ids, upcoming=True),
                           past=services.meetings_of(ids, upcoming=False), **_names())


def _meeting_form(meeting: Meeting | None, values: dict, errors: dict, status: int = 200):
    return render_template("votes/meeting_form.html", meeting=meeting, values=values,
                           errors=errors, communities=_communities()), status


@bp.route("/staff/votes/new", methods=["GET", "POST"])
@staff_only(*RUNNERS)
def new_meeting():
    staff = current_staff()
    values = {"title": "", "place": "", "starts_at": "", "community_id": staff.community_id}
    if request.method == "POST":
        values = {k: request.form.get(k, "")[:200] for k in ("title", "place", "starts_at")}
        values["community_id"] = form_community_id(current_staff(), or_first=True)
        try:
            meeting = services.create_meeting(
                community_id=values["community_id"], title=values["title"],
                place=values["place"], starts_at=_parse_local(values["starts_at"]))
        except Invalid as invalid:
            db.session.rollback()
            return _meeting_form(None, values, invalid.errors, 422)
        db.session.commit()
        return go_to(url_for("votes.edit_meeting", meeting_id=meeting.id),
                     _("The meeting is saved. Now add its agenda items."))
    return _meeting_form(None, values, {})


@bp.route("/staff/votes/<int:meeting_id>", methods=["GET", "POST"])
@staff_only(*RUNNERS)
def edit_meeting(meeting_id: int):
    meeting = staff_record_or_404(Meeting, meeting_id)
    values = {"title": meeting.title, "place": meeting.place,
              "starts_at": _local_input(meeting.starts_at), "community_id": meeting.community_id}
    errors, item_values, item_errors = {}, {"title": "", "description": ""}, {}
    if request.method == "POST":
        values.update({k: request.form.get(k, "")[:200] for k in ("title", "place", "starts_at")})
        try:
            services.update_meeting(meeting, title=values["title"], place=values["place"],
                                    starts_at=_parse_local(values["starts_at"]))
        except Invalid as invalid:
            db.session.rollback()
            errors = invalid.errors
        else:
            db.session.commit()
            return go_to(url_for("votes.edit_meeting", meeting_id=meeting.id), _("Saved."))
    return _console_meeting(meeting, values, errors, item_values, item_errors)


def _console_meeting(meeting, values, errors, item_values, item_errors):
    status = 422 if errors or item_errors else 200
    return render_template("votes/console_meeting.html", meeting=meeting, values=values,
                           errors=errors, item_values=item_values, item_errors=item_errors,
                           tv_link=tv_url(meeting), **_names()), status


@bp.post("/staff/votes/<int:meeting_id>/items")
@staff_only(*RUNNERS)
def console_add_item(meeting_id: int):
    meeting = staff_record_or_404(Meeting, meeting_id)
    item_values = {"title": request.form.get("title", "")[:200],
                   "description": request.form.get("description", "")[:2000]}
    try:
        services.add_agenda_item(meeting, item_values["title"], item_values["description"])
    except Invalid as invalid:
        db.session.rollback()
        values = {"title": meeting.title, "place": meeting.place,
                  "starts_at": _local_input(meeting.starts_at)}
        return _console_meeting(meeting, values, {}, item_values, invalid.errors)
    db.session.commit()
    return go_to(url_for("votes.edit_meeting", meeting_id=meeting.id),
                 _("The item is added to the agenda."))


@bp.route("/staff/votes/items/<int:agenda_item_id>", methods=["GET", "POST"])
@staff_only(*RUNNERS)
def edit_item(agenda_item_id: int):
    item = _staff_item(agenda_item_id)
    values, errors = {"title": item.title, "description": item.description}, {}
    if request.method == "POST":
        values = {"title": request.form.get("title", "")[:200],
                  "description": request.form.get("description", "")[:2000]}
        try:
            services.update_agenda_item(item, **values)
        except Invalid as invalid:
            db.session.rollback()
            errors = invalid.errors
        else:
            db.session.commit()
            return go_to(url_for("votes.edit_meeting", meeting_id=item.meeting_id), _("Saved."))
    return render_template("votes/item_form.html", item=item, values=values,
                           errors=errors), 422 if errors else 200


@bp.post("/staff/votes/items/<int:agenda_item_id>/move")
@staff_only(*RUNNERS)
def move_item(agenda_item_id: int):
    item = _staff_item(agenda_item_id)
    services.move_agenda_item(item, -1 if request.form.get("direction") == "up" else 1)
    db.session.commit()
    return go_to(url_for("votes.edit_meeting", meeting_id=item.meeting_id), _("Moved."))


@bp.post("/staff/votes/items/<int:agenda_item_id>/delete")
@staff_only(*RUNNERS)
def delete_item(agenda_item_id: int):
    item = _staff_item(agenda_item_id)
    meeting_id = item.meeting_id
    try:
        services.delete_agenda_item(item)
    except services.Refused as refused:
        db.session.rollback()
        return go_to(url_for("votes.edit_meeting", meeting_id=meeting_id), str(refused.message))
    db.session.commit()
    return go_to(url_for("votes.edit_meeting", meeting_id=meeting_id),
                 _("The item is removed from the agenda."))


@bp.post("/staff/votes/items/<int:agenda_item_id>/commitments")
@staff_only(*RUNNERS)
def console_add_commitment(agenda_item_id: int):
    item = _staff_item(agenda_item_id)
    try:
        services.add_commitment(item, **_commitment_values(request.form))
    except Invalid as invalid:
        db.session.rollback()
        return go_to(url_for("votes.edit_meeting", meeting_id=item.meeting_id)
                     + f"#item-{item.id}", " ".join(str(m) for m in invalid.errors.values()))
    db.session.commit()
    return go_to(url_for("votes.edit_meeting", meeting_id=item.meeting_id) + f"#item-{item.id}",
                 _("The commitment is recorded."))


@bp.get("/staff/votes/commitments")
@staff_only(*RUNNERS)
def commitments():
    return render_template("votes/commitments.html",
                           commitments=services.open_commitments(current_staff().community_ids()),
                           today=datetime.now(local_zone()).date(), **_names())


@bp.post("/staff/votes/commitments/<int:commitment_id>/done")
@staff_only(*RUNNERS)
def mark_commitment(commitment_id: int):
    commitment = staff_record_or_404(Commitment, commitment_id)
    done = request.form.get("done") != "0"
    try:
        services.set_commitment_done(commitment, request.form.get("done_on", "") if done
                                     else None)
    except Invalid as invalid:
        db.session.rollback()
        return go_to(url_for("votes.commitments"), str(invalid.errors["done_on"]))
    db.session.commit()
    back = request.form.get("back") == "meeting"
    target = (url_for("votes.edit_meeting", meeting_id=commitment.item.meeting_id)
              if back else url_for("votes.commitments"))
    return go_to(target, _("Marked as done.") if done else _("Marked as not done yet."))


@bp.get("/staff/votes/<int:meeting_id>/minutes")
@staff_only(*RUNNERS)
def minutes(meeting_id: int):
    """会议纪要, for printing on A4."""
    meeting = staff_record_or_404(Meeting, meeting_id)
    return render_template("votes/minutes.html", meeting=meeting, closed=CLOSED,
                           channels=(HAND, PASS, PHONE), **_names())


def _minutes_download(meeting_id: int, extension: str):
    meeting = staff_record_or_404(Meeting, meeting_id)
    header = [str(h) for h in services.MINUTES_HEADER]
    filename = services.minutes_filename(meeting, extension, local_zone())
    rows = services.minutes_rows(meeting)
    if extension == "csv":
        return csv_response(filename, header, rows)
    return xlsx_response(filename, header, rows, title=_("Minutes"))


@bp.get("/staff/votes/<int:meeting_id>/minutes.csv")
@staff_only(*RUNNERS)
def minutes_csv(meeting_id: int):
    return _minutes_download(meeting_id, "csv")


@bp.get("/staff/votes/<int:meeting_id>/minutes.xlsx")
@staff_only(*RUNNERS)
def minutes_xlsx(meeting_id: int):
    return _minutes_download(meeting_id, "xlsx")

