"""Courses (书法, 太极拳 …) as staff add and edit them at the console, and the console's
overview of them."""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...audit.services import record, snapshot
from ...database import utcnow
from ...extensions import db
from ...privacy import clean_name, has_control_characters
from ...validation import Invalid
from ..models import CATEGORIES, Course
from .attendance import Attendance, course_attendance, session_attendance
from .base import (
    CAPACITY_MAX,
    CATEGORY_NAMES,
    COURSE_FIELDS,
    DESCRIPTION_MAX,
    PLACE_MAX,
    TEACHER_MAX,
    TITLE_MAX,
    int_in,
)
from .seats import SessionInfo, describe

# What the form holds before staff type anything.
NEW_COURSE_VALUES = {"capacity": 20, "category": "other"}


def category_choices() -> list[tuple[str, str]]:
    """The kinds of class to choose from, in their fixed order, in the reader's words."""
    return [(key, CATEGORY_NAMES[key]) for key in CATEGORIES]


def course_values(course: Course) -> dict:
    """A course as its edit form shows it."""
    return {name: getattr(course, name) for name in COURSE_FIELDS}


def _course_values(community_id: int, values: dict, course: Course | None = None) -> dict:
    clean = {
        "title": clean_name(values.get("title")),
        "teacher": clean_name(values.get("teacher")),
        "place": clean_name(values.get("place")),
        "category": values.get("category") or "other",
        "description": (values.get("description") or "").strip(),
        "capacity": int_in(values.get("capacity"), 1, CAPACITY_MAX),
    }
    errors = {}
    if not clean["title"]:
        errors["title"] = _l("Please give the class a name.")
    elif len(clean["title"]) > TITLE_MAX:
        errors["title"] = _l("At most %(max)s characters.", max=TITLE_MAX)
    else:
        same = select(Course.id).where(Course.community_id == community_id,
                                       Course.title == clean["title"])
        if course is not None:
            same = same.where(Course.id != course.id)
        if db.session.scalar(same) is not None:
            errors["title"] = _l("There is already a class with this name. Add sessions to it, "
                                 "or choose another name.")
    if len(clean["teacher"]) > TEACHER_MAX:
        errors["teacher"] = _l("At most %(max)s characters.", max=TEACHER_MAX)
    if not clean["place"]:
        errors["place"] = _l("Please say where the class meets.")
    elif len(clean["place"]) > PLACE_MAX:
        errors["place"] = _l("At most %(max)s characters.", max=PLACE_MAX)
    if clean["category"] not in CATEGORIES:
        errors["category"] = _l("Please choose a kind of class.")
    if len(clean["description"]) > DESCRIPTION_MAX:
        errors["description"] = _l("At most %(max)s characters.", max=DESCRIPTION_MAX)
    if clean["capacity"] is None:
        errors["capacity"] = _l("A number of places from 1 to %(max)s.", max=CAPACITY_MAX)
    for field in ("title", "teacher", "place", "description"):
        if field not in errors and has_control_characters(clean[field].replace("\n", "")
                                                          .replace("\r", "")):
            errors[field] = _l("This has a sign that cannot be used.")
    if errors:
        raise Invalid(errors)
    return clean


def create_course(community_id: int, values: dict) -> Course:
    clean = _course_values(community_id, values)
    course = Course(community_id=community_id, **clean)
    db.session.add(course)
    db.session.flush()
    record("signups.create_course", course, after=snapshot(course, COURSE_FIELDS))
    return course


def update_course(course: Course, values: dict) -> Course:
    clean = _course_values(course.community_id, values, course)
    before = snapshot(course, COURSE_FIELDS)
    for key, value in clean.items():
        setattr(course, key, value)
    db.session.flush()
    record("signups.update_course", course, before=before, after=snapshot(course, COURSE_FIELDS))
    return course


def courses_of(community_ids: list[int]) -> list[Course]:
    return list(db.session.scalars(
        select(Course).where(Course.community_id.in_(community_ids))
        .options(selectinload(Course.sessions), selectinload(Course.community))
        .order_by(Course.community_id, Course.title)))


@dataclass
class CourseOverview:
    """A course's page at the console: its sessions and who came."""

    course: Course
    infos: list[SessionInfo]
    attendance: Attendance  # over the sessions held so far
    session_attendance: dict[int, Attendance]  # for each session that has started


def course_overview(course: Course, now: datetime | None = None) -> CourseOverview:
    now = now or utcnow()
    infos = describe(course.sessions, now)
    return CourseOverview(course, infos, course_attendance(course, now),
                          {i.session.id: session_attendance(i.session)
                           for i in infos if i.session.starts_at <= now})
