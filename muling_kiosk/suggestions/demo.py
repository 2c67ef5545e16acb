"""Demo data of the suggestions feature (idempotent): a few months at 永和社区's 百姓畅言亭 in
every state, some rated, two brought to real bench meetings of 永和社区 whose votes decided
them (the meetings are made through the votes services, the results came back by
themselves); and a QR point at 胜利社区 (the kiosk's community) with a few suggestions, one
ready to bring to tomorrow's meeting. Each suggestion carries a fixed request key and each
meeting is found by its title, so running the seeder again adds nothing. Runs after the
votes demo."""

import secrets
from datetime import datetime, time, timedelta

from sqlalchemy import select

from ..communities.services import community_by_slug
from ..database import utcnow
from ..extensions import db
from ..i18n import local_zone
from ..staff.models import Staff
from ..votes import services as votes
from ..votes.models import HAND, Meeting
from . import meetings
from .models import Suggestion, SuggestionEvent, SuggestionLocation
from .services import (
    DECIDED,
    DECLINED,
    DISCUSSING,
    IN_PROGRESS,
    MERGED,
    RATED,
    RESOLVED,
    SUBMITTED,
    new_code,
)

LOCATIONS = {
    "yonghe": ["百姓畅言亭（小区广场凉亭）", "公告栏（3号楼旁）", "驿站门口"],
    "shengli": ["睦邻驿站门口", "实成小区公告栏"],
}

YONGHE_OFFICE = "永和社区居委会"

# Steps that go through a bench meeting: BRING makes the suggestion an agenda item (讨论中),
# VOTE holds the meeting on that day at 19:00: the vote closes and the result comes back.
BRING, VOTE = "bring", "vote"
# key → the meeting (found by title), the item, the vote (hands for 赞成/反对/弃权) and the
# promises made on the spot (who, what, due days, done days after the meeting or None).
AGENDA = {
    "yh-01": {
        "meeting": ("文明养犬议事会", "小区广场凉亭", 35),
        "title": "遛狗不牵绳",
        "question": "是否同意：小区内遛狗一律牵绳，晚上7点到9点广场不遛狗？",
        "hands": (27, 2, 3),
        "promises": [("楼栋长", "逐户提醒养狗的住户遛狗牵绳、带走粪便", 14, 12),
                     ("物业公司", "在广场和凉亭立文明养犬提示牌", 14, 15)],
    },
    "yh-12": {
        "meeting": ("电动车充电议事会", "2号车棚旁", 31),
        "title": "电动车进楼道充电",
        "question": "是否同意：在2号车棚装10个充电桩，按度收费，楼道里不再充电？",
        "hands": (25, 3, 3),
        "promises": [("物业公司", "联系供电所，在2号车棚装好10个充电桩", 30, None),
                     ("楼栋长", "提醒住户不在楼道充电", 7, 5)],
    },
}

