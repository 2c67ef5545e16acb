"""Demo data of the votes feature (idempotent): past bench meetings of 建设社区 with their
decisions and promises, one of 胜利社区 (the demo kiosk's community), and one upcoming meeting
in each, ready to run. Dates are relative to today; a meeting is recognised by its title."""

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from ..communities.services import community_by_slug
from ..extensions import db
from ..i18n import local_zone
from ..staff.models import Staff
from . import services
from .models import HAND, MAJORITY, PASS, PHONE, QUORUM_PRESENT, TWO_THIRDS, YES_OVER_NO, Meeting

# A past poll: question, custom options or None (赞成/反对/弃权), rule, quorum,
# hands per option, tablet ballots per option, phone ballots per option.
PAST = {
    "jianshe": [
        {
            "title": "停车秩序议事会", "place": "文化广场", "days": -42, "at": time(19, 0),
            "present": 38,
            "items": [
                {"title": "车辆乱停乱放",
                 "description": "3号楼和5号楼之间的通道晚上停满私家车，消防车进不来，"
                                "老人出行也不方便。",
                 "poll": ("选哪个停车方案？",
                          ["方案一：北侧空地划车位", "方案二：错时共享单位车位",
                           "方案三：维持现状"],
                          MAJORITY, None, [19, 9, 4], [0, 0, 0], [3, 2, 1]),
                 "promises": [("物业公司", "在北侧空地划出24个车位，通道刷黄线禁停", 14, 12),
                              ("楼栋长", "逐户通知3号楼、5号楼住户按车位停车", 7, 5)]},
                {"title": "电动车飞线充电",
                 "description": "有住户从楼上拉线给电动车充电，存在火灾隐患。",
                 "poll": ("是否同意在5号楼西侧建集中充电棚？", None, YES_OVER_NO, None,
                          [30, 5, 3], [0, 0, 0], [0, 0, 0]),
                 "promises": [("社区", "联系供电所和物业，完成充电棚报装", 30, 37)]},
            ],
        },
        {
            "title": "公共绿地与物业管理议事会", "place": "林荫廊道", "days": -20,
            "at": time(9, 30),
            "present": 33,
            "items": [
                {"title": "公共绿地种菜",
                 "description": "7号楼前的公共绿地被个别住户开垦种菜，影响环境，也引起邻里矛盾。",
                 "poll": ("是否同意清理绿地上的菜地、恢复草坪，另在东南角设共享小菜园？", None,
                          TWO_THIRDS, (QUORUM_PRESENT, 30), [21, 4, 2], [3, 0, 1], [0, 0, 0]),
                 "promises": [("单元长", "上门劝导种菜的住户，两周内自行收菜", 14, 10),
                              ("社区", "联系园林站补种草坪，划出共享小菜园", 45, None)]},
                {"title": "物业管理",
                 "description": "居民反映物业费收支不透明，希望定期公开。",
                 "poll": ("是否同意要求物业每季度在公告栏公示收支？", None, YES_OVER_NO, None,
                          [16, 2, 1], [12, 1, 0], [0, 0, 0]),
                 "promises": [("物业公司", "每季度第一周在各楼公告栏公示收支明细", 30, None)]},
                {"title": "廊道加装围栏",
                 "description": "有居民提议在林荫廊道两侧加装铁艺围栏。",
                 "poll": ("是否同意在林荫廊道两侧加装铁艺围栏？", None, MAJORITY, None,
                          [12, 15, 6], [0, 0, 0], [0, 0, 0]),
                 "promises": []},
            ],
        },
    ],
    "shengli": [
        {
            "title": "加装电梯议事会", "place": "文化广场", "days": -14, "at": time(19, 0),
            "present": 29,
            "items": [
                {"title": "2号楼加装电梯",
                 "description": "2号楼多位高龄老人上下楼困难，部分住户提出加装电梯。",
                 "poll": ("是否同意2号楼申请加装电梯？", None, TWO_THIRDS, None,
                          [17, 5, 2], [2, 1, 0], [1, 0, 0]),
                 "promises": [("社区", "协助2号楼居民准备加装电梯申请材料", 21, None),
                              ("楼栋长", "逐户征求2号楼一层住户意见", 7, 6)]},
            ],
        },
    ],
}

