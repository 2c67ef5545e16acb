"""Rules of 板凳议事会: meetings and agenda, polls, the three channels, the decision, and
commitments. Plain functions over the models; nothing here reads the request. Every staff
write is audited in the same transaction; the caller commits.

One module per subject; this package re-exports their public names, so callers write
`from muling_kiosk.votes import services` and `services.cast_ballot(...)` whichever module
holds it:

- base: the refusal (Refused, PollClosed), typed numbers, row locks;
- labels: stored values in the reader's words (rule, quorum, result, option, promiser);
- meetings: meetings, agenda items, 到会人数, the item the TV shows;
- polls: opening and closing a poll;
- tally: the count and the decision by rule and quorum;
- ballots: ballots (tablet, phone) and raised hands (tap, typed total, undo);
- commitments: 现场承诺;
- finding: look-ups for the screens, and paging a short list;
- minutes: 会议纪要 as rows for a download.

Concurrency: every write that counts (ballot, tap, typed total, undo, close) first locks the
poll row (SELECT … FOR UPDATE on PostgreSQL; on SQLite the POST already holds the write lock),
then checks the poll is open, then writes. A ballot and the close therefore happen in one
order or the other, never half: a ballot that lost the race gets "投票已结束". Request keys and
the (poll, device) unique constraint make a replayed or doubled request count once.
"""

from .ballots import (
    ballot_of_device,
    cast_ballot,
    find_option,
    hand_history,
    set_hand_total,
    tap_hand,
    undo_last_hand,
)
from .base import COUNT_MAX, PollClosed, Refused, lock_meeting, lock_poll, parse_count
from .commitments import (
    COMMITMENT_FIELDS,
    COMMITMENT_WHO,
    WHO_OTHER,
    add_commitment,
    commitment_who,
    open_commitments,
    parse_day,
    set_commitment_done,
)
from .finding import (
    decided_meetings,
    display_version,
    meeting_by_display_token,
    meetings_of,
    next_meeting,
    open_pass_poll,
    poll_by_phone_token,
    shown_poll,
)
from .labels import (
    CHANNEL_NAMES,
    OPTION_NAMES,
    QUORUM_NAMES,
    RESULT_NAMES,
    RULE_HINTS,
    RULE_NAMES,
    WHO_NAMES,
    option_label,
    quorum_text,
    result_text,
    rule_label,
    who_label,
    winner_label,
)
from .meetings import (
    ITEM_FIELDS,
    MEETING_FIELDS,
    add_agenda_item,
    create_meeting,
    delete_agenda_item,
    move_agenda_item,
    next_item,
    record_present_count,
    show_item,
    update_agenda_item,
    update_meeting,
)
from .minutes import MINUTES_HEADER, minutes_filename, minutes_rows
from .polls import (
    DEFAULT_OPTIONS,
    OPTIONS_MAX,
    OPTIONS_MIN,
    PollSpec,
    check_poll_spec,
    close_poll,
    default_question,
    open_poll,
)
from .tally import (
    Decision,
    OptionCount,
    Tally,
    decide,
    hand_counts,
    live_tally,
    quorum_reached,
    tally,
)

__all__ = [  # what callers use: the names above, re-exported
    "CHANNEL_NAMES", "COMMITMENT_FIELDS", "COMMITMENT_WHO", "COUNT_MAX", "DEFAULT_OPTIONS",
    "ITEM_FIELDS", "MEETING_FIELDS", "MINUTES_HEADER", "OPTIONS_MAX", "OPTIONS_MIN", "OPTION_NAMES",
    "QUORUM_NAMES", "RESULT_NAMES", "RULE_HINTS", "RULE_NAMES", "WHO_NAMES", "WHO_OTHER",
    "Decision", "OptionCount", "PollClosed", "PollSpec", "Refused", "Tally",
    "add_agenda_item", "add_commitment", "ballot_of_device", "cast_ballot", "check_poll_spec",
    "close_poll", "commitment_who", "create_meeting", "decide", "decided_meetings",
    "default_question", "delete_agenda_item", "display_version", "find_option", "hand_counts",
    "hand_history", "live_tally", "lock_meeting", "lock_poll", "meeting_by_display_token",
    "meetings_of", "minutes_filename", "minutes_rows", "move_agenda_item", "next_item",
    "next_meeting", "open_commitments", "open_pass_poll", "open_poll", "option_label",
    "parse_count", "parse_day", "poll_by_phone_token",
    "quorum_reached", "quorum_text", "record_present_count", "result_text", "rule_label",
    "set_commitment_done",
    "set_hand_total", "show_item", "shown_poll", "tally", "tap_hand", "undo_last_hand",
    "update_agenda_item", "update_meeting", "who_label", "winner_label",
]