# (key, community, location index or None for the tablet, days ago, category, text,
#  contact (name, phone), steps [(days after, state, reply)], rating (value, comment))
SUGGESTIONS = [
    ("yh-01", "yonghe", 0, 92, "neighbours",
     "小区里晚上遛狗不牵绳的越来越多，广场上有老人和小孩，前几天我差点被一条大狗扑倒。"
     "希望提醒大家遛狗一定要牵绳，狗的粪便也要带走。", ("李阿姨", "13895012345"),
     [(2, BRING, None), (16, VOTE, None),
      (20, IN_PROGRESS, "提示牌已经订做，楼栋长这周开始逐户提醒。"),
      (31, RESOLVED, "广场和凉亭的提示牌已立好，格格管家晚上巡了两周，不牵绳的明显少了。")],
     ("satisfied", "现在晚上去广场放心多了，谢谢大家。")),
    ("yh-02", "yonghe", 0, 75, "parking",
     "5号楼和6号楼之间的消防通道天天停着车，晚上更多。万一着火消防车进不来。"
     "能不能画上禁停线，再装个提示牌？", ("", ""),
     [(1, DISCUSSING, "我们和物业一起看了现场，确实堵得厉害。下次议事会请车主们一起来商量。"),
      (12, DECIDED, "议事会商定：消防通道画黄色禁停网格线；"
                    "车位不够的住户可以晚上停到启元小区门口的公共车位。"),
      (15, IN_PROGRESS, "物业已联系施工队，天气转暖后画线。")], None),
    ("yh-03", "yonghe", 1, 60, "sanitation",
     "3号楼2单元一楼楼道堆了很多纸箱和旧家具，挡路又怕着火。跟邻居说过，没用。",
     ("", "13709512222"),
     [(1, IN_PROGRESS, "格格管家已经上门和这户人家聊过，他们答应这周末清走。"),
      (6, RESOLVED, "楼道已经清空，物业帮着把旧家具运走了。以后请大家不要在楼道堆东西。")], None),
    ("yh-04", "yonghe", 2, 55, "repairs",
     "凉亭往北那条小路有三盏路灯不亮快一个月了，晚上老人出来散步看不清路，已经有人摔倒过。",
     ("王师傅", ""),
     [(2, IN_PROGRESS, "已经报给物业和供电所，正在等配件。"),
      (19, RESOLVED, "三盏路灯都换好了，我们晚上去看过，亮了。")],
     ("fair", "灯修好了，就是等得有点久。")),
    ("yh-05", "yonghe", 0, 40, "greenery",
     "8号楼前面的绿地被人开出来种菜了，还浇粪水，夏天味道很大。绿地是大家的，希望恢复成草地。",
     ("", ""),
     [(3, DISCUSSING, "种菜的住户也有自己的想法。"
                      "我们准备在下次板凳议事会上请双方都来，大家一起想办法。")],
     None),
    ("yh-06", "yonghe", 1, 73, "parking", "消防通道总有车堵着，物业管一管吧。", ("", ""), [],
     None),
    ("yh-07", "yonghe", 0, 30, "property",
     "电梯这个月坏了两次，每次修好要等两天，楼上的老人下不了楼。物业能不能换个维保公司？",
     ("赵大爷", "13619510001"),
     [(1, DISCUSSING, "已经转给物业，要求他们下周在议事会上说明维修情况和维保合同。")], None),
    ("yh-08", "yonghe", 0, 50, "other",
     "希望在广场装个大音箱，早上放音乐大家一起做操。", ("", ""),
     [(4, DECLINED, "广场挨着住宅楼，早上放音乐会影响上夜班和家里有小婴儿的住户，"
                    "议事会上大家意见不一，暂不采纳。可以用小音箱，音量请放低一些。")], None),
    ("yh-09", "yonghe", 2, 35, "sanitation",
     "垃圾分类的桶满了没人及时清，周末尤其严重，味道很大。", ("", ""),
     [(2, IN_PROGRESS, "已经和物业商量，周末加一次清运。"),
      (9, RESOLVED, "从这周起周六、周日各加一次清运。")],
     ("unsatisfied", "清了两天又满了，桶还是太少。")),
    ("yh-10", "yonghe", 0, 3, "safety",
     "小区东门的门禁坏了好几天，谁都能进来，晚上不安全。", ("", ""), [], None),
    ("yh-12", "yonghe", 0, 20, "safety",
     "好多人把电动车推进楼道里充电，太危险了。希望在车棚装几个充电桩。", ("", ""),
     [(2, BRING, None), (9, VOTE, None)], None),
    ("yh-11", "yonghe", None, 1, "repairs",
     "凉亭的木椅子有一块板子松了，坐上去会翘起来。", ("", ""), [], None),
    ("sl-01", "shengli", 0, 28, "repairs",
     "驿站门口的台阶没有扶手，下雨天很滑，老人上下不方便。", ("", ""),
     [(2, IN_PROGRESS, "已经请物业量好尺寸，不锈钢扶手下周安装。")], None),
    ("sl-02", "shengli", 0, 21, "other",
     "长者学堂能不能再开一期智能手机课？上次没报上名。", ("周阿姨", "13995010203"),
     [(1, DISCUSSING, "报名的人确实很多。我们在问老师的时间，也想听听大家想学什么。")], None),
    ("sl-03", "shengli", 1, 18, "repairs",
     "上河东区7号楼后面的路灯晚上不亮。", ("", ""),
     [(1, IN_PROGRESS, "已经报修。"), (5, RESOLVED, "路灯已修好。")],
     ("satisfied", "")),
    ("sl-04", "shengli", None, 2, "other",
     "希望驿站周末也开门，平时要带孙子，只有周末有空来。", ("", ""), [], None),
    ("sl-05", "shengli", 0, 12, "parking",
     "实成小区门口晚上总有外面的车停在人行道上，推轮椅过不去。", ("", ""),
     [(2, DISCUSSING, "这周四的板凳议事会上讨论。"),
      (6, DECIDED, "议事会商定：人行道加装隔离桩，物业晚上巡查劝离。")], None),
    # Ready for the demo kiosk's facilitator to bring to tomorrow's 楼院环境议事会.
    ("sl-06", "shengli", 1, 3, "greenery",
     "上河东区3号楼前的空地堆着建筑垃圾，快一个月了。能不能清走，改成小花园，放几张长椅？",
     ("", ""), [], None),
]

