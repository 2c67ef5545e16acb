"""The staff console's suggestion pages (/staff/suggestions/…), for admins, facilitators
and volunteers signed in on a computer or the station tablet: the inbox with its filters and
exports, a suggestion's detail with its triage (state and reply, assigning, merging, the
board, 提交议事会, the phone number to call back), and the QR points with their posters."""

from flask import Response, abort, render_template, request, url_for
from flask_babel import gettext as _

from ...access import staff_only
from ...communities.models import Community
from ...database import utcnow, writes_on_get
from ...exports import csv_response, xlsx_response
from ...extensions import db
from ...i18n import local_zone
from ...qr import public_url, qr_png, qr_svg, qr_svg_inline
from ...responses import fragment, go_to, page_or_fragment, wants_fragment
from ...staff.auth import (
    current_staff,
    form_community_id,
    password_only,
    require_community,
    staff_record_or_404,
)
from ...staff.models import ADMIN, FACILITATOR, VOLUNTEER, Staff
from ...staff.services import communities_for
from ...validation import Invalid, clean_text, id_or_none, parse_day, parse_id, parse_page
from ...votes import services as votes_rules
from ...votes.models import Meeting
from .. import meetings
from .. import services as rules
from ..models import Suggestion, SuggestionLocation, SuggestionPhoto
from .common import FIELD_LIMIT, bp, jpeg_response

ANY_STAFF = (ADMIN, FACILITATOR, VOLUNTEER)
DECIDERS = rules.DECIDING_ROLES
INBOX_PAGE = 30
FILTER_ARGS = ("state", "category", "location", "from", "to", "q", "assignee")


# ---------- QR points and their posters ----------


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
    return page_or_fragment("suggestions/console/locations.html",
                            "suggestions/console/_location_form.html", status_code,
                            locations=rules.locations_of(viewer.community_ids()),
                            communities=communities_for(viewer), errors=errors,
                            values=values, may_edit=viewer.role in DECIDERS)


@bp.route("/staff/suggestions/locations/<int:location_id>", methods=["GET", "POST"])
@staff_only(*DECIDERS)
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
    return render_template("suggestions/console/location_edit.html", location=location,
                           errors=errors, values=values), 422 if errors else 200


def _form_url(location: SuggestionLocation) -> str:
    return public_url(url_for("suggestions.phone_write", token=location.token))


@bp.get("/staff/suggestions/locations/<int:location_id>/poster")
@staff_only(*ANY_STAFF)
def poster(location_id: int):
    location = staff_record_or_404(SuggestionLocation, location_id)
    url = _form_url(location)
    return render_template("suggestions/console/poster.html", location=location, url=url,
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


# ---------- the inbox and its exports ----------


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
        "suggestions/console/inbox.html", "suggestions/console/_inbox_results.html",
        results=results, filters=filters, args=request.args,
        counts=rules.counts_by_state(viewer),
        locations=rules.locations_of(viewer.community_ids()),
        filter_args={k: v for k, v in request.args.items() if k in FILTER_ARGS and v},
        may_export=viewer.role in DECIDERS)


def _export(file_format: str):
    viewer = current_staff()
    header, rows = rules.export(viewer, _inbox_filters(viewer), file_format, local_zone())
    db.session.commit()
    name = _("suggestions") + "-" + utcnow().astimezone(local_zone()).date().isoformat()
    if file_format == "csv":
        return csv_response(f"{name}.csv", header, rows)
    return xlsx_response(f"{name}.xlsx", header, rows, title=_("Suggestions"))


@bp.get("/staff/suggestions/export.csv")
@writes_on_get
@staff_only(*DECIDERS)
@password_only
def export_csv():
    """The inbox as filtered, as CSV (UTF-8 with BOM, formula-safe)."""
    return _export("csv")


@bp.get("/staff/suggestions/export.xlsx")
@writes_on_get
@staff_only(*DECIDERS)
@password_only
def export_xlsx():
    return _export("xlsx")


