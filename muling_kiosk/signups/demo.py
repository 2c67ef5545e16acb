"""Demo data of 长者学堂: a current term at two stations — 胜利社区's 睦邻驿站 in 上河东区 and
南环社区's 实成·幸福里党群活动服务站 — with weekly sessions around today, some full with people
waiting, and attendance for the sessions already held. Idempotent: a course that exists is
left alone, so running it again changes nothing."""

import random
from datetime import date, time, timedelta

from sqlalchemy import select

from ..communities.services import community_by_slug
from ..database import utcnow
from ..extensions import db
from .models import CANCELLED, CONFIRMED, OPEN, WAITING, ClassSession, Course, Signup
from .services import local_datetime, local_day

STATION = "睦邻驿站 活动室（上河东区）"
PAVILION = "上河东区 小区广场凉亭"
SHICHENG = "实成·幸福里党群活动服务站 多功能厅"

# slug → courses: title, teacher, place, category, capacity, description,
#                 [(weekday 0=Mon, hour, minute, minutes)], how full (0–1)
COURSES = {
    "shengli": [
        ("智能手机入门", "李文静（社区志愿者）", STATION, "phone", 12,
         "学会用微信视频、看健康码、用手机付款。请带上自己的手机。", [(1, 9, 0, 90)], 1.3),
        ("书法", "王德明", STATION, "calligraphy", 15,
         "从楷书基本笔画练起，笔墨纸砚驿站都有。", [(3, 15, 0, 90)], 0.7),
        ("太极拳", "刘建国", PAVILION, "taichi", 20,
         "二十四式太极拳，动作慢，适合初学。下雨天改在驿站活动室。",
         [(0, 8, 0, 60), (2, 8, 0, 60), (4, 8, 0, 60)], 0.6),
        ("健康讲座", "社区卫生服务站 陈医生", STATION, "health", 30,
         "高血压、糖尿病的日常管理，讲座后可免费量血压。", [(4, 9, 30, 60)], 0.5),
        ("合唱", "赵玉梅", STATION, "choir", 25, "唱经典老歌，不识谱也能学。",
         [(5, 9, 0, 90)], 0.8),
        ("剪纸", "马秀兰", "睦邻驿站 手工角（上河东区）", "papercut", 10,
         "剪窗花、剪福字，剪刀和红纸驿站准备。", [(0, 15, 0, 90)], 1.2),
    ],
    "nanhuan": [
        ("智能手机入门", "杨志强（大学生志愿者）", SHICHENG, "phone", 12,
         "手把手教用微信、拍照、视频通话。", [(3, 9, 0, 90)], 1.2),
        ("健康讲座", "南环社区卫生服务站 周医生", SHICHENG, "health", 30,
         "秋冬季常见病预防，讲座后免费测血糖。", [(2, 15, 0, 60)], 0.6),
        ("合唱", "黄丽华", SHICHENG, "choir", 20, "每周一次，欢迎爱唱歌的邻居。",
         [(1, 15, 0, 90)], 0.7),
        ("书法", "吴振华", SHICHENG, "calligraphy", 12, "硬笔、毛笔都可以。",
         [(5, 15, 0, 90)], 0.9),
    ],
}

SURNAMES = "王李张刘陈杨赵黄周吴徐朱胡郭何高林罗郑梁宋谢韩唐冯董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"  # noqa: E501
GIVEN = ["秀英", "桂兰", "玉珍", "淑芬", "凤英", "建华", "德胜", "秀珍", "桂英", "玉兰", "国强",
         "秀云", "明华", "丽珍", "志刚", "淑珍", "玉梅", "建国", "秀兰", "永福", "凤兰", "春梅",
         "金花", "宝华", "文斌", "翠英", "振国", "素芳", "桂珍", "玉凤", "德明", "淑华", "长海"]
# Persons named in the seed report: never used, even by chance.
REAL_NAMES = {"王治清", "李长发", "马桂芳", "张芳", "孙楠", "徐晓斌", "李娟", "刘莉", "李夏音"}
WEEKS_BEFORE, WEEKS_AFTER = 3, 4


def _residents(slug: str, count: int = 60) -> list[tuple[str, str]]:
    rng = random.Random(f"residents-{slug}")  # noqa: S311 (demo data, repeatable)
    people, names = [], set()
    while len(people) < count:
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        if name in names or name in REAL_NAMES:
            continue
        names.add(name)
        prefix = rng.choice(["138", "139", "135", "150", "186", "133", "152", "177"])
        people.append((name, prefix + f"{rng.randrange(10**8):08d}"))
    return people


