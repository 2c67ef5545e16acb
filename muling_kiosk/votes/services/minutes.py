"""会议纪要 as rows for a download (CSV, XLSX) and the file's name."""

from flask_babel import lazy_gettext as _l

from ..models import Meeting
from .labels import option_label, quorum_text, result_text, rule_label
from .tally import tally

MINUTES_HEADER = (
    _l("Item"), _l("Question"), _l("Rule"), _l("Quorum"), _l("Option"), _l("Show of hands"),
    _l("Pass the tablet"), _l("Phone scan"), _l("Total"), _l("Result"), _l("Who promised"),
    _l("Promise"), _l("Due"), _l("Done"))


def minutes_rows(meeting: Meeting) -> list[list]:
    """One row per option of each poll, then one per commitment, item by item."""
    rows = []
    for number, item in enumerate(meeting.items, start=1):
        title = f"{number}. {item.title}"
        for poll in item.polls:
            figures = tally(poll)
            for option in figures.options:
                rows.append([title, poll.question, rule_label(poll), quorum_text(poll),
                             option_label(option.as_dict()), option.hand, option.pass_,
                             option.phone, option.total, result_text(poll), "", "", "", ""])
        for commitment in item.commitments:
            rows.append([title, "", "", "", "", "", "", "", "", "", commitment.who,
                         commitment.what, commitment.due_on.isoformat() if commitment.due_on
                         else "", commitment.done_on.isoformat() if commitment.done_on else ""])
        if not item.polls and not item.commitments:
            rows.append([title] + [""] * (len(MINUTES_HEADER) - 1))
    return rows


def minutes_filename(meeting: Meeting, extension: str, tz) -> str:
    day = meeting.starts_at.astimezone(tz).date().isoformat()
    return f"{_l('Minutes')} {day} {meeting.title}.{extension}".replace("/", "-")