# Merged duplicates: key → the key of the suggestion it joined.
MERGES = {"yh-06": "yh-02"}


def _location(community, name: str) -> SuggestionLocation:
    location = db.session.scalar(select(SuggestionLocation).where(
        SuggestionLocation.community_id == community.id, SuggestionLocation.name == name))
    if location is None:
        location = SuggestionLocation(community_id=community.id, name=name,
                                      token=secrets.token_urlsafe(16),
                                      created_at=utcnow() - timedelta(days=120))
        db.session.add(location)
        db.session.flush()
    return location


def _meeting(community, spec: dict, day: datetime) -> Meeting:
    """The bench meeting of that day at 19:00, found by its title or made."""
    title, place, _present = spec["meeting"]
    meeting = db.session.scalar(select(Meeting).where(Meeting.community_id == community.id,
                                                      Meeting.title == title))
    if meeting is None:
        tz = local_zone()
        starts = datetime.combine(day.astimezone(tz).date(), time(19, 0), tzinfo=tz)
        meeting = votes.create_meeting(community_id=community.id, title=title, place=place,
                                       starts_at=starts)
    return meeting


def _bring(suggestion: Suggestion, meeting: Meeting, spec: dict, at: datetime) -> None:
    """提交议事会, as staff do it in the console (the office, at that time)."""
    meetings.bring_to_meeting(suggestion, meeting, spec["title"],
                              meetings.offered_description(suggestion), actor=YONGHE_OFFICE,
                              now=at)


def _vote(suggestion: Suggestion, spec: dict) -> None:
    """The meeting: people present, a vote by hands, the close (the suggestion hears the
    result through votes.signals.poll_closed), the promises made on the spot."""
    item = suggestion.agenda_item
    meeting = item.meeting
    starts = meeting.starts_at
    votes.record_present_count(meeting, spec["meeting"][2], now=starts)
    opened = starts + timedelta(minutes=10)
    poll = votes.open_poll(item, votes.PollSpec(question=spec["question"], channels=(HAND,)),
                           now=opened)
    for option, hands in zip(poll.options, spec["hands"], strict=True):
        votes.set_hand_total(poll.id, option.id, hands, now=opened)
    votes.close_poll(poll.id, now=opened + timedelta(minutes=15))
    for who, what, due_days, done_days in spec["promises"]:
        commitment = votes.add_commitment(
            item, who=who, what=what, due_on=(starts + timedelta(days=due_days)).date().isoformat())
        if done_days is not None:
            votes.set_commitment_done(commitment, (starts + timedelta(days=done_days)).date())
    meeting.current_item = None


