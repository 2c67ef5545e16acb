"""Rules of the 百姓畅言亭: locations, drafts and confirmed suggestions, the states a suggestion
moves through with a public reply at each step, merging, rating, the inbox, the public board.

Views call these; nothing here reads the request. Every staff change is audited in the same
transaction; the caller commits. Whatever moves a suggestion on — a staff member, the
resident's rating, a meeting's closed poll — does it through change_state (or add_note for a
public word without a new state), so the resident's history is always complete.

One module per subject; this package hands out their public names, so the rest of the code
asks `services.<name>` without knowing which module holds it:

- vocabulary: categories, states and where each may go next, ratings, sources, limits,
  tracking codes, and who an audited change is by;
- locations: the QR points and their posters;
- drafts: what a resident enters, kept as a draft until confirmed, then the suggestion;
- lifecycle: states and replies, assigning, merging, the board switch, the revealed phone
  number, the rating, the resident's status page;
- inbox: the staff inbox's filters, counts and export;
- board: the public board (百姓畅言栏).

Inside the package the modules import each other, never this file (no import cycle).
"""

# Every import here is a re-export.
# ruff: noqa: F401

from .board import (
    board_item,
    board_query,
    board_replies,
)
from .drafts import (
    FIELDS,
    Entry,
    check_entry,
    confirm_draft,
    draft_at,
    draft_for,
    draft_photo,
    draft_values,
    entered,
    keep_draft,
    record_honeypot,
    save_draft,
    submit_draft,
    submitted_with_key,
)
from .inbox import (
    InboxFilters,
    counts_by_state,
    export,
    export_table,
    inbox_query,
    latest_reply,
)
from .lifecycle import (
    add_note,
    assign,
    assignable_staff,
    change_state,
    check_rating,
    locked,
    may_reply,
    may_reveal_phone,
    may_reveal_text,
    merge,
    merge_candidates,
    merged_here,
    next_states,
    photo_of,
    public_history,
    rate,
    reveal_phone,
    reveal_text,
    set_on_board,
    suggestion_by_code,
)
from .locations import (
    create_location,
    kiosk_location,
    location_by_token,
    locations_of,
    update_location,
)
from .vocabulary import (
    ASSIGNABLE_ROLES,
    CATEGORIES,
    CLOSED_STATES,
    CODE_ALPHABET,
    CODE_LENGTH,
    COMMENT_MAX,
    DECIDED,
    DECIDING_ROLES,
    DECLINED,
    DISCUSSING,
    DRAFT_HOURS,
    IN_PROGRESS,
    LOCATION_NAME_MAX,
    MAX_PHOTOS,
    MERGED,
    OPEN_STATES,
    RATED,
    RATINGS,
    REPLY_MAX,
    REPLY_MIN,
    RESOLVED,
    SOURCES,
    STAGES,
    STATE_NAMES,
    SUBMITTED,
    TEXT_MAX,
    TEXT_MIN,
    TRANSITIONS,
    VOLUNTEER_STATES,
    by_whom,
    category_name,
    group_code,
    has_hidden_numbers,
    mask_numbers,
    new_code,
    normalise_code,
    state_name,
)

