"""Everything we hold about one mobile number (PIPL Art. 45–47): its sign-ups (places,
queue places, walk-ins), the suggestions it is the contact of or is written in, the names
seen with it; a spreadsheet of them for the person; and forgetting it.

Forgetting anonymises in place, like the retention purge, so counts, attendance and states
stay: the name becomes the removed marker, the number goes, and the number is taken out of
every text in the database. Closed votes are fixed by design (votes.models) and hold no
numbers a resident typed; they are left alone. Backups keep what they held until they
expire: the privacy notice says so."""

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from ...audit.services import record
from ...extensions import db
from ...i18n import format_when
from ...privacy import mask_phone, normalise_phone
from ...signups.models import CONFIRMED, WAITING, WITHDRAWN, ClassSession, Signup
from ...suggestions.models import Suggestion, SuggestionDraft
from ...suggestions.services import state_name
from ...votes.models import Ballot, HandCount, Poll, PollOption
from .retention import REMOVED_NAME
from .scrub import number_pattern, scrub_database

# Rows that change only through the votes services (votes.models refuses other writes).
_FIXED = (Poll, PollOption, Ballot, HandCount)
# Where the number is the record's own field: forget_person anonymises those it found (in
# the viewer's communities); the text scrub must not reach another community's.
_OWN_FIELDS = (Signup.__table__.c.phone, Suggestion.__table__.c.contact_phone,
               SuggestionDraft.__table__.c.contact_phone)


@dataclass
class PersonRecords:
    number: str
    signups: list[Signup] = field(default_factory=list)
    suggestions: list[Suggestion] = field(default_factory=list)
    drafts: list[SuggestionDraft] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        """The names given with this number, each once, in the order first seen."""
        seen = [s.name for s in self.signups] + [s.contact_name for s in self.suggestions
                                                 if s.contact_phone == self.number]
        return list(dict.fromkeys(n for n in seen if n and n != REMOVED_NAME))

    @property
    def masked(self) -> str:
        return mask_phone(self.number)

    def __bool__(self) -> bool:
        return bool(self.signups or self.suggestions or self.drafts)


def find_person(raw_number: str, community_ids=None) -> PersonRecords:
    """Every record of the number (normalised: "138 1234 5678" finds 13812345678), in the
    given communities (None: all, for the command line)."""
    number = normalise_phone(raw_number)
    found = PersonRecords(number)
    if len(number) < 7:
        return found
    signups = (select(Signup).join(Signup.session).where(Signup.phone == number)
               .options(selectinload(Signup.session).selectinload(ClassSession.course))
               .order_by(ClassSession.starts_at, Signup.id))
    # A number in the text: the last four digits narrow it down, the pattern decides.
    near = or_(Suggestion.contact_phone == number,
               Suggestion.text.contains(number[-4:], autoescape=True),
               Suggestion.rating_comment.contains(number[-4:], autoescape=True))
    suggestions = select(Suggestion).where(near).order_by(Suggestion.created_at)
    drafts = select(SuggestionDraft).where(or_(
        SuggestionDraft.contact_phone == number,
        SuggestionDraft.text.contains(number[-4:], autoescape=True)))
    if community_ids is not None:
        signups = signups.where(ClassSession.community_id.in_(community_ids))
        suggestions = suggestions.where(Suggestion.community_id.in_(community_ids))
        drafts = drafts.where(SuggestionDraft.community_id.in_(community_ids))
    pattern = number_pattern(number)
    found.signups = list(db.session.scalars(signups))
    found.suggestions = [s for s in db.session.scalars(suggestions)
                         if s.contact_phone == number or pattern.search(s.text)
                         or pattern.search(s.rating_comment or "")]
    found.drafts = [d for d in db.session.scalars(drafts)
                    if d.contact_phone == number or pattern.search(d.text)]
    return found


def _signup_status(signup: Signup) -> str:
    return {CONFIRMED: _("Has a place"), WAITING: _("Waiting list"),
            WITHDRAWN: _("Cancelled")}.get(signup.status, signup.status)


def _signup_kind(signup: Signup) -> str:
    if signup.walk_in:
        return _("Walk-in")
    if signup.status == WAITING:
        return _("Waiting list")
    return _("Class sign-up")


def export_rows(found: PersonRecords) -> tuple[list[str], list[list]]:
    """The person's copy: one row per record, the number whole (it is theirs)."""
    header = [_("Kind"), _("Community"), _("What"), _("When"), _("Name"), _("Mobile number"),
              _("Status"), _("Checked in"), _("Text")]
    rows = []
    for s in found.signups:
        rows.append([_signup_kind(s), s.session.course.community.display_name, s.session.title,
                     format_when(s.session.starts_at), s.name, s.phone or "", _signup_status(s),
                     format_when(s.attended_at), ""])
    for s in found.suggestions:
        kind = (_("Suggestion contact") if s.contact_phone == found.number
                else _("Number in a suggestion's text"))
        rows.append([kind, s.community.display_name, s.code, format_when(s.created_at),
                     s.contact_name, s.contact_phone, state_name(s.state), "",
                     "\n".join(t for t in (s.text, s.rating_comment) if t)])
    for d in found.drafts:
        rows.append([_("Unsent suggestion draft"), "", "", format_when(d.created_at),
                     d.contact_name, d.contact_phone, "", "", d.text])
    return header, rows


def _by(staff, actor: str) -> dict:
    return {"staff": staff} if staff is not None else {"staff": None, "actor": actor or "cli"}


def record_export(found: PersonRecords, *, staff=None, actor: str = "") -> None:
    """A copy of a person's data left the system: audited with the masked number only."""
    record("personal.export", None, target_type="Person", target_id=found.masked,
           after={"number": found.masked, "signups": len(found.signups),
                  "suggestions": len(found.suggestions)}, **_by(staff, actor))


def forget_person(raw_number: str, community_ids=None, *, staff=None, actor: str = "") -> dict:
    """Anonymise every record of the number and take it out of every text; audited with
    the masked number only. The caller commits. Returns what was done, as counts."""
    found = find_person(raw_number, community_ids)
    number = found.number
    for signup in found.signups:
        signup.name, signup.phone, signup.cancel_code_hash = REMOVED_NAME, None, None
    for suggestion in found.suggestions:
        if suggestion.contact_phone == number:
            suggestion.contact_name, suggestion.contact_phone = "", ""
    for draft in found.drafts:
        if draft.contact_phone == number:
            draft.contact_name, draft.contact_phone = "", ""
    db.session.flush()
    texts = scrub_database(number, skip=_FIXED, skip_columns=_OWN_FIELDS) if len(number) >= 7 else 0
    done = {"number": found.masked, "signups": len(found.signups),
            "suggestions": len(found.suggestions), "drafts": len(found.drafts),
            "texts": texts}
    record("personal.forget", None, target_type="Person", target_id=found.masked,
           after=done, **_by(staff, actor))
    return done
