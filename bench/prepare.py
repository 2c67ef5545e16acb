"""Make what the write benchmarks aim at, in the database DATABASE_URL names, and print it
as JSON: an open class session with room for everyone, an open poll on all three channels,
the kiosk's suggestion point, and the facilitator's PIN."""

import json
import secrets
from datetime import timedelta

from flask import session
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select

from muling_kiosk import create_app
from muling_kiosk.communities.current import kiosk_community
from muling_kiosk.database import utcnow
from muling_kiosk.extensions import db
from muling_kiosk.signups import services as signups
from muling_kiosk.staff.auth import SESSION_KEY
from muling_kiosk.staff.demo import DEMO_STAFF
from muling_kiosk.staff.models import Staff
from muling_kiosk.staff.services import start_session
from muling_kiosk.suggestions import services as suggestions
from muling_kiosk.votes import services as votes
from muling_kiosk.votes.models import CHANNELS

app = create_app()
with app.app_context():
    community = kiosk_community()
    now = utcnow()
    course = signups.create_course(community.id, {
        "title": f"压力测试课 {secrets.token_hex(3)}", "teacher": "王老师", "place": "睦邻驿站",
        "category": "health", "description": "", "capacity": str(signups.CAPACITY_MAX)})
    day = signups.local_day(now + timedelta(days=2))
    sessions = signups.add_sessions(course, {
        "day": day.isoformat(), "start": "09:00", "minutes": "90", "weeks": "1",
        "capacity": str(signups.CAPACITY_MAX)})
    meeting = votes.create_meeting(community_id=community.id, title="压力测试议事会",
                                   place="文化广场", starts_at=now + timedelta(hours=1))
    item = votes.add_agenda_item(meeting, "压力测试议题", "")
    poll = votes.open_poll(item, votes.PollSpec(question="是否同意？", channels=CHANNELS))
    votes.show_item(meeting, item)
    location = suggestions.kiosk_location(community)
    db.session.commit()
    pin = next(row[5] for row in DEMO_STAFF if row[2] == "facilitator")
    # The facilitator's tablet in staff mode, as a signed session cookie and its CSRF
    # token: the +1 benchmark then measures taps, not sixteen PIN checks.
    facilitator = db.session.scalar(select(Staff).where(Staff.username == "zhuchi"))
    staff_token = start_session(facilitator, "tablet", "bench")
    db.session.commit()
    with app.test_request_context():
        session[SESSION_KEY] = staff_token
        staff_csrf = generate_csrf()
        staff_cookie = app.session_interface.get_signing_serializer(app).dumps(dict(session))
    print(json.dumps({
        "class_session_id": sessions[0].id if isinstance(sessions, list) else sessions.id,
        "poll_id": poll.id, "option_ids": [o.id for o in poll.options],
        "tv_token": meeting.display_token, "phone_token": poll.phone_token,
        "location_token": location.token, "pin": pin,
        "staff_cookie": f"{app.config.get('SESSION_COOKIE_NAME', 'session')}={staff_cookie}",
        "staff_csrf": staff_csrf}))
