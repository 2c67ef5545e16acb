"""A resident's own phone: the ballot of a poll that takes phone votes (/m/v/<token>), reached
by scanning the QR code on the TV or the facilitator's tablet. No sign-in: the phone is known by
its device cookie (devices.py), so it votes once."""

from flask import request, url_for
from flask_babel import gettext as _

from ... import devices
from ...access import public
from ...errors import render_error
from ...extensions import db
from ...responses import go_to, page_or_fragment, wants_fragment
from ...validation import Invalid
from .. import services
from ..models import PHONE, Poll
from .common import bp, labels, request_key


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
    if mine is None and poll.is_open:
        chosen = services.find_option(poll, request.args.get("option"))
    return page_or_fragment("votes/phone.html", "votes/_phone.html",
                            **_phone_context(poll, mine=mine, chosen=chosen))


def _phone_context(poll: Poll, **extra) -> dict:
    return {"poll": poll, "meeting": poll.item.meeting, **labels(), **extra}


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
                                                device_id=device_id, request_key=request_key())
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
