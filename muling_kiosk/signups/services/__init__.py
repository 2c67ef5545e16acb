"""Rules of 长者学堂: who may sign up, seats and the waiting list, cancelling and moving up,
courses and their weekly sessions, rosters and attendance. Plain functions over the models;
nothing here reads the request, and the caller commits.

One module per subject; this package re-exports their public names, so callers write
`from muling_kiosk.signups import services` and `services.sign_up(...)` whichever module
holds it:

- base: limits and their words, the refusals, the community's wall-clock time, the row lock;
- people: checking a typed name and mobile number;
- seats: places left, whether a session can be joined, a number's sign-ups (我的报名);
- week: the kiosk's class list, a week at a time;
- signing: signing up, giving a place back, the queue moving up (the seat-counting writes);
- attendance: who came, per session and per course;
- rosters: the roster, the sign-in sheet, the downloads and the call list;
- checkin: 上课签到 and walk-ins on the tablet in staff mode;
- courses: courses at the console;
- sessions: planning, changing and cancelling sessions at the console.
"""

from ...i18n import local_zone
from .attendance import Attendance, attendance, course_attendance, session_attendance
from .base import (
    CAPACITY_MAX,
    CATEGORY_NAMES,
    CHECKIN_PROBLEMS,
    COURSE_FIELDS,
    DESCRIPTION_MAX,
    MINUTES_MAX,
    MINUTES_MIN,
    NOT_JOINABLE,
    PLACE_MAX,
    SESSION_FIELDS,
    TEACHER_MAX,
    TITLE_MAX,
    WEEKS_AHEAD,
    WEEKS_MAX,
    AlreadySignedUp,
    NotJoinable,
    TooLate,
    int_in,
    local_datetime,
    local_day,
    lock_session,
    week_start,
)
from .checkin import (
    CheckinChoice,
    CheckinSheet,
    add_walk_in,
    checkin_choice,
    checkin_problem,
    checkin_sessions,
    checkin_sheet,
    may_check_in,
    set_attendance,
)
from .courses import (
    NEW_COURSE_VALUES,
    CourseOverview,
    category_choices,
    course_overview,
    course_values,
    courses_of,
    create_course,
    update_course,
)
from .people import (
    cancel_code_matches,
    check_name,
    check_person,
    check_phone,
    hash_cancel_code,
    new_cancel_code,
)
from .rosters import (
    RosterSheet,
    call_list,
    moved_up,
    record_disclosure,
    record_moved_up_disclosure,
    roster,
    roster_file_name,
    roster_sheet,
    roster_table,
)
from .seats import (
    SessionInfo,
    active_signup,
    counts_for,
    describe,
    describe_one,
    find_signup,
    find_signup_in,
    joinable_problem,
    queue_position,
    queue_positions,
    seats_taken,
    signup_of,
    signups_of,
)
from .sessions import (
    AddedSessions,
    CapacityChange,
    add_sessions,
    cancel_session,
    new_sessions_values,
    session_values,
    upcoming_sessions,
    update_course_and_sessions,
    update_session,
)
from .signing import SignupResult, cancel_signup, fill_from_queue, sign_up, too_late_to_cancel
from .week import ClassWeek, class_week, week_of_sessions

__all__ = [  # what callers use: the names above, re-exported
    "CAPACITY_MAX", "CATEGORY_NAMES", "CHECKIN_PROBLEMS", "COURSE_FIELDS", "DESCRIPTION_MAX",
    "MINUTES_MAX", "MINUTES_MIN", "NEW_COURSE_VALUES", "NOT_JOINABLE", "PLACE_MAX",
    "SESSION_FIELDS", "TEACHER_MAX", "TITLE_MAX", "WEEKS_AHEAD", "WEEKS_MAX", "AddedSessions",
    "AlreadySignedUp", "Attendance", "CapacityChange", "CheckinChoice", "CheckinSheet",
    "ClassWeek", "CourseOverview", "NotJoinable", "RosterSheet", "SessionInfo", "SignupResult",
    "TooLate", "active_signup", "add_sessions", "add_walk_in", "attendance", "call_list",
    "cancel_code_matches", "cancel_session", "cancel_signup", "category_choices", "check_name",
    "check_person", "check_phone", "checkin_choice", "checkin_problem", "checkin_sessions",
    "checkin_sheet", "class_week", "counts_for", "course_attendance", "course_overview",
    "course_values", "courses_of", "create_course", "describe", "describe_one", "fill_from_queue",
    "find_signup", "find_signup_in", "hash_cancel_code", "int_in", "joinable_problem",
    "local_datetime", "local_day", "local_zone", "lock_session", "may_check_in", "moved_up",
    "new_cancel_code", "new_sessions_values", "queue_position", "queue_positions",
    "record_disclosure", "record_moved_up_disclosure", "roster", "roster_file_name",
    "roster_sheet", "roster_table", "seats_taken", "session_attendance", "session_values",
    "set_attendance", "sign_up", "signup_of", "signups_of", "too_late_to_cancel",
    "upcoming_sessions", "update_course", "update_course_and_sessions", "update_session",
    "week_of_sessions", "week_start",
]