def _dates(weekday: int, today: date) -> list[date]:
    this_week = today - timedelta(days=today.weekday()) + timedelta(days=weekday)
    return [this_week + timedelta(weeks=w) for w in range(-WEEKS_BEFORE, WEEKS_AFTER + 1)]


def _seed_course(community, spec, residents, now) -> tuple[int, int]:
    title, teacher, place, category, capacity, description, schedule, fullness = spec
    course = Course(community_id=community.id, title=title, teacher=teacher, place=place,
                    category=category, capacity=capacity, description=description,
                    created_at=now - timedelta(weeks=WEEKS_BEFORE + 1))
    db.session.add(course)
    today = local_day(now)
    sessions = []
    for weekday, hour, minute, minutes in schedule:
        for day in _dates(weekday, today):
            starts_at = local_datetime(day, time(hour, minute))
            sessions.append(ClassSession(
                course=course, community_id=community.id, starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=minutes), capacity=capacity, status=OPEN,
                created_at=course.created_at))
    sessions.sort(key=lambda s: s.starts_at)
    db.session.add_all(sessions)
    db.session.flush()
    rng = random.Random(f"{community.slug}-{title}")  # noqa: S311 (demo data, repeatable)
    signups = 0
    for session in sessions:
        weeks_away = (session.starts_at - now).days // 7
        if weeks_away >= 3:
            share = fullness * 0.25
        elif weeks_away >= 2:
            share = fullness * 0.5
        else:
            share = fullness
        if title == "书法" and community.slug == "shengli" and weeks_away == 2:
            session.status = CANCELLED
            session.cancel_reason = "王老师外出参加书法展，停课一次"
            session.cancelled_at = now - timedelta(days=1)
        wanted = min(len(residents), round(capacity * share * rng.uniform(0.85, 1.05)))
        if session.starts_at <= now:  # nobody waits any more for a class that was held
            wanted = min(wanted, capacity)
        held = session.starts_at <= now
        opened = session.starts_at - timedelta(days=7 + rng.randrange(4))
        for order, (name, phone) in enumerate(rng.sample(residents, wanted)):
            status = CONFIRMED if order < capacity else WAITING
            signup = Signup(
                session=session, name=name, phone=phone, status=status,
                created_at=min(now, opened + timedelta(minutes=37 * order + rng.randrange(30))),
                request_key=f"demo-{session.id}-{order}")
            if held and status == CONFIRMED and rng.random() < 0.85:
                signup.attended_at = session.starts_at - timedelta(minutes=rng.randrange(15))
            db.session.add(signup)
            signups += 1
    return len(sessions), signups


def _fill_soonest(community, residents, now, count: int = 2) -> None:
    """Whatever the weekday, the next classes after today are full with people waiting, so
    the kiosk shows "已满 · 可排队候补" this week."""
    tomorrow = local_datetime(local_day(now) + timedelta(days=1), time.min)
    soonest = db.session.scalars(
        select(ClassSession).where(ClassSession.community_id == community.id,
                                   ClassSession.status == OPEN,
                                   ClassSession.starts_at >= tomorrow)
        .order_by(ClassSession.starts_at).limit(count))
    for session in soonest:
        taken = {s.phone for s in session.signups}
        free = [p for p in residents if p[1] not in taken]
        confirmed = sum(1 for s in session.signups if s.status == CONFIRMED)
        extra = session.capacity - confirmed + 2 + session.id % 2
        for order, (name, phone) in enumerate(free[:extra]):
            db.session.add(Signup(
                session=session, name=name, phone=phone,
                status=CONFIRMED if confirmed + order < session.capacity else WAITING,
                created_at=now - timedelta(hours=extra - order),
                request_key=f"demo-{session.id}-fill-{order}"))
    db.session.flush()


def seed_demo_signups() -> list[str]:
    now = utcnow()
    lines = []
    for slug, specs in COURSES.items():
        community = community_by_slug(slug)
        if community is None:
            continue
        residents = _residents(slug)
        added = []
        for spec in specs:
            exists = db.session.scalar(select(Course.id).where(
                Course.community_id == community.id, Course.title == spec[0]))
            if exists is None:
                added.append((spec[0], *_seed_course(community, spec, residents, now)))
        db.session.flush()
        if added:
            _fill_soonest(community, residents, now)
            total_sessions = sum(a[1] for a in added)
            total_signups = sum(a[2] for a in added)
            lines.append(f"长者学堂 {community.name}: {len(added)} 门课, {total_sessions} 节, "
                         f"{total_signups} 人次报名")
    return lines or ["长者学堂: 演示课程已存在"]
