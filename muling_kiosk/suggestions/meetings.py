"""提交议事会: the step that joins a suggestion to a bench meeting, and brings the meeting's
decision back — 民事民提 → 民事民议 → 民事民决 → 民事民评.

- bring_to_meeting makes the suggestion an agenda item of an upcoming (or today's) meeting
  of its community, through the votes feature's add_agenda_item, links the two, and moves
  it to 讨论中 with a public reply saying when and where it is discussed.
- unlink_removed_item listens to votes.signals.agenda_item_removed: when staff take such an
  item off the agenda before anyone voted on it, the suggestion is told so in its history
  (the earlier reply promised a meeting) and may be brought to a meeting again.
- record_result listens to votes.signals.poll_closed: when that item's poll closes, the
  result and its figures go into the suggestion's history by themselves, and it becomes
  已决定 (or, when it has moved past that, the result is added as a public note). It runs
  inside the closing transaction, so a close that is rolled back leaves no trace here, and
  it never makes the close fail.

The receivers are connected when this module is imported (once per process: blinker keeps
one connection per function); the suggestions views import it, and create_app imports them.
"""

import re
from dataclasses import dataclass
from datetime import datetime, time

from babel.lists import format_list
from flask import current_app, render_template
from flask_babel import force_locale, get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select

from ..audit.services import record
from ..database import utcnow
from ..extensions import db
from ..i18n import DEFAULT_LOCALE, format_when, local_zone
from ..staff.models import Staff
from ..validation import Invalid, clean_text
from ..votes import services as votes
from ..votes.models import AgendaItem, Meeting, Poll
from ..votes.signals import agenda_item_removed, describe_item, poll_closed
from . import services as rules
from .models import Suggestion

# Who acted, in the history, when a meeting's vote moved a suggestion on.
MEETING_ACTOR = "meeting"
# The states a suggestion can be brought to a meeting from: raised, or being discussed.
BRINGABLE = (rules.SUBMITTED, rules.DISCUSSING)
# The votes feature's limits for an agenda item (add_agenda_item checks them again).
TITLE_MAX, DESCRIPTION_MAX = 120, 1000
# The title offered: the suggestion's first words, short enough to read out.
TITLE_OFFERED_MIN, TITLE_OFFERED_MAX = 8, 24
_CLAUSE_END = re.compile(r"[，。！？；：,.!?;:\n]")


# ---------- which meetings, which suggestions ----------


def _start_of_today(now: datetime | None = None) -> datetime:
    today = (now or utcnow()).astimezone(local_zone()).date()
    return datetime.combine(today, time.min, tzinfo=local_zone())


def has_ended(meeting: Meeting, now: datetime | None = None) -> bool:
    """A meeting of an earlier day is over; today's may still be running (a meeting has a
    start time, no end)."""
    return meeting.starts_at < _start_of_today(now)


def upcoming_meetings(suggestion: Suggestion, now: datetime | None = None) -> list[Meeting]:
    """Meetings of the suggestion's community from today on, soonest first."""
    return list(db.session.scalars(
        select(Meeting).where(Meeting.community_id == suggestion.community_id,
                              Meeting.starts_at >= _start_of_today(now))
        .order_by(Meeting.starts_at, Meeting.id).limit(50)))


def linked_suggestions(item: AgendaItem) -> list[Suggestion]:
    """The suggestions that became this agenda item."""
    return list(db.session.scalars(select(Suggestion).where(
        Suggestion.agenda_item_id == item.id).order_by(Suggestion.id)))


@dataclass(frozen=True)
class Source:
    """What the meeting screens show of a suggestion an item came from: staff see its code
    and open it in the console; the public sees only that it came from a resident."""

    id: int
    code: str


def sources_of(item: AgendaItem) -> list[Source]:
    return [Source(s.id, rules.group_code(s.code)) for s in linked_suggestions(item)]


@describe_item.connect
def show_source(item: AgendaItem, view: str, **_extra) -> Markup:
    """On the meeting screens: "来自居民建议" and, for staff, the tracking code and a link."""
    sources = sources_of(item)
    if not sources:
        return Markup("")
    return Markup(render_template("suggestions/_item_source.html", sources=sources,  # noqa: S704
                                  source_view=view))


def item_number(item: AgendaItem) -> int:
    """Its place on the agenda, 1-based, as the meeting screens number it."""
    return item.meeting.items.index(item) + 1


