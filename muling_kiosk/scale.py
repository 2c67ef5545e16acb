"""Realistic data at scale, for the benchmarks: `flask --app app seed-scale --factor N`.

At N = 1 about 5 communities with 2 years each: 2,000 class sessions, 40,000 sign-ups,
500 polls, 100,000 ballots, 50,000 suggestions. N multiplies the communities of the
subdistrict (a subdistrict that grows), so each community's pages stay the same size while
the tables grow N times: what the growth benchmark must see is whether a page's cost follows
the table sizes (a missing index, a query per row).

Rows go in with bulk Core inserts in chunks (ORM objects would take hours at N = 10); polls
are closed through the votes service, so their frozen figures are exactly what the app
computes. A fixed random seed makes two runs alike.
"""

import random
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, insert, select, text

from .communities.models import Community
from .communities.services import DEMO_SUBDISTRICT, ensure_community, ensure_subdistrict
from .extensions import db
from .signups.models import ClassSession, Course, Signup
from .suggestions.models import Suggestion, SuggestionEvent, SuggestionLocation
from .suggestions.services import CATEGORIES, CODE_ALPHABET, CODE_LENGTH
from .votes.models import AgendaItem, Ballot, HandCount, Meeting, Poll, PollOption
from .votes.services import close_poll

PER_COMMUNITY = {"sessions": 400, "signups_per_session": 20, "meetings": 50,
                 "items_per_meeting": 2, "ballots_per_poll": 200, "suggestions": 10_000}
CHUNK = 5_000

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = ["秀英", "桂兰", "建国", "玉梅", "淑珍", "志强", "海燕", "国华", "凤英", "德明", "丽华",
         "文明", "春梅", "永福", "淑兰", "建华", "秀珍", "桂芳", "振华", "玉兰"]
COURSES = [("智能手机入门", "phone"), ("书法", "calligraphy"), ("太极拳", "taichi"),
           ("健康讲座", "health"), ("合唱", "choir"), ("剪纸", "papercut"),
           ("防诈骗讲座", "health"), ("八段锦", "taichi")]
TOPICS = ["小区车辆乱停乱放怎么管", "公共绿地种菜要不要清理", "楼道堆物清理",
          "电动车充电桩选址", "物业费调整", "路灯维修", "垃圾分类投放点", "广场舞音量"]
TEXTS = ["{place}附近晚上路灯不亮，老人走路看不清，希望尽快修一修。",
         "{place}经常有车乱停，消防通道被堵，请物业和社区管一管。",
         "有人在{place}的绿地上种菜，浇粪水味道大，大家意见很多。",
         "遛狗不牵绳，{place}有小孩被吓到了，希望多劝导。",
         "{place}楼道里堆了很多杂物，存在消防隐患。",
         "{place}的健身器材坏了，希望修理或更换。",
         "建议在{place}多设几个休息的长椅，方便老人。",
         "{place}的垃圾桶满了没人清，夏天有异味。"]
PLACES = ["文化广场", "林荫廊道", "小区广场凉亭", "3号楼", "东门", "驿站门口", "停车场"]


def seed_scale(factor: int, rng: random.Random | None = None, now: datetime | None = None,
               echo=print) -> dict[str, int]:
    """Add factor × the N = 1 volume; returns the number of rows added per table."""
    rng = rng or random.Random(20261124)  # noqa: S311 (made-up data, not secrets)
    now = now or datetime.now(UTC)
    start = now - timedelta(days=730)
    subdistrict = ensure_subdistrict(*DEMO_SUBDISTRICT)
    communities = [ensure_community(subdistrict, slug, name, name_en)
                   for slug, name, name_en in _community_names(5 * factor)]
    db.session.commit()
    codes = set(db.session.scalars(select(Suggestion.code)))
    added: dict[str, int] = {}
    for n, community in enumerate(communities, start=1):
        for table, count in _seed_community(community, rng, start, now, codes).items():
            added[table] = added.get(table, 0) + count
        echo(f"  {n}/{len(communities)} {community.name}")
    _advance_postgres_sequences()
    return added


def _community_names(count: int):
    from .communities.services import DEMO_COMMUNITIES

    yield from DEMO_COMMUNITIES[:count]
    for n in range(len(DEMO_COMMUNITIES) + 1, count + 1):
        yield (f"scale-{n}", f"第{n}社区", f"Community {n}")