def seed_demo_suggestions() -> list[str]:
    now = utcnow()
    locations, added = {}, 0
    for slug, names in LOCATIONS.items():
        community = community_by_slug(slug)
        if community is None:
            continue
        locations[slug] = (community, [_location(community, name) for name in names])
    helpers = {s.username: s for s in db.session.scalars(
        select(Staff).where(Staff.username.in_(["zhuchi", "gege"])))}
    made = {}
    for key, slug, place, days_ago, category, text, contact, steps, rating in SUGGESTIONS:
        request_key = f"demo-suggestion-{key}"
        existing = db.session.scalar(select(Suggestion).where(
            Suggestion.request_key == request_key))
        if existing is not None or slug not in locations:
            made[key] = existing
            continue
        community, places = locations[slug]
        created = now - timedelta(days=days_ago, hours=3)
        staff = helpers.get("zhuchi") if slug == "shengli" else None
        suggestion = Suggestion(
            community_id=community.id, location_id=places[place].id if place is not None else None,
            code=new_code(), request_key=request_key, category=category, text=text,
            contact_name=contact[0], contact_phone=contact[1],
            source="phone" if place is not None else "kiosk", state=SUBMITTED,
            created_at=created, updated_at=created)
        if slug == "shengli" and key in ("sl-01", "sl-03") and "gege" in helpers:
            suggestion.assignee_id = helpers["gege"].id
        db.session.add(suggestion)
        db.session.flush()
        db.session.add(SuggestionEvent(suggestion_id=suggestion.id, at=created, kind="submitted",
                                       to_state=SUBMITTED, actor=suggestion.source))
        state = SUBMITTED
        for days_after, new_state, reply in steps:
            at = created + timedelta(days=days_after, hours=2)
            if new_state == BRING:
                vote_day = next(days for days, kind, _reply in steps if kind == VOTE)
                meeting = _meeting(community, AGENDA[key], created + timedelta(days=vote_day))
                _bring(suggestion, meeting, AGENDA[key], at)
            elif new_state == VOTE:
                _vote(suggestion, AGENDA[key])
            else:
                db.session.add(SuggestionEvent(
                    suggestion_id=suggestion.id, at=at, kind="state", from_state=state,
                    to_state=new_state, public_text=reply,
                    staff_id=staff.id if staff else None,
                    actor="" if staff else YONGHE_OFFICE))
                suggestion.state, suggestion.updated_at = new_state, at
            state = suggestion.state
        if rating is not None and state == RESOLVED:
            at = suggestion.updated_at + timedelta(days=2)
            suggestion.rating, suggestion.rating_comment, suggestion.rated_at = (*rating, at)
            db.session.add(SuggestionEvent(suggestion_id=suggestion.id, at=at, kind="rated",
                                           from_state=RESOLVED, to_state=RATED,
                                           public_text=rating[1], actor="resident"))
            suggestion.state, suggestion.updated_at = RATED, at
        made[key] = suggestion
        added += 1
    db.session.flush()
    for key, target_key in MERGES.items():
        duplicate, target = made.get(key), made.get(target_key)
        if duplicate is None or target is None or duplicate.state == MERGED:
            continue
        at = duplicate.created_at + timedelta(days=2)
        db.session.add(SuggestionEvent(suggestion_id=duplicate.id, at=at, kind="merged",
                                       from_state=duplicate.state, to_state=MERGED,
                                       actor=YONGHE_OFFICE))
        db.session.add(SuggestionEvent(suggestion_id=target.id, at=at, kind="merged_here",
                                       from_state=target.state, to_state=target.state,
                                       actor=YONGHE_OFFICE))
        duplicate.state, duplicate.merged_into_id = MERGED, target.id
    db.session.flush()
    kiosk_places = locations.get("shengli", (None, []))[1]
    lines = [f"百姓畅言亭: {added} 条建议 (新增)"]
    if kiosk_places:
        lines.append(f"  胜利社区二维码: /m/s/{kiosk_places[0].token}")
    return lines
