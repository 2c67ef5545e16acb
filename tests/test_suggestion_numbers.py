"""Issue 15 part 5: a phone number typed into a suggestion's text is masked in the staff
inbox, the suggestion's page and the exports; the deciders and the assignee reveal it, and
each look is audited."""

import io

from openpyxl import load_workbook
from sqlalchemy import func, select

from muling_kiosk.audit.models import AuditEvent
from muling_kiosk.extensions import db

TEXT = "楼道灯坏了，请打 138 1234 5678 找我。"


def _reveals() -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "suggestions.reveal_text"))


def test_numbers_in_the_text_are_masked_on_staff_pages_and_exports(
        client, make_staff, sign_in, make_suggestion):
    suggestion = make_suggestion(text=TEXT, state="rated", rating="good",
                                 rating_comment="已修好，谢谢。电话13987654321")
    sign_in(client, make_staff("admin"))
    inbox = client.get("/staff/suggestions/").get_data(as_text=True)
    page = client.get(f"/staff/suggestions/{suggestion.id}").get_data(as_text=True)
    csv = client.get("/staff/suggestions/export.csv").get_data(as_text=True)
    xlsx = client.get("/staff/suggestions/export.xlsx").data
    cells = " ".join(str(v) for row in load_workbook(io.BytesIO(xlsx)).active.iter_rows(
        values_only=True) for v in row if v)
    for shown in (inbox, page, csv, cells):
        assert "138****5678" in shown
        assert "1234" not in shown.replace("138****5678", "")
        assert "13987654321" not in shown
    assert "139****4321" in page and "139****4321" in cells
    assert _reveals() == 0


def test_the_text_is_revealed_to_deciders_and_the_assignee_and_each_look_is_audited(
        client, make_staff, sign_in, make_suggestion):
    suggestion = make_suggestion(text=TEXT)
    url = f"/staff/suggestions/{suggestion.id}/text"
    sign_in(client, make_staff("volunteer"))
    page = client.get(f"/staff/suggestions/{suggestion.id}").get_data(as_text=True)
    assert url not in page  # no button for a volunteer it is not assigned to
    refused = client.post_form(url, htmx=True)
    assert refused.status_code == 422 and "138 1234 5678" not in refused.get_data(as_text=True)
    assert _reveals() == 0
    sign_in(client, make_staff("facilitator"))
    assert url in client.get(f"/staff/suggestions/{suggestion.id}").get_data(as_text=True)
    shown = client.post_form(url, htmx=True)
    body = shown.get_data(as_text=True)
    assert shown.status_code == 200 and "138 1234 5678" in body
    assert body.strip().startswith('<div id="suggestion-text">')
    db.session.rollback()
    assert _reveals() == 1


def test_a_text_without_a_number_has_nothing_to_reveal(client, make_staff, sign_in,
                                                       make_suggestion):
    suggestion = make_suggestion(text="路灯 2026.11.24 坏了，三号楼。")
    sign_in(client, make_staff("admin"))
    page = client.get(f"/staff/suggestions/{suggestion.id}").get_data(as_text=True)
    assert "2026.11.24" in page and f"/staff/suggestions/{suggestion.id}/text" not in page
    assert client.post_form(f"/staff/suggestions/{suggestion.id}/text").status_code == 422