def refusal(suggestion: Suggestion) -> str | None:
    """Why this suggestion cannot be brought to a meeting now, or None."""
    if suggestion.agenda_item is not None:
        item = suggestion.agenda_item
        return _("It is already on the agenda of “%(meeting)s” on %(day)s (item %(number)s).",
                 meeting=item.meeting.title, day=format_when(item.meeting.starts_at, "day"),
                 number=item_number(item))
    if suggestion.state == rules.MERGED:
        target = suggestion.merged_into
        return _("It was merged into %(code)s: bring that one to a meeting instead.",
                 code=rules.group_code(target.code) if target else "")
    if suggestion.state == rules.DECLINED:
        return _("It is “Not adopted”. To bring it to a meeting, first take it up again by "
                 "moving it to “Under discussion”.")
    if suggestion.state not in BRINGABLE:
        return _("It is already “%(state)s”: only a suggestion that is raised or under "
                 "discussion goes to a meeting.", state=rules.state_name(suggestion.state))
    return None


def offered_title(suggestion: Suggestion) -> str:
    """The item title offered for editing: the suggestion's first clause, short, with no
    phone number in it."""
    text = re.sub(r"\s+", " ", rules.mask_numbers(suggestion.text)).strip()
    end = next((m.start() for m in _CLAUSE_END.finditer(text)
                if m.start() >= TITLE_OFFERED_MIN), len(text))
    if end > TITLE_OFFERED_MAX:
        return text[:TITLE_OFFERED_MAX].rstrip() + "…"
    return text[:end]


def offered_description(suggestion: Suggestion) -> str:
    """What the resident wrote, numbers masked: the meeting's public page shows it."""
    return rules.mask_numbers(suggestion.text)[:DESCRIPTION_MAX]


# ---------- 提交议事会 ----------


def clean_title(raw) -> str:
    return re.sub(r"\s+", " ", clean_text(raw))


def check(suggestion: Suggestion, meeting: Meeting | None, title, description, *,
          staff: Staff | None = None, now: datetime | None = None) -> tuple[str, str]:
    """The cleaned title and description, or Invalid with what to fix (field → message;
    "suggestion" when the suggestion itself cannot go)."""
    if staff is not None and staff.role not in rules.DECIDING_ROLES:
        raise Invalid({"suggestion": _l("Only a facilitator or an administrator can bring a "
                                        "suggestion to a meeting.")})
    reason = refusal(suggestion)
    if reason:
        raise Invalid({"suggestion": reason})
    errors = {}
    if meeting is None:
        errors["meeting_id"] = _l("Please choose a meeting.")
    elif meeting.community_id != suggestion.community_id:
        errors["meeting_id"] = _l("This meeting is of another community. Please choose one of "
                                  "%(community)s.", community=suggestion.community.display_name)
    elif has_ended(meeting, now):
        errors["meeting_id"] = _l("This meeting was on %(day)s and is over. Please choose an "
                                  "upcoming one.", day=format_when(meeting.starts_at, "day"))
    title = clean_title(title)
    description = clean_text(description)
    if not title:
        errors["title"] = _l("Please give the item a short title.")
    elif len(title) > TITLE_MAX:
        errors["title"] = _l("Use at most %(max)s characters.", max=TITLE_MAX)
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = _l("Use at most %(max)s characters.", max=DESCRIPTION_MAX)
    if errors:
        raise Invalid(errors)
    return title, description


def already_brought(suggestion: Suggestion, meeting: Meeting | None, title) -> bool:
    """Whether it already is that meeting's item under that title: a second 确认 (a double
    tap, a resend) finds it done."""
    item = suggestion.agenda_item
    return (item is not None and meeting is not None and item.meeting_id == meeting.id
            and item.title == clean_title(title))


def discussion_reply(meeting: Meeting) -> str:
    """What the resident reads: when and where it is discussed. Written in the community's
    language (it is stored, and every resident reads the same history)."""
    with force_locale(DEFAULT_LOCALE):
        return _("Brought to the bench meeting on %(when)s (%(place)s) for discussion. You are "
                 "welcome to come and talk it over.", when=format_when(meeting.starts_at),
                 place=meeting.place)