def _seed_community(community: Community, rng: random.Random, start: datetime,
                    now: datetime, codes: set) -> dict[str, int]:
    counts = {}
    counts.update(_classes(community, rng, start, now))
    counts.update(_votes(community, rng, start, now))
    counts.update(_suggestions(community, rng, start, now, codes))
    db.session.commit()
    return counts


# ---------- 长者学堂 ----------


def _classes(community, rng, start, now) -> dict[str, int]:
    course_ids = _insert_returning_ids(Course, [
        {"community_id": community.id, "title": f"{title}（{n}期）", "teacher": _name(rng),
         "place": "睦邻驿站活动室", "category": category, "description": "", "capacity": 20,
         "created_at": start}
        for n, (title, category) in enumerate(COURSES, start=1)])
    sessions, weekly = [], PER_COMMUNITY["sessions"] // 104 + 1
    week = 0
    while len(sessions) < PER_COMMUNITY["sessions"]:
        monday = start + timedelta(weeks=week)
        for slot in range(weekly):
            if len(sessions) == PER_COMMUNITY["sessions"]:
                break
            begins = monday + timedelta(days=slot, hours=1 + slot % 3)
            sessions.append({"course_id": course_ids[(week + slot) % len(course_ids)],
                             "community_id": community.id, "starts_at": begins,
                             "ends_at": begins + timedelta(minutes=90),
                             "capacity": rng.choice((15, 20, 25)), "status": "open",
                             "cancel_reason": "", "created_at": start})
        week += 1
    session_ids = _insert_returning_ids(ClassSession, sessions)
    signups = []
    for session_id, session in zip(session_ids, sessions, strict=True):
        past = session["starts_at"] < now
        phones = {_phone(rng) for _ in range(PER_COMMUNITY["signups_per_session"])}
        for position, phone in enumerate(sorted(phones)):
            confirmed = position < session["capacity"]
            status = "confirmed" if confirmed else "waiting"
            if rng.random() < 0.05:
                status = "cancelled"
            signups.append({
                "session_id": session_id, "name": _name(rng), "phone": phone, "status": status,
                "created_at": session["starts_at"] - timedelta(days=rng.randint(1, 6)),
                "request_key": secrets.token_urlsafe(16), "walk_in": False,
                "attended_at": session["starts_at"] if past and confirmed and status ==
                "confirmed" and rng.random() < 0.85 else None})
    _insert(Signup, signups)
    return {"course": len(course_ids), "class_session": len(sessions), "signup": len(signups)}


# ---------- 板凳议事会 ----------


def _votes(community, rng, start, now) -> dict[str, int]:
    meetings = []
    for n in range(PER_COMMUNITY["meetings"]):
        at = start + timedelta(days=n * 14 + rng.randint(0, 3), hours=11)
        if at > now - timedelta(days=1):
            break
        meetings.append({"community_id": community.id, "title": f"第{n + 1}次板凳议事会",
                         "place": rng.choice(PLACES[:3]), "starts_at": at,
                         "present_count": rng.randint(15, 40),
                         "display_token": secrets.token_urlsafe(16), "version": 0,
                         "created_at": at - timedelta(days=7)})
    meeting_ids = _insert_returning_ids(Meeting, meetings)
    items = [{"meeting_id": mid, "position": p + 1, "title": rng.choice(TOPICS),
              "description": "", "created_at": m["created_at"]}
             for mid, m in zip(meeting_ids, meetings, strict=True)
             for p in range(PER_COMMUNITY["items_per_meeting"])]
    item_ids = _insert_returning_ids(AgendaItem, items)
    item_time = {iid: meetings[meeting_ids.index(item["meeting_id"])]["starts_at"]
                 for iid, item in zip(item_ids, items, strict=True)}
    polls = [{"agenda_item_id": iid, "question": f"是否同意：{item['title']}？",
              "rule": "yes_over_no", "quorum_kind": "none", "quorum_value": 0,
              "channel_hand": True, "channel_pass": True, "channel_phone": True,
              "status": "open", "opened_at": item_time[iid], "version": 0,
              "phone_token": secrets.token_urlsafe(16)}
             for iid, item in zip(item_ids, items, strict=True)]
    poll_ids = _insert_returning_ids(Poll, polls)
    options = [{"poll_id": pid, "position": pos, "label": label, "kind": kind}
               for pid in poll_ids
               for pos, (label, kind) in enumerate((("赞成", "yes"), ("反对", "no"),
                                                    ("弃权", "abstain")), start=1)]
    option_ids = _insert_returning_ids(PollOption, options)
    ballots, hands = [], []
    for n, pid in enumerate(poll_ids):
        choices = option_ids[n * 3:n * 3 + 3]
        at = polls[n]["opened_at"]
        for b in range(PER_COMMUNITY["ballots_per_poll"]):
            option = choices[0] if rng.random() < 0.6 else rng.choice(choices)
            phone = b % 2 == 0
            ballots.append({"poll_id": pid, "option_id": option,
                            "channel": "phone" if phone else "pass",
                            "device_id": secrets.token_hex(8) if phone else None,
                            "request_key": secrets.token_urlsafe(16),
                            "created_at": at + timedelta(seconds=b)})
        for option in choices:
            hands.append({"poll_id": pid, "option_id": option, "kind": "tap", "delta": 1,
                          "at": at})
    _insert(Ballot, ballots)
    _insert(HandCount, hands)
    db.session.commit()
    for n, pid in enumerate(poll_ids):
        close_poll(pid, now=polls[n]["opened_at"] + timedelta(minutes=20))
    db.session.commit()
    return {"meeting": len(meetings), "agenda_item": len(items), "poll": len(polls),
            "ballot": len(ballots), "hand_count": len(hands)}


