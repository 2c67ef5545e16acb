"""Writing a suggestion, on the station tablet (/suggest/…) and on a resident's phone after
scanning a QR poster (/m/s/<token>/…): the form, the 请确认 screen, the receipt with the
tracking code. A volunteer signed in on the tablet writes here for a resident.

Writing one takes two steps on every device: the form saves a draft (photos re-encoded),
the resident checks it on a 请确认 screen, and only 确认提交 makes the suggestion
(ACCESSIBILITY row 9). Both steps are keyed by the form's one-off request key, so a double
tap or a resend makes one suggestion.
"""

from dataclasses import dataclass

from flask import (
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from ... import devices, ratelimit
from ...access import public
from ...audit.services import client_address
from ...communities.current import kiosk_community_or_choose
from ...communities.models import Community
from ...errors import render_error, too_large_key
from ...extensions import db
from ...idempotency import new_request_key, parse_request_key
from ...qr import public_url, qr_svg_inline
from ...responses import go_to, page_or_fragment
from ...staff.auth import current_staff
from ...staff.models import Staff
from ...validation import Invalid
from .. import services as rules
from ..models import Suggestion, SuggestionLocation
from . import uploads
from .common import FIELD_LIMIT, bp, jpeg_response

HONEYPOT = "website"
# Session keys (person_…: the kiosk's home screen and idle reset forget them).
KIOSK_DRAFT = "person_suggestion_draft"
KIOSK_DONE = "person_suggestion_done"
PHONE_DRAFT = "person_phone_suggestion_draft"
PHONE_DONE = "person_phone_suggestion_done"
WRITE_ENDPOINTS = ("suggestions.kiosk_write", "suggestions.phone_write")
# The tablet's form comes in screens that fit without scrolling: "all" (the category and the
# text; with 大字 the style sheet shows only the category there, and the text follows on a
# screen of its own), "text", and "contact" when staff write for a resident. What a screen
# does not show is kept in the draft. A phone shows everything on one page ("all").
KIOSK_SCREENS = ("all", "text")
STAFF_SCREENS = ("all", "text", "contact")
SCREEN_FIELDS = {"all": ("category", "text"), "text": ("text",),
                 "contact": ("contact_name", "contact_phone")}
# What must be right before a screen is shown (going back needs nothing new).
NEEDED_BEFORE = {"all": (), "text": ("category",), "contact": ("category", "text")}


# ---------- a text too long to be sent ----------


@bp.url_value_preprocessor
def _room_for_a_long_text(endpoint, _values):
    """The write form is multipart (photos). Werkzeug refuses a multipart text field longer
    than MAX_FORM_MEMORY_SIZE with a 413 while the CSRF check reads the form, before any view
    runs, and the 413 page speaks of photos: a pasted million characters got "每张照片最大
    10 MB". Here the text may be as long as the whole request, which MAX_CONTENT_LENGTH
    bounds (as it bounds the many smaller fields a form may already send), so it reaches the
    rules and is answered next to the text field. This hook runs before the CSRF check."""
    if endpoint in WRITE_ENDPOINTS and request.method == "POST":
        request.max_form_memory_size = current_app.config["MAX_CONTENT_LENGTH"]


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error):
    """Larger than the whole request may be: the form again, as far as it was saved before,
    saying what is too long. Elsewhere, the error page."""
    if request.endpoint not in WRITE_ENDPOINTS:
        return render_error(413, too_large_key())
    if request.endpoint == "suggestions.kiosk_write":
        channel = _kiosk_channel()
    else:
        channel = _phone_channel(request.view_args["token"])
    draft = _session_draft(channel)
    errors, notice = {"text": _too_long_message()}, None
    if channel.source == "phone" and too_large_key() is None:  # the text or the photos
        errors, notice = {}, _("What you sent is too large. The text may have at most "
                               "%(max)s characters, and each photo at most 10 MB.",
                               max=rules.TEXT_MAX)
    return _form_again(channel, 422, key=draft.request_key if draft else new_request_key(),
                       values=rules.draft_values(draft), errors=errors, notice=notice,
                       photos=draft.photos if draft else (), screen=_first_screen(channel))


