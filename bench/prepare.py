"""Make what the write benchmarks aim at, in the database DATABASE_URL names, and print it
as JSON: an open class session with room for everyone, an open poll on all three channels,
the kiosk's suggestion point, the facilitator's PIN, and enrolled station tablets (only the
community's tablet unlocks staff mode and takes pass-the-tablet ballots): one for the
facilitator and the sign-ups, and BALLOT_TABLETS handed over for the poll, one per simulated
voter queue, each re-armed by 下一位 after its ballot."""

import json
import secrets
from datetime import timedelta

from flask import session
from flask_wtf.csrf import generate_csrf
from itsdangerous import URLSafeSerializer
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
from muling_kiosk.stations import services as stations
from muling_kiosk.stations.current import _SALT as STATION_SALT
from muling_kiosk.stations.current import COOKIE as STATION_COOKIE
from muling_kiosk.suggestions import services as suggestions
from muling_kiosk.votes import services as votes
from muling_kiosk.votes.models import CHANNELS

BALLOT_TABLETS = 64  # more than the write benchmark's users

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
    signed = URLSafeSerializer(app.secret_key, salt=STATION_SALT)

    def tablet(name: str, armed: bool) -> str:
        station, token = stations.enroll(name, community.id, [community.id])
        if armed:
            stations.arm_ballot(station, poll.id)
        return f"{STATION_COOKIE}={signed.dumps(token)}"

    station_cookie = tablet("压力测试平板", armed=False)
    ballot_cookies = [tablet(f"压力测试投票平板 {n}", armed=True) for n in range(BALLOT_TABLETS)]
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
        "staff_csrf": staff_csrf, "station_cookie": station_cookie,
        "ballot_cookies": ballot_cookies}))
