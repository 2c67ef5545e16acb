"""百姓畅言亭 suggestions: the tablet (/suggest/…), residents' phones (/m/s/… to write,
/m/t/… to follow and rate), the public board (/board) and the staff console
(/staff/suggestions/…).

Writing one takes two steps on every device: the form saves a draft (photos re-encoded),
the resident checks it on a 请确认 screen, and only 确认提交 makes the suggestion
(ACCESSIBILITY row 9). Both steps are keyed by the form's one-off request key, so a double
tap or a resend makes one suggestion.
"""

from dataclasses import dataclass

from flask import (
    Blueprint,
    Response,
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
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import RequestEntityTooLarge

from .. import devices, ratelimit
from ..access import public, staff_only
from ..audit.services import client_address, record
from ..communities.current import kiosk_community, kiosk_community_or_404
from ..communities.models import Community
from ..communities.services import community_by_slug
from ..database import utcnow, writes_on_get
from ..errors import render_error, too_large_key
from ..exports import csv_response, xlsx_response
from ..extensions import db
from ..i18n import local_zone
from ..idempotency import new_request_key, parse_request_key
from ..pagecache import cached_page
from ..paging import page_of
from ..qr import public_url, qr_png, qr_svg, qr_svg_inline
from ..responses import fragment, go_to, page_or_fragment, wants_fragment
from ..staff.auth import current_staff, form_community_id, require_community, staff_record_or_404
from ..staff.models import ADMIN, FACILITATOR, VOLUNTEER, Staff
from ..staff.services import communities_for
from ..validation import Invalid, clean_text, id_or_none, parse_day, parse_id, parse_page
from ..votes import services as votes_rules
from ..votes.models import Meeting
from . import meetings
from . import services as rules
from .models import Suggestion, SuggestionLocation, SuggestionPhoto

bp = Blueprint("suggestions", __name__)

ANY_STAFF = (ADMIN, FACILITATOR, VOLUNTEER)
DECIDERS = (ADMIN, FACILITATOR)

HONEYPOT = "website"
# Session keys (person_…: the kiosk's home screen and idle reset forget them).
KIOSK_DRAFT = "person_suggestion_draft"
KIOSK_DONE = "person_suggestion_done"
PHONE_DRAFT = "person_phone_suggestion_draft"
PHONE_DONE = "person_phone_suggestion_done"
FIELD_LIMIT = 4000  # what of a field we look at; the rules then say what is too long
FIELDS = ("category", "text", "contact_name", "contact_phone")
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
BOARD_PAGE = 12
KIOSK_BOARD_PAGE = 3  # what the tablet shows at once, in any orientation and with 大字
INBOX_PAGE = 30
FILTER_ARGS = ("state", "category", "location", "from", "to", "q", "assignee")


@bp.context_processor
def vocabulary():
    """The words of this feature, for every template its pages render."""
    return {"categories": rules.CATEGORIES, "state_names": rules.STATE_NAMES,
            "stages": rules.STAGES, "ratings": rules.RATINGS, "sources": rules.SOURCES,
            "group_code": rules.group_code}




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
                       values=_values_of(draft), errors=errors, notice=notice,
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
    community = kiosk_community_or_404()
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
    draft = rules.draft_for(session.get(channel.draft_key), channel.community.id)
    if draft is not None and draft.location_id != (channel.location.id if channel.location
                                                   else None):
        return None
    return draft


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


def _values_of(draft) -> dict:
    if draft is None:
        return {}
    return {"category": draft.category, "text": draft.text, "contact_name": draft.contact_name,
            "contact_phone": draft.contact_phone}


def _show_form(channel: Channel):
    devices.device_id()
    draft = _session_draft(channel)
    key = draft.request_key if draft is not None else new_request_key()
    return render_template(channel.templates["form"], **_form_context(
        channel, key=key, values=_values_of(draft), errors={},
        photos=draft.photos if draft is not None else (),
        screen=_screen_asked(channel, request.args.get("screen"))))


def _form_again(channel: Channel, status: int, **context):
    return page_or_fragment(channel.templates["form"], channel.templates["form_fragment"],
                            status, **_form_context(channel, **context))


def _save_entry(channel: Channel):
    """The form's submit: keep it as a draft and show the 请确认 screen (or, on the tablet,
    the next screen of the form), or show the form again with what to fix (everything typed
    kept, good photos already stored). Fields a screen does not show keep the draft's."""
    form = request.form
    key = parse_request_key(form.get("request_key")) or new_request_key()
    done = rules.submitted_with_key(key)
    if done is not None:  # a resend after the suggestion was confirmed
        session[channel.done_key] = done.code
        return go_to(channel.done_url)
    screen = _screen_asked(channel, form.get("screen"))
    # The screen to go to (上一步 / 下一步 within the form); none: on to 请确认.
    move = form.get("step") if form.get("step") in channel.screens else None
    kept = _values_of(rules.draft_for(key, channel.community.id))
    sent = {name: str(form[name]) if name in form else kept.get(name) or ""
            for name in FIELDS}
    values = {name: value[:FIELD_LIMIT] for name, value in sent.items()}
    if form.get(HONEYPOT):
        record("suggestions.honeypot", None, staff=None, actor="form",
               community_id=channel.community.id)
        db.session.commit()
        return _form_again(channel, 422, key=key, values=values, errors={}, screen=screen,
                           notice=_("This could not be sent. Please reload the page and "
                                    "try again."))
    if not channel.exempt:
        try:
            ratelimit.check("suggestion", devices.device_id(), client_address())
        except ratelimit.RateLimited as limited:
            return _form_again(channel, 429, key=key, values=values, errors={},
                               screen=screen, notice=_rate_message(limited))
    # A file input with nothing chosen sends a part without a file name: not an upload.
    uploads = [(f.filename, f.stream) for f in request.files.getlist("photos") if f.filename]
    if channel.source != "phone":
        uploads = []
    # Ids of photos to drop: plain digits that fit a database integer, nothing else.
    remove = [int(v) for v in form.getlist("remove_photo")
              if v.isascii() and v.isdigit() and len(v) < 10][:10]
    for attempt in (1, 2):
        try:
            draft, entry = rules.save_draft(
                key=key, community=channel.community, location=channel.location,
                source=channel.source, written_by=channel.written_by, values=values,
                uploads=uploads, remove_photo_ids=remove,
                step_key=parse_request_key(form.get("step_key")))
            db.session.commit()
            break
        except IntegrityError:
            # The same step racing in twice (PostgreSQL): the other one made the draft;
            # this one finds it and, being the same step, adds nothing.
            db.session.rollback()
            if attempt == 2:
                raise
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
        suggestion = rules.submit_draft(key, channel.community, device=devices.device_id(),
                                        address=client_address(), exempt=channel.exempt)
        db.session.commit()
    except ratelimit.RateLimited as limited:
        db.session.rollback()
        draft = rules.draft_for(key, channel.community.id)
        return page_or_fragment(channel.templates["confirm"],
                                channel.templates["confirm_fragment"], 429,
                                **_confirm_context(channel, draft, _rate_message(limited)))
    except Invalid as invalid:
        db.session.rollback()
        message = invalid.errors.get("draft") or _("Please check what you wrote.")
        return go_to(channel.form_url, str(message))
    except IntegrityError:
        db.session.rollback()
        suggestion = rules.submitted_with_key(key)
        if suggestion is None:
            raise
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
    community = kiosk_community()
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


@bp.get("/suggest/board")
@public
def kiosk_board():
    """百姓畅言栏 on the tablet: a few cards a page with big 上一页 / 下一页, each opening the
    whole suggestion; the kind is chosen on a screen of its own. Nothing to scroll."""
    def render():
        community = kiosk_community_or_404()
        return _board("suggestions/kiosk_board.html", community, "suggestions.kiosk_board",
                      per_page=KIOSK_BOARD_PAGE)

    return cached_page(render)


@bp.get("/suggest/board/kinds")
@public
def kiosk_board_kinds():
    def render():
        kiosk_community_or_404()
        return render_template("suggestions/kiosk_board_kinds.html",
                               category=_board_category())

    return cached_page(render)


@bp.get("/suggest/board/<int:suggestion_id>")
@public
def kiosk_board_item(suggestion_id: int):
    def render():
        community = kiosk_community()
        item = rules.board_item(community.id, suggestion_id) if community else None
        if item is None:
            abort(404)
        category = _board_category()
        back = url_for("suggestions.kiosk_board", category=category or None,
                       page=request.args.get("page", type=parse_page))
        return render_template("suggestions/kiosk_board_item.html", item=item, back=back,
                               replies=rules.board_replies(item),
                               mask_numbers=rules.mask_numbers)

    return cached_page(render)


# ---------- phones: writing ----------


@bp.route("/m/s/<token>", methods=["GET", "POST"])
@public
def phone_write(token: str):
    channel = _phone_channel(token)
    if request.method == "GET":
        return _show_form(channel)
    return _save_entry(channel)


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
    return _jpeg(photo)


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


def _jpeg(photo: SuggestionPhoto) -> Response:
    response = Response(photo.data, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


# ---------- phones: following one's suggestion, and rating it ----------


@bp.get("/m/t/")
@public
def track():
    raw = request.args.get("code", "")[:40]
    error = None
    if raw:
        suggestion = rules.suggestion_by_code(raw)
        if suggestion is not None:
            return redirect(url_for("suggestions.status", code=suggestion.code), 303)
        error = _("We found no suggestion with this code. Please check each letter.")
    return render_template("suggestions/track.html", code=raw, error=error), \
        422 if error else 200


def _by_code(code: str) -> Suggestion:
    suggestion = rules.suggestion_by_code(code)
    if suggestion is None:
        abort(404)
    return suggestion


def _status_context(suggestion: Suggestion, **extra) -> dict:
    target = suggestion.merged_into
    return {"suggestion": suggestion, "code": rules.group_code(suggestion.code),
            "history": rules.public_history(suggestion), "target": target,
            "target_history": rules.public_history(target) if target else [],
            "rating_values": {}, "rating_errors": {}, "rate_confirm": False, **extra}


@bp.get("/m/t/<code>")
@public
def status(code: str):
    suggestion = _by_code(code)
    if code != suggestion.code:
        return redirect(url_for("suggestions.status", code=suggestion.code), 301)
    return render_template("suggestions/status.html", **_status_context(suggestion))


@bp.get("/m/t/<code>/photos/<int:number>")
@public
def status_photo(code: str, number: int):
    photo = rules.photo_of(_by_code(code), number)
    if photo is None:
        abort(404)
    return _jpeg(photo)


@bp.post("/m/t/<code>/rate")
@public
def rate(code: str):
    """Two steps: "check" shows the choice back with 确认 / 返回修改, "confirm" rates (once),
    anything else shows the form again with what was chosen."""
    suggestion = _by_code(code)
    form = request.form
    step = form.get("step", "")
    values = {"rating": str(form.get("rating", ""))[:20],
              "comment": clean_text(str(form.get("comment", ""))[:FIELD_LIMIT])}
    if suggestion.state == rules.RATED:
        return go_to(url_for("suggestions.status", code=suggestion.code),
                     _("This suggestion has already been rated. Thank you."))
    errors, confirm = {}, False
    if step == "confirm":
        suggestion = rules.locked(suggestion.id)
        try:
            rules.rate(suggestion, values["rating"], values["comment"])
        except Invalid as invalid:
            db.session.rollback()
            errors = invalid.errors
        else:
            db.session.commit()
            return go_to(url_for("suggestions.status", code=suggestion.code),
                         _("Thank you for your rating."))
    elif step == "check":
        errors = _check_rating(values)
        confirm = not errors
    context = _status_context(suggestion, rating_values=values, rating_errors=errors,
                              rate_confirm=confirm, in_place=wants_fragment(),
                              rating_name=rules.RATINGS.get(values["rating"], ""))
    return page_or_fragment("suggestions/status.html", "suggestions/_rate.html",
                            422 if errors else 200, **context)


def _check_rating(values: dict) -> dict:
    errors = {}
    if values["rating"] not in rules.RATINGS:
        errors["rating"] = _("Please choose one of the three answers.")
    if len(values["comment"]) > rules.COMMENT_MAX:
        errors["comment"] = _("Please shorten it to %(max)s characters (now %(count)s).",
                              max=rules.COMMENT_MAX, count=len(values["comment"]))
    return errors


# ---------- the public board (百姓畅言栏) ----------


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
        community = community_by_slug(slug) if slug else kiosk_community()
        if community is None:
            abort(404)
        return _board("suggestions/board.html", community, "suggestions.board")

    return cached_page(render)


# ---------- staff: QR points and posters ----------


@bp.route("/staff/suggestions/locations", methods=["GET", "POST"])
@staff_only(*ANY_STAFF)
def locations():
    viewer = current_staff()
    errors, values, status_code = {}, {}, 200
    if request.method == "POST":
        if viewer.role not in DECIDERS:
            abort(403)
        values = {"name": request.form.get("name", "")[:200],
                  "community_id": request.form.get("community_id", "")}
        community_id = form_community_id(viewer)
        community = db.session.get(Community, community_id) if community_id else None
        try:
            if community is None:
                raise Invalid({"community_id": _("Please choose a community.")})
            location = rules.create_location(community, values["name"], staff=viewer)
        except Invalid as invalid:
            errors, status_code = invalid.errors, 422
        else:
            db.session.commit()
            return go_to(url_for("suggestions.locations"),
                         _("%(name)s is added. Print its poster below.", name=location.name))
    return page_or_fragment("suggestions/locations.html", "suggestions/_location_form.html",
                            status_code, locations=rules.locations_of(viewer.community_ids()),
                            communities=communities_for(viewer), errors=errors,
                            values=values, may_edit=viewer.role in DECIDERS)


@bp.route("/staff/suggestions/locations/<int:location_id>", methods=["GET", "POST"])
@staff_only(ADMIN, FACILITATOR)
def edit_location(location_id: int):
    location = staff_record_or_404(SuggestionLocation, location_id)
    errors = {}
    values = {"name": location.name, "active": location.active}
    if request.method == "POST":
        values = {"name": request.form.get("name", "")[:200],
                  "active": request.form.get("active") == "1"}
        try:
            rules.update_location(location, values["name"], values["active"],
                                  staff=current_staff())
        except Invalid as invalid:
            db.session.rollback()
            errors = invalid.errors
        else:
            db.session.commit()
            return go_to(url_for("suggestions.locations"), _("Saved."))
    return render_template("suggestions/location_edit.html", location=location, errors=errors,
                           values=values), 422 if errors else 200


def _form_url(location: SuggestionLocation) -> str:
    return public_url(url_for("suggestions.phone_write", token=location.token))


@bp.get("/staff/suggestions/locations/<int:location_id>/poster")
@staff_only(*ANY_STAFF)
def poster(location_id: int):
    location = staff_record_or_404(SuggestionLocation, location_id)
    url = _form_url(location)
    return render_template("suggestions/poster.html", location=location, url=url,
                           qr=qr_svg_inline(url, _("QR code for %(place)s",
                                                   place=location.name)))


@bp.get("/staff/suggestions/locations/<int:location_id>/qr.<any(svg, png):image_format>")
@staff_only(*ANY_STAFF)
def location_qr(location_id: int, image_format: str):
    location = staff_record_or_404(SuggestionLocation, location_id)
    url = _form_url(location)
    name = f"qr-{location.id}.{image_format}"
    if image_format == "svg":
        response = Response(qr_svg(url), mimetype="image/svg+xml")
    else:
        response = Response(qr_png(url), mimetype="image/png")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# ---------- staff: the inbox ----------


def _inbox_filters(viewer: Staff) -> rules.InboxFilters:
    args = request.args
    assignee = args.get("assignee", "")
    return rules.InboxFilters(
        state=args.get("state", "") if args.get("state", "") in (
            *rules.STATE_NAMES, "open") else "",
        category=args.get("category", "") if args.get("category") in rules.CATEGORIES else "",
        location_id=args.get("location", type=parse_id),
        day_from=parse_day(request.args.get("from")), day_to=parse_day(request.args.get("to")),
        q=clean_text(args.get("q", ""))[:100],
        assignee_id=viewer.id if assignee == "me" else None)


@bp.get("/staff/suggestions/")
@staff_only(*ANY_STAFF)
def inbox():
    viewer = current_staff()
    filters = _inbox_filters(viewer)
    results = db.paginate(rules.inbox_query(viewer, filters, local_zone()),
                          page=request.args.get("page", 1, type=parse_page), per_page=INBOX_PAGE,
                          error_out=False)
    return page_or_fragment(
        "suggestions/inbox.html", "suggestions/_inbox_results.html", results=results,
        filters=filters, args=request.args, counts=rules.counts_by_state(viewer),
        locations=rules.locations_of(viewer.community_ids()),
        filter_args={k: v for k, v in request.args.items() if k in FILTER_ARGS and v},
        may_export=viewer.role in DECIDERS)


def _export(file_format: str):
    viewer = current_staff()
    query = rules.inbox_query(viewer, _inbox_filters(viewer), local_zone())
    header, rows = rules.export_table(db.session.scalars(query))
    record("suggestions.export", None, staff=viewer,
           after={"rows": len(rows), "format": file_format})
    db.session.commit()
    name = _("suggestions") + "-" + utcnow().astimezone(local_zone()).date().isoformat()
    if file_format == "csv":
        return csv_response(f"{name}.csv", header, rows)
    return xlsx_response(f"{name}.xlsx", header, rows, title=_("Suggestions"))


@bp.get("/staff/suggestions/export.csv")
@writes_on_get
@staff_only(*DECIDERS)
def export_csv():
    """The inbox as filtered, as CSV (UTF-8 with BOM, formula-safe)."""
    return _export("csv")


@bp.get("/staff/suggestions/export.xlsx")
@writes_on_get
@staff_only(*DECIDERS)
def export_xlsx():
    return _export("xlsx")


def _suggestion(suggestion_id: int, lock: bool = False) -> Suggestion:
    suggestion = rules.locked(suggestion_id) if lock else db.session.get(Suggestion,
                                                                          suggestion_id)
    if suggestion is None:
        abort(404)
    require_community(suggestion.community_id)
    return suggestion


def _detail_context(suggestion: Suggestion, **extra) -> dict:
    viewer = current_staff()
    context = {
        "suggestion": suggestion, "code": rules.group_code(suggestion.code),
        "next_states": rules.next_states(suggestion, viewer),
        "may_reply": rules.may_reply(suggestion, viewer),
        "may_decide": viewer.role in DECIDERS,
        "may_reveal": _may_reveal(viewer, suggestion),
        "assignable": rules.assignable_staff(suggestion),
        "candidates": (rules.merge_candidates(suggestion)
                       if viewer.role in DECIDERS else []),
        "merged_here": db.session.scalars(select(Suggestion).where(
            Suggestion.merged_into_id == suggestion.id)).all(),
        "errors": {}, "values": {}, "revealed": None,
        "meeting_actor": meetings.MEETING_ACTOR, **_meeting_context(suggestion),
    }
    context.update(extra)
    return context


def _meeting_context(suggestion: Suggestion) -> dict:
    """The 提交议事会 card: the agenda item it became, or whether it can become one."""
    return {"agenda_item": suggestion.agenda_item,
            "bring_refusal": meetings.refusal(suggestion),
            "item_number": meetings.item_number(suggestion.agenda_item)
            if suggestion.agenda_item else None,
            "result_text": votes_rules.result_text}


def _may_reveal(viewer: Staff, suggestion: Suggestion) -> bool:
    return bool(suggestion.contact_phone) and (
        viewer.role in DECIDERS or suggestion.assignee_id == viewer.id)


@bp.get("/staff/suggestions/<int:suggestion_id>")
@staff_only(*ANY_STAFF)
def detail(suggestion_id: int):
    return render_template("suggestions/detail.html", **_detail_context(
        _suggestion(suggestion_id)))


def _detail_again(suggestion, fragment_template: str, errors: dict, values: dict):
    db.session.rollback()
    suggestion = db.session.get(Suggestion, suggestion.id)
    return page_or_fragment("suggestions/detail.html", fragment_template, 422,
                            **_detail_context(suggestion, errors=errors, values=values))


@bp.post("/staff/suggestions/<int:suggestion_id>/state")
@staff_only(*ANY_STAFF)
def change_state(suggestion_id: int):
    suggestion = _suggestion(suggestion_id, lock=True)
    values = {"state": request.form.get("state", "")[:20],
              "reply": request.form.get("reply", "")[:FIELD_LIMIT]}
    try:
        event = rules.change_state(suggestion, values["state"] or None, values["reply"],
                                   staff=current_staff())
    except Invalid as invalid:
        return _detail_again(suggestion, "suggestions/_state_form.html", invalid.errors, values)
    db.session.commit()
    if event.kind == "state":
        message = _("Now “%(state)s”. The resident sees your reply.",
                    state=rules.state_name(suggestion.state))
    else:
        message = _("The reply is published.")
    return go_to(url_for("suggestions.detail", suggestion_id=suggestion.id), message)


def _bring_page(suggestion: Suggestion, values: dict, errors: dict, *, step: str = "form",
                meeting: Meeting | None = None, status: int = 200):
    context = {"suggestion": suggestion, "code": rules.group_code(suggestion.code),
               "values": values, "errors": errors, "step": step, "meeting": meeting,
               "meetings": meetings.upcoming_meetings(suggestion),
               "reply": meetings.discussion_reply(meeting) if meeting is not None else "",
               "in_place": wants_fragment(), **_meeting_context(suggestion)}
    return page_or_fragment("suggestions/bring.html", "suggestions/_bring.html", status,
                            **context)


def _chosen_meeting(raw: str) -> Meeting | None:
    meeting_id = id_or_none(raw)
    return db.session.get(Meeting, meeting_id) if meeting_id else None


@bp.route("/staff/suggestions/<int:suggestion_id>/meeting", methods=["GET", "POST"])
@staff_only(*DECIDERS)
def bring_to_meeting(suggestion_id: int):
    """提交议事会: choose a meeting, edit the item's title and description, check, confirm.
    Steps as the rating's: "check" shows it back, "confirm" writes, anything else shows
    the form again with what was entered."""
    form = request.form
    step = form.get("step", "") if request.method == "POST" else ""
    suggestion = _suggestion(suggestion_id, lock=step == "confirm")
    if request.method == "GET":
        values = {"meeting_id": "", "title": meetings.offered_title(suggestion),
                  "description": meetings.offered_description(suggestion)}
        return _bring_page(suggestion, values, {})
    values = {"meeting_id": form.get("meeting_id", "")[:12],
              "title": form.get("title", "")[:400],
              "description": form.get("description", "")[:FIELD_LIMIT]}
    meeting = _chosen_meeting(values["meeting_id"])
    viewer = current_staff()
    if step == "confirm":
        item = suggestion.agenda_item
        if (item is not None and meeting is not None and item.meeting_id == meeting.id
                and item.title == meetings.clean_title(values["title"])):
            return _brought(suggestion)  # a double tap or a resend: it is done already
        try:
            meetings.bring_to_meeting(suggestion, meeting, values["title"],
                                      values["description"], staff=viewer)
        except Invalid as invalid:
            db.session.rollback()
            suggestion = db.session.get(Suggestion, suggestion.id)
            return _bring_page(suggestion, values, invalid.errors, status=422)
        db.session.commit()
        return _brought(suggestion)
    if step == "check":
        try:
            title, description = meetings.check(suggestion, meeting, values["title"],
                                                values["description"], staff=viewer)
        except Invalid as invalid:
            return _bring_page(suggestion, values, invalid.errors, status=422)
        values.update(title=title, description=description)
        return _bring_page(suggestion, values, {}, step="confirm", meeting=meeting)
    return _bring_page(suggestion, values, {})


def _brought(suggestion: Suggestion):
    item = suggestion.agenda_item
    return go_to(url_for("suggestions.detail", suggestion_id=suggestion.id), _(
        "It is item %(number)s of “%(meeting)s”. The resident sees that it is under "
        "discussion.", number=meetings.item_number(item), meeting=item.meeting.title))


@bp.post("/staff/suggestions/<int:suggestion_id>/assign")
@staff_only(*DECIDERS)
def assign(suggestion_id: int):
    suggestion = _suggestion(suggestion_id, lock=True)
    raw = request.form.get("assignee_id", "")
    assignee_id = id_or_none(raw)
    assignee = db.session.get(Staff, assignee_id) if assignee_id else None
    try:
        if raw and assignee is None:
            raise Invalid({"assignee": _("Please choose someone of this community.")})
        rules.assign(suggestion, assignee, staff=current_staff())
    except Invalid as invalid:
        return _detail_again(suggestion, "suggestions/_assign_form.html", invalid.errors,
                             {"assignee_id": raw})
    db.session.commit()
    message = (_("Assigned to %(name)s.", name=assignee.display_name) if assignee
               else _("Nobody is assigned now."))
    return go_to(url_for("suggestions.detail", suggestion_id=suggestion.id), message)


@bp.post("/staff/suggestions/<int:suggestion_id>/merge")
@staff_only(*DECIDERS)
def merge(suggestion_id: int):
    suggestion = _suggestion(suggestion_id, lock=True)
    raw = request.form.get("target_id", "")
    target_id = id_or_none(raw)
    target = rules.locked(target_id) if target_id else None
    values = {"target_id": raw, "merge_reply": request.form.get("merge_reply", "")[:FIELD_LIMIT]}
    try:
        rules.merge(suggestion, target, staff=current_staff(), reply=values["merge_reply"])
    except Invalid as invalid:
        return _detail_again(suggestion, "suggestions/_merge_form.html", invalid.errors, values)
    db.session.commit()
    return go_to(url_for("suggestions.detail", suggestion_id=target.id),
                 _("Merged: %(code)s now follows this suggestion.",
                   code=rules.group_code(suggestion.code)))


@bp.post("/staff/suggestions/<int:suggestion_id>/board")
@staff_only(*DECIDERS)
def set_on_board(suggestion_id: int):
    suggestion = _suggestion(suggestion_id, lock=True)
    on_board = request.form.get("on_board") == "1"
    rules.set_on_board(suggestion, on_board, staff=current_staff())
    db.session.commit()
    message = (_("It is shown on the public board.") if on_board
               else _("It is no longer shown on the public board."))
    return go_to(url_for("suggestions.detail", suggestion_id=suggestion.id), message)


@bp.post("/staff/suggestions/<int:suggestion_id>/phone")
@staff_only(*ANY_STAFF)
def reveal_phone(suggestion_id: int):
    """The whole number, to call back: admins, facilitators and the assigned volunteer;
    each look is audited."""
    suggestion = _suggestion(suggestion_id)
    viewer = current_staff()
    if not _may_reveal(viewer, suggestion):
        context = _detail_context(suggestion, reveal_error=_(
            "Only the person this suggestion is assigned to, a facilitator or an "
            "administrator can see the whole number."))
        return page_or_fragment("suggestions/detail.html", "suggestions/_phone.html", 422,
                                **context)
    number = rules.reveal_phone(suggestion, staff=viewer)
    db.session.commit()
    context = _detail_context(suggestion, revealed=number)
    if wants_fragment():
        return fragment("suggestions/_phone.html", announce=_(
            "The whole number is shown. This look is written in the audit log."), **context)
    return render_template("suggestions/detail.html", **context)


@bp.get("/staff/suggestions/photos/<int:photo_id>")
@staff_only(*ANY_STAFF)
def staff_photo(photo_id: int):
    photo = db.session.get(SuggestionPhoto, photo_id)
    suggestion = db.session.get(Suggestion, photo.suggestion_id) if photo and \
        photo.suggestion_id else None
    if suggestion is None:
        abort(404)
    require_community(suggestion.community_id)
    return _jpeg(photo)
