"""The TV in the meeting room: the current item, its vote and result, and the QR code to vote
by phone (/vote/tv/<token>: the link and QR code on the facilitator's TV screen, or on the
meeting's console page). Nobody touches it: it follows the meeting over server-sent events
(/events, live.py), or by asking every second where a stream cannot stay open (/state).
Streams are capped per meeting and per address (live.StreamSlots): a display beyond a cap is
answered at once with the display and asks again a few seconds later."""

import unicodedata

from flask import Response, abort, current_app, render_template, request, stream_with_context
from flask_babel import force_locale

from ...access import public
from ...extensions import db
from ...i18n import DEFAULT_LOCALE
from .. import live, services
from ..models import Meeting
from .common import bp, labels, phone_qr, phone_url


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
    locale = _tv_locale()  # the page's own language, which asked with the same ?lang

    def render() -> str:
        meeting = services.meeting_by_display_token(tv_token)
        with force_locale(locale):
            return render_template("votes/_tv_body.html", **_tv_context(meeting))

    app = current_app._get_current_object()
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    release = live.slots_for(app).take(tv_token, request.remote_addr or "")
    if release is None:  # beyond a cap: the display now, and ask again in a few seconds
        return Response(live.refused_events(app, tv_token, version, locale, render),
                        mimetype="text/event-stream", headers=headers)
    events = live.display_events(app, tv_token, version, locale, render)
    db.session.remove()  # the stream waits without a database connection
    response = Response(stream_with_context(events), mimetype="text/event-stream",
                        headers=headers)
    response.call_on_close(release)  # the server closes every response, even one never read
    return response


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
            "qr": phone_qr(poll), "phone_url": phone_url(poll) if poll is not None else None,
            "winner": services.winner_label(poll) if poll is not None else None,
            # Kept on the TV's own requests (the stream, the fallback) so they speak alike.
            "tv_lang": "en" if _tv_locale() == "en" else None,
            "text_length": text_length, **labels()}
