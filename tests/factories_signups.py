"""Factory fixtures of the signups feature, and its samples for the route × role walk."""

import itertools
from datetime import timedelta

import pytest

from muling_kiosk.database import utcnow
from muling_kiosk.extensions import db
from muling_kiosk.idempotency import new_request_key
from muling_kiosk.signups.models import CONFIRMED, OPEN, ClassSession, Course, Signup

_numbers = itertools.count(1)


def phone_number(n: int) -> str:
    """A valid mainland mobile number, different for each n."""
    return f"139{n:08d}"


@pytest.fixture
def make_course(app, community):
    def make(community=community, **overrides):
        n = next(_numbers)
        values = {"title": f"书法{n}班", "teacher": "王德明", "place": "睦邻驿站 活动室",
                  "category": "calligraphy", "description": "", "capacity": 10}
        values.update(overrides)
        course = Course(community_id=community.id, **values)
        db.session.add(course)
        db.session.commit()
        return course

    return make


@pytest.fixture
def make_class_session(app, make_course):
    """make_class_session(capacity=5, starts_in=timedelta(days=2)) → an open session of a new
    course (or of course=…), starting in two days unless told."""
    def make(course=None, starts_in=timedelta(days=2), minutes=90, capacity=None,
             status=OPEN, **overrides):
        course = course or make_course(**({"capacity": capacity} if capacity else {}))
        starts_at = overrides.pop("starts_at", utcnow().replace(microsecond=0) + starts_in)
        session = ClassSession(course=course, community_id=course.community_id,
                               starts_at=starts_at, ends_at=starts_at + timedelta(minutes=minutes),
                               capacity=capacity or course.capacity, status=status, **overrides)
        db.session.add(session)
        db.session.commit()
        return session

    return make


@pytest.fixture
def make_signup(app, make_class_session):
    """make_signup(session=…, status="waiting") → a sign-up with a name and its own number."""
    def make(session=None, name=None, phone=None, status=CONFIRMED, **overrides):
        session = session or make_class_session()
        n = next(_numbers)
        signup = Signup(session=session, name=name or f"居民{n}",
                        phone=phone if phone is not None else phone_number(n), status=status,
                        request_key=new_request_key(), **overrides)
        db.session.add(signup)
        db.session.commit()
        return signup

    return make


# URL variable → function(world) returning a value for a record of world.community
# (see tests/test_access.py).
ROUTE_SAMPLES: dict = {
    "course_id": lambda world: world.fixture("make_course")(community=world.community).id,
    "class_session_id": lambda world: world.fixture("make_class_session")(
        course=world.fixture("make_course")(community=world.community)).id,
    "signup_id": lambda world: world.fixture("make_signup")(
        session=world.fixture("make_class_session")(
            course=world.fixture("make_course")(community=world.community))).id,
    "request_key": lambda world: world.fixture("make_signup")(
        session=world.fixture("make_class_session")(
            course=world.fixture("make_course")(community=world.community))).request_key,
}