# ---------- 百姓畅言亭 ----------


def _suggestions(community, rng, start, now, used_codes: set) -> dict[str, int]:
    location_ids = _insert_returning_ids(SuggestionLocation, [
        {"community_id": community.id, "name": name, "token": secrets.token_urlsafe(16),
         "active": True, "created_at": start} for name in ("百姓畅言亭", "公告栏", "驿站门口")])
    span = (now - start).total_seconds()
    states = ["rated"] * 4 + ["resolved"] * 2 + ["in_progress", "decided", "discussing",
                                                  "submitted", "declined"]
    suggestions = []
    for _ in range(PER_COMMUNITY["suggestions"]):
        at = start + timedelta(seconds=rng.random() * span)
        state = rng.choice(states) if at < now - timedelta(days=30) else "submitted"
        suggestions.append({
            "community_id": community.id, "location_id": rng.choice(location_ids),
            "code": _code(rng, used_codes), "category": rng.choice(list(CATEGORIES)),
            "text": rng.choice(TEXTS).format(place=rng.choice(PLACES)), "contact_name": "",
            "contact_phone": _phone(rng) if rng.random() < 0.3 else "", "source": "phone",
            "state": state, "created_at": at, "updated_at": at, "on_board": True,
            "rating": rng.choice(("satisfied", "fair", "unsatisfied")) if state == "rated"
            else None, "rating_comment": "", "rated_at": at + timedelta(days=20)
            if state == "rated" else None})
    suggestion_ids = _insert_returning_ids(Suggestion, suggestions)
    events = []
    for sid, s in zip(suggestion_ids, suggestions, strict=True):
        events.append({"suggestion_id": sid, "at": s["created_at"], "kind": "submitted",
                       "from_state": None, "to_state": "submitted", "public": True,
                       "public_text": "", "actor": ""})
        if s["state"] != "submitted":
            events.append({"suggestion_id": sid, "at": s["created_at"] + timedelta(days=3),
                           "kind": "state", "from_state": "submitted",
                           "to_state": s["state"], "public": True,
                           "public_text": "感谢您的建议，社区已安排处理。", "actor": "社区"})
    _insert(SuggestionEvent, events)
    return {"suggestion": len(suggestions), "suggestion_event": len(events)}


# ---------- helpers ----------


def _name(rng) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _phone(rng) -> str:
    return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"


def _code(rng, used: set) -> str:
    """A tracking code no suggestion has (used holds every code already in the table)."""
    while True:
        code = "".join(rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if code not in used:
            used.add(code)
            return code


def _insert(model, rows: list[dict]) -> None:
    connection = db.session.connection()
    for at in range(0, len(rows), CHUNK):
        connection.execute(insert(model.__table__), rows[at:at + CHUNK])


def _insert_returning_ids(model, rows: list[dict]) -> list[int]:
    """Insert with explicit ids after the current largest: children need their parents'."""
    first = (db.session.scalar(select(func.max(model.id))) or 0) + 1
    for n, row in enumerate(rows):
        row["id"] = first + n
    _insert(model, rows)
    return [row["id"] for row in rows]


def _advance_postgres_sequences() -> None:
    """Explicit ids do not move PostgreSQL's sequences: move them past the data."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in db.metadata.sorted_tables:
        if "id" in table.c and table.c.id.autoincrement:
            db.session.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # noqa: S608
                f"GREATEST((SELECT MAX(id) FROM \"{table.name}\"), 1))"))
    db.session.commit()