UPCOMING = {
    "jianshe": {"title": "垃圾分类与楼道清理议事会", "place": "文化广场", "days": 5,
                "at": time(19, 0),
                "items": [("楼道堆物清理", "楼道里堆放杂物，挡住消防通道。"),
                          ("垃圾分类投放点调整", "现有投放点离9号楼太远，居民建议调整位置。")]},
    "shengli": {"title": "楼院环境议事会", "place": "林荫廊道", "days": 1, "at": time(19, 0),
                "items": [("电动车充电桩选址", "在小区哪里建充电桩，大家一起定。"),
                          ("小区门口早餐摊点管理", "早上摊点占道，老人和孩子出门不方便。"),
                          ("楼道灯维修", "1号楼、4号楼有几层楼道灯不亮。")]},
}


def _local(days: int, at: time) -> datetime:
    tz = local_zone()
    today = datetime.now(tz).date()
    return datetime.combine(today + timedelta(days=days), at, tzinfo=tz)


def _exists(community, title: str) -> bool:
    return db.session.scalar(select(Meeting.id).where(Meeting.community_id == community.id,
                                                      Meeting.title == title)) is not None


def _facilitator(community):
    return db.session.scalar(select(Staff).where(Staff.community_id == community.id,
                                                 Staff.role == "facilitator").limit(1))


def _past_meeting(community, spec: dict) -> None:
    starts = _local(spec["days"], spec["at"])
    actor = _facilitator(community)
    meeting = services.create_meeting(community_id=community.id, title=spec["title"],
                                      place=spec["place"], starts_at=starts, actor=actor)
    services.record_present_count(meeting, spec["present"], actor=actor, now=starts)
    for number, item_spec in enumerate(spec["items"]):
        item = services.add_agenda_item(meeting, item_spec["title"], item_spec["description"],
                                        actor=actor)
        opened = starts + timedelta(minutes=10 + 20 * number)
        question, options, rule, quorum, hands, tablet, phones = item_spec["poll"]
        quorum_kind, quorum_value = quorum or ("none", "")
        channels = tuple(c for c, counts in ((HAND, hands), (PASS, tablet), (PHONE, phones))
                         if any(counts)) or (HAND,)
        poll = services.open_poll(item, services.PollSpec(
            question=question, custom=options is not None, options=options or [], rule=rule,
            quorum_kind=quorum_kind, quorum_value=str(quorum_value), channels=channels),
            actor=actor, now=opened)
        for option, hand, by_tablet, by_phone in zip(poll.options, hands, tablet, phones,
                                                     strict=True):
            if hand:
                services.set_hand_total(poll.id, option.id, hand, actor=actor, now=opened)
            for _ in range(by_tablet):
                services.cast_ballot(poll.id, option.id, PASS, now=opened)
            for n in range(by_phone):
                services.cast_ballot(poll.id, option.id, PHONE, now=opened,
                                     device_id=f"demo-phone-{poll.id}-{option.id}-{n}")
        services.close_poll(poll.id, actor=actor, now=opened + timedelta(minutes=15))
        for who, what, due_days, done_days in item_spec["promises"]:
            due = (starts + timedelta(days=due_days)).date()
            commitment = services.add_commitment(item, who=who, what=what,
                                                 due_on=due.isoformat(), actor=actor)
            if done_days is not None:
                done: date = (starts + timedelta(days=done_days)).date()
                services.set_commitment_done(commitment, done, actor=actor)
    meeting.current_item = None


def _upcoming_meeting(community, spec: dict) -> None:
    actor = _facilitator(community)
    meeting = services.create_meeting(community_id=community.id, title=spec["title"],
                                      place=spec["place"],
                                      starts_at=_local(spec["days"], spec["at"]), actor=actor)
    for title, description in spec["items"]:
        services.add_agenda_item(meeting, title, description, actor=actor)


def seed_demo_votes() -> list[str]:
    added = []
    for slug, meetings in PAST.items():
        community = community_by_slug(slug)
        if community is None:
            continue
        for spec in meetings:
            if not _exists(community, spec["title"]):
                _past_meeting(community, spec)
                added.append(f"{community.name} {spec['title']}")
    for slug, spec in UPCOMING.items():
        community = community_by_slug(slug)
        if community is not None and not _exists(community, spec["title"]):
            _upcoming_meeting(community, spec)
            added.append(f"{community.name} {spec['title']}")
    db.session.flush()
    return ["议事会: " + ("、".join(added) if added else "已有，未改动")]