def bring_to_meeting(suggestion: Suggestion, meeting: Meeting | None, title, description="",
                     *, staff: Staff | None = None, actor: str = "",
                     now: datetime | None = None) -> AgendaItem:
    """Make the suggestion an agenda item of the meeting and move it to 讨论中 with a public
    reply; audited. The caller holds the suggestion's row lock (rules.locked) and commits.
    Invalid when it cannot be done, with what to fix."""
    title, description = check(suggestion, meeting, title, description, staff=staff, now=now)
    meeting = votes.lock_meeting(meeting.id)  # one agenda change at a time per meeting
    item = votes.add_agenda_item(meeting, title, description, actor=staff)
    suggestion.agenda_item = item
    rules.change_state(suggestion, rules.DISCUSSING, discussion_reply(meeting), staff=staff,
                       actor=actor, at=now)
    record("suggestions.bring_to_meeting", suggestion,
           after={"meeting_id": meeting.id, "agenda_item_id": item.id, "title": title},
           **rules.by_whom(staff, actor))
    return item


# ---------- the meeting's decision comes back ----------


def result_reply(poll: Poll) -> str:
    """The question, the result (通过 / 未通过 / 未达法定人数) and the figures, in the
    community's language."""
    with force_locale(DEFAULT_LOCALE):
        figures = votes.tally(poll)
        counts = format_list(
            [ngettext("%(option)s %(num)s vote", "%(option)s %(num)s votes", o.total,
                      option=votes.option_label(o.as_dict())) for o in figures.options],
            locale=get_locale())
        values = {"day": format_when(poll.item.meeting.starts_at, "day"),
                  "question": poll.question, "result": votes.result_text(poll),
                  "counts": counts,
                  "total": ngettext("%(num)s ballot in all", "%(num)s ballots in all",
                                    figures.total)}
        if figures.present is None:
            return _("The bench meeting on %(day)s voted on “%(question)s”. Result: "
                     "%(result)s. %(counts)s; %(total)s.", **values)
        return _("The bench meeting on %(day)s voted on “%(question)s”. Result: %(result)s. "
                 "%(counts)s; %(total)s; %(present)s.", **values,
                 present=ngettext("%(num)s person present", "%(num)s people present",
                                  figures.present))


def _locked_suggestions_of(agenda_item_id: int) -> list[Suggestion]:
    """The suggestions that became this item, row-locked and read afresh, in a fixed order."""
    return list(db.session.scalars(
        select(Suggestion).where(Suggestion.agenda_item_id == agenda_item_id)
        .order_by(Suggestion.id).with_for_update()
        .execution_options(populate_existing=True)))


@poll_closed.connect
def record_result(poll: Poll, **_extra) -> None:
    """poll_closed: the suggestions that became this poll's item hear the result. A merged
    one is followed to the suggestion it joined. Each change is in a savepoint: whatever
    goes wrong with one suggestion is logged and undone, and the close goes on."""
    linked = _locked_suggestions_of(poll.agenda_item_id)
    if not linked:
        return
    reply = result_reply(poll)
    done: set[int] = set()
    for suggestion in linked:
        target = suggestion
        if suggestion.state == rules.MERGED and suggestion.merged_into_id is not None:
            target = rules.locked(suggestion.merged_into_id)
        if target is None or target.id in done:
            continue
        done.add(target.id)
        try:
            with db.session.begin_nested():
                if rules.DECIDED in rules.next_states(target, None):
                    rules.change_state(target, rules.DECIDED, reply, actor=MEETING_ACTOR,
                                       at=poll.closed_at)
                else:  # e.g. a second vote on the same item, after it was decided
                    rules.add_note(target, reply, actor=MEETING_ACTOR, at=poll.closed_at)
        except Exception:
            current_app.logger.exception(
                "the result of poll %s was not added to suggestion %s", poll.id, target.id)


# ---------- the item is taken off the agenda ----------


def removal_reply(meeting: Meeting) -> str:
    """What the resident reads when the meeting it was brought to will not discuss it."""
    with force_locale(DEFAULT_LOCALE):
        return _("It is no longer on the agenda of the bench meeting on %(when)s. The "
                 "community will tell you here when and how it is taken up.",
                 when=format_when(meeting.starts_at))


@agenda_item_removed.connect
def unlink_removed_item(item: AgendaItem, **_extra) -> None:
    """agenda_item_removed: the suggestions that became this item are unlinked, and each
    (unless merged into another) hears it in its history. Like record_result, a note that
    cannot be written is logged and undone; the removal goes on."""
    linked = _locked_suggestions_of(item.id)
    if not linked:
        return
    reply = removal_reply(item.meeting)
    for suggestion in linked:
        suggestion.agenda_item = None
        if suggestion.state == rules.MERGED:
            continue
        try:
            with db.session.begin_nested():
                rules.add_note(suggestion, reply, actor=MEETING_ACTOR)
        except Exception:
            current_app.logger.exception(
                "the removal of item %s was not noted in suggestion %s", item.id, suggestion.id)