def _too_long_message(count: int | None = None) -> str:
    if count is None:
        return _("This is far too long to send. Please shorten it to %(max)s characters.",
                 max=rules.TEXT_MAX)
    return _("This is far too long: %(count)s characters arrived, and at most %(max)s fit. "
             "Only the first %(kept)s are kept below; please shorten them.",
             count=count, max=rules.TEXT_MAX, kept=FIELD_LIMIT)


# ---------- writing: shared by the tablet and the phone ----------


@dataclass
class Channel:
    """Where a suggestion is being written: the tablet or a phone at a QR point."""

    community: Community
    location: SuggestionLocation | None
    source: str
    written_by: Staff | None
    draft_key: str
    done_key: str
    form_url: str
    confirm_url: str
    done_url: str
    templates: dict
    screens: tuple = ("all",)

    @property
    def exempt(self) -> bool:
        """A volunteer writing for residents on the tablet is not limited."""
        return self.written_by is not None


def _kiosk_channel() -> Channel:
    community = kiosk_community_or_choose()
    staff = current_staff()
    return Channel(community, None, "staff" if staff else "kiosk", staff, KIOSK_DRAFT,
                   KIOSK_DONE, url_for("suggestions.kiosk_write"),
                   url_for("suggestions.kiosk_confirm"), url_for("suggestions.kiosk_done"),
                   {"form": "suggestions/kiosk_write.html",
                    "form_fragment": "suggestions/_form.html",
                    "confirm": "suggestions/kiosk_confirm.html",
                    "confirm_fragment": "suggestions/_confirm.html"},
                   STAFF_SCREENS if staff else KIOSK_SCREENS)


def _phone_channel(token: str) -> Channel:
    location = rules.location_by_token(token, active_only=False)
    if location is None:
        abort(404)
    if not location.active:
        abort(make_response(render_template("suggestions/closed.html", location=location),
                            404))
    return Channel(location.community, location, "phone", None, PHONE_DRAFT, PHONE_DONE,
                   url_for("suggestions.phone_write", token=token),
                   url_for("suggestions.phone_confirm", token=token),
                   url_for("suggestions.phone_done", token=token),
                   {"form": "suggestions/phone_write.html",
                    "form_fragment": "suggestions/_form.html",
                    "confirm": "suggestions/phone_confirm.html",
                    "confirm_fragment": "suggestions/_confirm.html"})


def _session_draft(channel: Channel):
    return rules.draft_at(session.get(channel.draft_key), channel.community.id,
                          channel.location)


def _form_context(channel: Channel, *, key: str, values: dict, errors: dict, photos=(),
                  notice: str | None = None, screen: str = "all") -> dict:
    return {"channel": channel, "location": channel.location, "community": channel.community,
            "request_key": key, "values": values, "errors": errors, "photos": list(photos),
            "notice": notice, "text_min": rules.TEXT_MIN, "screen": screen,
            "category_name": rules.category_name(values["category"])
            if values.get("category") in rules.CATEGORIES else "",
            "text_max": rules.TEXT_MAX, "max_photos": rules.MAX_PHOTOS}


def _first_screen(channel: Channel) -> str:
    return channel.screens[0]


def _screen_asked(channel: Channel, raw) -> str:
    return raw if raw in channel.screens else _first_screen(channel)


def _screen_for(channel: Channel, screen: str, fields) -> str:
    """The screen that shows what is to be fixed: this one if it can, else the first that
    can (a phone has one screen)."""
    for candidate in (screen, *channel.screens):
        if candidate in channel.screens and any(
                name in SCREEN_FIELDS.get(candidate, ()) for name in fields):
            return candidate
    return screen


def _show_form(channel: Channel):
    devices.device_id()
    draft = _session_draft(channel)
    key = draft.request_key if draft is not None else new_request_key()
    return render_template(channel.templates["form"], **_form_context(
        channel, key=key, values=rules.draft_values(draft), errors={},
        photos=draft.photos if draft is not None else (),
        screen=_screen_asked(channel, request.args.get("screen"))))