# ---------- one suggestion: its page and what staff do with it ----------


def _suggestion(suggestion_id: int, lock: bool = False) -> Suggestion:
    """The suggestion if the viewer's communities hold it, else 404; lock: for a write, its
    row locked until the transaction ends, so two staff changing it go one after the other."""
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
        "may_reveal": rules.may_reveal_phone(suggestion, viewer),
        "may_reveal_text": rules.may_reveal_text(suggestion, viewer),
        "assignable": rules.assignable_staff(suggestion),
        "candidates": (rules.merge_candidates(suggestion)
                       if viewer.role in DECIDERS else []),
        "merged_here": rules.merged_here(suggestion),
        "errors": {}, "values": {}, "revealed": None, "revealed_text": None,
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


@bp.get("/staff/suggestions/<int:suggestion_id>")
@staff_only(*ANY_STAFF)
def detail(suggestion_id: int):
    return render_template("suggestions/console/detail.html", **_detail_context(
        _suggestion(suggestion_id)))


def _detail_again(suggestion, fragment_template: str, errors: dict, values: dict):
    db.session.rollback()
    suggestion = db.session.get(Suggestion, suggestion.id)
    return page_or_fragment("suggestions/console/detail.html", fragment_template, 422,
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
        return _detail_again(suggestion, "suggestions/console/_state_form.html",
                             invalid.errors, values)
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
    return page_or_fragment("suggestions/console/bring.html",
                            "suggestions/console/_bring.html", status, **context)


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
        if meetings.already_brought(suggestion, meeting, values["title"]):
            return _brought(suggestion)
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
        return _detail_again(suggestion, "suggestions/console/_assign_form.html", invalid.errors,
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
        return _detail_again(suggestion, "suggestions/console/_merge_form.html",
                             invalid.errors, values)
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
    if not rules.may_reveal_phone(suggestion, viewer):
        context = _detail_context(suggestion, reveal_error=_(
            "Only the person this suggestion is assigned to, a facilitator or an "
            "administrator can see the whole number."))
        return page_or_fragment("suggestions/console/detail.html",
                                "suggestions/console/_phone.html", 422, **context)
    number = rules.reveal_phone(suggestion, staff=viewer)
    db.session.commit()
    context = _detail_context(suggestion, revealed=number)
    if wants_fragment():
        return fragment("suggestions/console/_phone.html", announce=_(
            "The whole number is shown. This look is written in the audit log."), **context)
    return render_template("suggestions/console/detail.html", **context)


@bp.post("/staff/suggestions/<int:suggestion_id>/text")
@staff_only(*ANY_STAFF)
def reveal_text(suggestion_id: int):
    """The text with the numbers typed into it, to call back: the same people as the
    contact's number; each look is audited."""
    suggestion = _suggestion(suggestion_id)
    viewer = current_staff()
    if not rules.may_reveal_text(suggestion, viewer):
        context = _detail_context(suggestion, reveal_text_error=_(
            "Only the person this suggestion is assigned to, a facilitator or an "
            "administrator can see the whole number."))
        return page_or_fragment("suggestions/console/detail.html",
                                "suggestions/console/_text.html", 422, **context)
    text = rules.reveal_text(suggestion, staff=viewer)
    db.session.commit()
    context = _detail_context(suggestion, revealed_text=text)
    if wants_fragment():
        return fragment("suggestions/console/_text.html", announce=_(
            "The whole text is shown. This look is written in the audit log."), **context)
    return render_template("suggestions/console/detail.html", **context)


@bp.get("/staff/suggestions/photos/<int:photo_id>")
@staff_only(*ANY_STAFF)
def staff_photo(photo_id: int):
    # A draft's photo (no suggestion yet) has no community: 404 like another community's.
    photo = staff_record_or_404(SuggestionPhoto, photo_id, community_of=lambda photo: (
        db.session.get(Suggestion, photo.suggestion_id).community_id
        if photo.suggestion_id else None))
    return jpeg_response(photo)
