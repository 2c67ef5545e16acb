"""The staff console on a desk computer (/staff/votes/…, from the console's menu): meetings
and their agenda before the day, the promises to follow up, and the minutes to print or
download."""

from datetime import datetime

from flask import render_template, request, url_for
from flask_babel import gettext as _

from ...access import staff_only
from ...communities.models import Community
from ...exports import csv_response, xlsx_response
from ...extensions import db
from ...i18n import local_zone
from ...responses import go_to
from ...staff.auth import current_staff, form_community_id, password_only, staff_record_or_404
from ...validation import Invalid
from .. import services
from ..models import CLOSED, HAND, PASS, PHONE, Commitment, Meeting
from .common import RUNNERS, bp, commitment_values, labels, staff_item, tv_url


def _local_input(value: datetime | None) -> str:
    """A UTC time as the value of a datetime-local field, in the community's time zone."""
    return value.astimezone(local_zone()).strftime("%Y-%m-%dT%H:%M") if value else ""


def _parse_local(raw: str | None) -> datetime | None:
    try:
        naive = datetime.fromisoformat((raw or "").strip())
    except ValueError:
        return None
    return naive.replace(tzinfo=local_zone()) if naive.tzinfo is None else naive


# ---------- meetings and their agenda ----------


def _communities() -> list[Community]:
    return [db.session.get(Community, cid) for cid in current_staff().community_ids()]


@bp.get("/staff/votes/")
@staff_only(*RUNNERS)
def console_meetings():
    ids = current_staff().community_ids()
    return render_template("votes/console/meetings.html",
                           upcoming=services.meetings_of(ids, upcoming=True),
                           past=services.meetings_of(ids, upcoming=False), **labels())


def _meeting_form(meeting: Meeting | None, values: dict, errors: dict, status: int = 200):
    return render_template("votes/console/meeting_form.html", meeting=meeting, values=values,
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
    return render_template("votes/console/meeting.html", meeting=meeting, values=values,
                           errors=errors, item_values=item_values, item_errors=item_errors,
                           tv_link=tv_url(meeting), **labels()), status


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
    item = staff_item(agenda_item_id)
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
    return render_template("votes/console/item_form.html", item=item, values=values,
                           errors=errors), 422 if errors else 200


@bp.post("/staff/votes/items/<int:agenda_item_id>/move")
@staff_only(*RUNNERS)
def move_item(agenda_item_id: int):
    item = staff_item(agenda_item_id)
    services.move_agenda_item(item, -1 if request.form.get("direction") == "up" else 1)
    db.session.commit()
    return go_to(url_for("votes.edit_meeting", meeting_id=item.meeting_id), _("Moved."))


@bp.post("/staff/votes/items/<int:agenda_item_id>/delete")
@staff_only(*RUNNERS)
def delete_item(agenda_item_id: int):
    item = staff_item(agenda_item_id)
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
    item = staff_item(agenda_item_id)
    try:
        services.add_commitment(item, **commitment_values(request.form))
    except Invalid as invalid:
        db.session.rollback()
        return go_to(url_for("votes.edit_meeting", meeting_id=item.meeting_id)
                     + f"#item-{item.id}", " ".join(str(m) for m in invalid.errors.values()))
    db.session.commit()
    return go_to(url_for("votes.edit_meeting", meeting_id=item.meeting_id) + f"#item-{item.id}",
                 _("The commitment is recorded."))


# ---------- promises to follow up ----------


@bp.get("/staff/votes/commitments")
@staff_only(*RUNNERS)
def commitments():
    return render_template("votes/console/commitments.html",
                           commitments=services.open_commitments(current_staff().community_ids()),
                           today=datetime.now(local_zone()).date(), **labels())


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


# ---------- minutes ----------


@bp.get("/staff/votes/<int:meeting_id>/minutes")
@staff_only(*RUNNERS)
def minutes(meeting_id: int):
    """会议纪要, for printing on A4."""
    meeting = staff_record_or_404(Meeting, meeting_id)
    return render_template("votes/console/minutes.html", meeting=meeting, closed=CLOSED,
                           channels=(HAND, PASS, PHONE), **labels())


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
@password_only
def minutes_csv(meeting_id: int):
    return _minutes_download(meeting_id, "csv")


@bp.get("/staff/votes/<int:meeting_id>/minutes.xlsx")
@staff_only(*RUNNERS)
@password_only
def minutes_xlsx(meeting_id: int):
    return _minutes_download(meeting_id, "xlsx")