def _form_again(channel: Channel, status: int, **context):
    return page_or_fragment(channel.templates["form"], channel.templates["form_fragment"],
                            status, **_form_context(channel, **context))


def _save_entry(channel: Channel, taken: uploads.Taken | None = None):
    """The form's submit: keep it as a draft and show the 请确认 screen (or, on the tablet,
    the next screen of the form), or show the form again with what to fix (everything typed
    kept, good photos already stored). Fields a screen does not show keep the draft's.
    taken: a phone's photos, counted and decoded before the request's first query."""
    form = request.form
    key = parse_request_key(form.get("request_key")) or new_request_key()
    done = rules.submitted_with_key(key)
    if done is not None:  # a resend after the suggestion was confirmed
        session[channel.done_key] = done.code
        return go_to(channel.done_url)
    screen = _screen_asked(channel, form.get("screen"))
    # The screen to go to (上一步 / 下一步 within the form); none: on to 请确认.
    move = form.get("step") if form.get("step") in channel.screens else None
    sent = rules.entered(form, rules.draft_for(key, channel.community.id))
    values = {name: value[:FIELD_LIMIT] for name, value in sent.items()}
    if form.get(HONEYPOT):
        rules.record_honeypot(channel.community)
        db.session.commit()
        return _form_again(channel, 422, key=key, values=values, errors={}, screen=screen,
                           notice=_("This could not be sent. Please reload the page and "
                                    "try again."))
    limited = taken.limited if taken is not None else uploads.count_draft(channel.exempt)
    if limited is not None:
        return _form_again(channel, 429, key=key, values=values, errors={}, screen=screen,
                           notice=uploads.limited_message(limited))
    if not channel.exempt:
        try:
            ratelimit.check("suggestion", devices.device_id(), client_address())
        except ratelimit.RateLimited as limited:
            return _form_again(channel, 429, key=key, values=values, errors={},
                               screen=screen, notice=_rate_message(limited))
    # Ids of photos to drop: plain digits that fit a database integer, nothing else.
    remove = [int(v) for v in form.getlist("remove_photo")
              if v.isascii() and v.isdigit() and len(v) < 10][:10]
    draft, entry = rules.keep_draft(
        key=key, community=channel.community, location=channel.location,
        source=channel.source, written_by=channel.written_by, values=values,
        uploads=taken.photos if taken is not None else (), remove_photo_ids=remove,
        step_key=parse_request_key(form.get("step_key")))
    session[channel.draft_key] = key
    errors = dict(entry.errors)
    if "text" in errors and len(sent["text"]) > FIELD_LIMIT:  # a paste of a whole book
        errors["text"] = _too_long_message(len(sent["text"]))
    if move is not None:
        errors = {name: error for name, error in errors.items()
                  if name in NEEDED_BEFORE[move]}
    if errors:
        shown = {"category": entry.category, "text": entry.text[:FIELD_LIMIT],
                 "contact_name": values["contact_name"][:40],
                 "contact_phone": values["contact_phone"][:40]}
        return _form_again(channel, 422, key=key, values=shown, errors=errors,
                           photos=draft.photos, screen=_screen_for(channel, screen, errors))
    if move is not None:
        return go_to(f"{channel.form_url}?screen={move}")
    return go_to(channel.confirm_url)


def _rate_message(limited: ratelimit.RateLimited) -> str:
    return _("You have sent several suggestions in a short time. To keep out nuisance, "
             "please wait %(minutes)s minutes, then tap the button again. What you wrote "
             "stays here.", minutes=limited.minutes)


def _confirm_context(channel: Channel, draft, notice: str | None = None) -> dict:
    return {"channel": channel, "draft": draft, "location": channel.location,
            "community": channel.community, "notice": notice,
            "category_name": rules.category_name(draft.category), "photos": draft.photos}


def _show_confirm(channel: Channel):
    draft = _session_draft(channel)
    if draft is None:
        if session.get(channel.done_key):
            return redirect(channel.done_url, 303)
        return redirect(channel.form_url, 303)
    return render_template(channel.templates["confirm"], **_confirm_context(channel, draft))


def _submit(channel: Channel):
    """确认提交: the suggestion, once, however often this arrives."""
    key = parse_request_key(request.form.get("request_key")) or session.get(channel.draft_key)
    try:
        suggestion = rules.confirm_draft(key, channel.community, device=devices.device_id(),
                                         address=client_address(), exempt=channel.exempt)
    except ratelimit.RateLimited as limited:
        draft = rules.draft_for(key, channel.community.id)
        return page_or_fragment(channel.templates["confirm"],
                                channel.templates["confirm_fragment"], 429,
                                **_confirm_context(channel, draft, _rate_message(limited)))
    except Invalid as invalid:
        message = invalid.errors.get("draft") or _("Please check what you wrote.")
        return go_to(channel.form_url, str(message))
    session.pop(channel.draft_key, None)
    session[channel.done_key] = suggestion.code
    return go_to(channel.done_url, _("Your suggestion has been received."))


def _done_suggestion(channel: Channel) -> Suggestion | None:
    code = session.get(channel.done_key)
    suggestion = rules.suggestion_by_code(code) if code else None
    if suggestion is not None and suggestion.community_id != channel.community.id:
        return None
    return suggestion


# ---------- the tablet ----------


@bp.get("/suggest/")
@public
def kiosk():
    community = kiosk_community_or_choose()
    location = rules.kiosk_location(community)
    qr = None
    if location is not None:
        url = public_url(url_for("suggestions.phone_write", token=location.token))
        qr = qr_svg_inline(url, _("QR code: open the suggestion form on your phone"))
    return render_template("suggestions/kiosk.html", community=community, location=location,
                           qr=qr)


@bp.route("/suggest/write", methods=["GET", "POST"])
@public
def kiosk_write():
    channel = _kiosk_channel()
    if request.method == "GET":
        return _show_form(channel)
    return _save_entry(channel)


@bp.route("/suggest/confirm", methods=["GET", "POST"])
@public
def kiosk_confirm():
    channel = _kiosk_channel()
    if request.method == "GET":
        return _show_confirm(channel)
    return _submit(channel)


@bp.get("/suggest/done")
@public
def kiosk_done():
    channel = _kiosk_channel()
    suggestion = _done_suggestion(channel)
    if suggestion is None:
        return redirect(url_for("suggestions.kiosk"), 303)
    status_url = public_url(url_for("suggestions.status", code=suggestion.code))
    return render_template("suggestions/kiosk_done.html", suggestion=suggestion,
                           code=rules.group_code(suggestion.code), status_url=status_url,
                           qr=qr_svg_inline(status_url, _("QR code: follow your suggestion "
                                                          "on a phone")),
                           category_name=rules.category_name(suggestion.category))


# ---------- phones: writing ----------


@bp.route("/m/s/<token>", methods=["GET", "POST"])
@public
def phone_write(token: str):
    if request.method == "GET":
        return _show_form(_phone_channel(token))
    taken = uploads.take()  # first: no transaction (no write lock) while photos decode
    return _save_entry(_phone_channel(token), taken)


@bp.route("/m/s/<token>/confirm", methods=["GET", "POST"])
@public
def phone_confirm(token: str):
    channel = _phone_channel(token)
    if request.method == "GET":
        return _show_confirm(channel)
    return _submit(channel)


@bp.get("/m/s/<token>/photo/<int:photo_id>")
@public
def draft_photo(token: str, photo_id: int):
    """A photo of the draft this browser is writing (for the 请确认 screen)."""
    channel = _phone_channel(token)
    draft = _session_draft(channel)
    photo = rules.draft_photo(draft, photo_id) if draft is not None else None
    if photo is None:
        abort(404)
    return jpeg_response(photo)


@bp.get("/m/s/<token>/done")
@public
def phone_done(token: str):
    channel = _phone_channel(token)
    suggestion = _done_suggestion(channel)
    if suggestion is None:
        return redirect(channel.form_url, 303)
    return render_template("suggestions/phone_done.html", suggestion=suggestion,
                           channel=channel, code=rules.group_code(suggestion.code),
                           category_name=rules.category_name(suggestion.category))

