"""The TV display in Chromium: every state of a meeting fits one screen, never scrolled, at
1280×720, 1366×768, 1920×1080 and 3840×2160, in Chinese and in English (issue 11).

The TV's browser says en-US, as a TV bought in a shop does: the plain link still shows
Chinese, the link with ?lang=en shows English, also after each server-sent update. The data
changes through the services, as the facilitator's taps would change it; the TV follows by
itself. Screenshots: votes-tv-<state>-<width>x<height>-<zh|en>.
"""

import pytest
from playwright.sync_api import expect

from muling_kiosk.extensions import db
from muling_kiosk.votes import services
from muling_kiosk.votes.models import CHANNELS, PASS, PHONE

from . import checks
from .checks import check_screen

SIZES = [(1280, 720), (1366, 768), (1920, 1080), (3840, 2160)]
# The TV's own browser language: never the one it shows (that comes from the link).
TV_BROWSER_LOCALE = "en-US"

# What the meeting is about, in the language of the people who hold it.
DATA = {
    "zh": {
        "title": "楼院环境议事会", "place": "林荫廊道",
        "items": [
            ("电动车充电桩选址",
             "5号楼西侧空地可以建一个封闭式充电棚，约二十个车位，由物业公司负责施工和日常管理。"
             "请大家先听取方案说明，再讨论选址、收费标准和消防安全。"),
            ("楼道灯维修", ""),
            ("垃圾分类督导员人选", ""),
            ("公共绿地改造方案", ""),
            ("加装电梯费用分摊", ""),
        ],
        "question": "是否同意在5号楼西侧建电动车充电棚？",
        "secret_question": "是否同意由各楼栋长轮流担任垃圾分类督导员？",
        "many_question": "公共绿地改造选哪一个方案？",
        "options": ["保留草坪，增加十张长椅", "改建儿童游乐场和沙坑", "开辟由居民认领的小菜园",
                    "修建环形健身步道和单杠", "种植果树并建一座休息亭", "维持现状，暂时不改造"],
        "long_question": (
            "是否同意按楼层分摊加装电梯的费用：一层住户不分摊，二层分摊百分之五，三层百分之十，"
            "四层百分之十五，五层百分之二十，六层和七层各分摊百分之二十五，并由业主委员会在本月底前"
            "公示每户的分摊明细，接受全体居民的监督和质询；有异议的住户可以在公示期内提出复核，"
            "复核结果在下次议事会上公布，施工期间临时停水停电的时间另行通知到每一户居民，"
            "电梯建成后的维修保养费用也按同样的比例由各层住户分摊，每年公开一次账目？"),
    },
    "en": {
        "title": "Courtyard environment meeting", "place": "Shaded walkway",
        "items": [
            ("Where to put the e-bike chargers",
             "The empty ground west of building 5 could hold a closed charging shed with about "
             "twenty places, built and run by the property company. Please listen to the plan "
             "first, then we discuss the place, the fees and fire safety."),
            ("Repairing the stairwell lights", ""),
            ("Who supervises waste sorting", ""),
            ("Redesigning the shared green", ""),
            ("Sharing the cost of new lifts", ""),
        ],
        "question": "Do you agree to build an e-bike charging shed west of building 5?",
        "secret_question": "Do you agree that the building heads take turns supervising waste sorting?",
        "many_question": "Which plan for the shared green do you prefer?",
        "options": ["Keep the lawn and add ten benches", "A playground with a sandpit",
                    "Vegetable plots for residents", "A fitness trail with pull-up bars",
                    "Fruit trees and a shelter to rest", "Leave it as it is for now"],
        "long_question": (
            "Do you agree to share the cost of the new lifts by floor: none on the ground "
            "floor, 5% on the first, 10% on the second, 15% on the third, 20% on the fourth, "
            "25% on the fifth and sixth?"),
    },
}

# What the TV says around the data, in its language.
SAYS = {
    "zh": {"lang": "zh-Hans", "soon": "议事会马上开始。", "item": "议题 1：", "voting": "正在投票",
           "cast": "已投 {} 票", "scan": "用手机扫码投票", "passed": "通过", "in_all": "共 {} 票",
           "votes": "{} 票 · {}%"},
    "en": {"lang": "en", "soon": "The meeting will begin shortly.", "item": "Item 1: ",
           "voting": "Voting now", "cast": "{} ballots cast", "scan": "Scan to vote on your phone",
           "passed": "Passed", "in_all": "{} ballots in all", "votes": "{} votes · {}%"},
}


def commit():
    db.session.commit()


def measure(tv) -> dict:
    """The boxes the checks below need, and every list of bars with its progress values."""
    return tv.evaluate("""() => {
      const box = (el) => { if (!el) return null; const r = el.getBoundingClientRect();
        return {x: r.left, y: r.top, w: r.width, h: r.height}; };
      return {
        width: innerWidth, height: innerHeight,
        scroll: document.documentElement.scrollHeight - innerHeight,
        question: box(document.querySelector('.tv-question')),
        qr: box(document.querySelector('.tv-qr svg')),
        bars: [...document.querySelectorAll('.tv-bars')].map((list) =>
          [...list.querySelectorAll('progress')].map((bar) => ({
            value: bar.value, max: bar.max, ...box(bar)}))),
        animations: document.getAnimations().length,
        live: document.querySelectorAll(
          '#tv-live [aria-live], #tv-live [role=status], #tv-live [role=alert], #tv-live [role=log]').length,
      };
    }""")


def assert_fits(tv, name: str) -> dict:
    """The layout and accessibility checks, the screenshot, and what the TV must be: no
    scroll, the question at least half the screen wide, no animation, no live region."""
    check_screen(tv, name, kind="tv")
    seen = measure(tv)
    assert seen["scroll"] <= 0, f"{name}: the page scrolls by {seen['scroll']}px"
    assert seen["question"]["w"] >= seen["width"] / 2, f"{name}: question {seen['question']}"
    assert seen["animations"] == 0 and seen["live"] == 0, name
    return seen


def assert_qr_scannable(seen: dict, name: str) -> None:
    """From three metres: the phone QR at least a quarter of the screen's height."""
    assert seen["qr"] is not None, f"{name}: no QR"
    assert seen["qr"]["h"] >= 0.25 * seen["height"], f"{name}: QR {seen['qr']} too small"


def assert_bars(seen: dict, counts: list[int], of: int, name: str) -> None:
    """Each bar says its count out of `of`; all are as long, so the filled parts are
    proportional to the counts; and they are big: a fifth of the screen wide at least."""
    assert len(seen["bars"]) == 1, name
    bars = seen["bars"][0]
    assert [b["value"] for b in bars] == counts, name
    assert {b["max"] for b in bars} == {of or 1}, name
    widths = [b["w"] for b in bars]
    assert max(widths) - min(widths) < 1, f"{name}: bars of different lengths {widths}"
    assert min(widths) >= seen["width"] / 5, f"{name}: bars too short {widths}"
    assert min(b["h"] for b in bars) >= 0.03 * seen["height"], f"{name}: bars too thin"
    filled = [b["w"] * b["value"] / b["max"] for b in bars]
    for count, part in zip(counts, filled, strict=True):
        assert abs(part - widths[0] * count / (of or 1)) < 1, name


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_every_state_of_the_tv_fits_one_screen(browser, live_server, make_meeting, size, lang):
    data, says = DATA[lang], SAYS[lang]
    width, height = size
    meeting = make_meeting(title=data["title"], place=data["place"], items=())
    for title, description in data["items"]:
        services.add_agenda_item(meeting, title, description)
    commit()
    items = meeting.items

    def shot(state: str) -> str:
        return f"votes-tv-{state}-{width}x{height}-{lang}"

    context = browser.new_context(base_url=live_server, locale=TV_BROWSER_LOCALE,
                                  viewport={"width": width, "height": height})
    context.set_default_timeout(10_000)
    tv = context.new_page()
    tv.goto(f"/vote/tv/{meeting.display_token}" + ("?lang=en" if lang == "en" else ""))
    expect(tv.locator("html")).to_have_attribute("lang", says["lang"])

    # Before the meeting: its title, when and where.
    expect(tv.locator(".tv-question")).to_have_text(data["title"])
    expect(tv.get_by_text(says["soon"])).to_be_visible()
    assert_fits(tv, shot("waiting"))

    # An item with its description, then one without: the TV follows by itself.
    services.show_item(meeting, items[0])
    commit()
    expect(tv.locator(".tv-item")).to_have_text(says["item"] + data["items"][0][0])
    expect(tv.locator(".tv-description")).to_have_text(data["items"][0][1])
    assert_fits(tv, shot("item"))
    services.show_item(meeting, items[1])
    commit()
    expect(tv.locator(".tv-question")).to_have_text(data["items"][1][0])
    expect(tv.locator(".tv-description")).to_have_count(0)
    assert_fits(tv, shot("item-plain"))

    # Voting open on every channel: hands counted live, the secret ballots only counted, the
    # phone QR large.
    poll = services.open_poll(items[0], services.PollSpec(question=data["question"],
                                                          channels=CHANNELS))
    yes, no, abstain = (option.id for option in poll.options)
    services.set_hand_total(poll.id, yes, 12)
    services.set_hand_total(poll.id, no, 5)
    services.set_hand_total(poll.id, abstain, 3)
    for n in range(3):
        services.cast_ballot(poll.id, yes, PASS)
        services.cast_ballot(poll.id, no, PHONE, device_id=f"tv-test-phone-{n}-0123456789")
    commit()
    expect(tv.locator(".tv-status")).to_contain_text(says["voting"])
    expect(tv.locator(".tv-status")).to_contain_text(says["cast"].format(26))
    expect(tv.get_by_text(says["scan"])).to_be_visible()
    expect(tv.locator(".tv-bar-row").first).to_contain_text(says["votes"].format(12, 60))
    seen = assert_fits(tv, shot("open"))
    assert_qr_scannable(seen, "open")
    assert_bars(seen, [12, 5, 3], 20, "open")

    # The close: every option with its total, and the totals line.
    services.close_poll(poll.id)
    commit()
    expect(tv.locator(".tv-result")).to_have_text(says["passed"])
    expect(tv.locator(".tv-status")).to_contain_text(says["in_all"].format(26))
    expect(tv.get_by_text(says["scan"])).to_have_count(0)
    seen = assert_fits(tv, shot("result"))
    assert_bars(seen, [15, 8, 3], 26, "result")

    # Secret channels only: no bars until the close, the QR as large.
    poll = services.open_poll(items[2], services.PollSpec(question=data["secret_question"],
                                                          channels=(PASS, PHONE)))
    for n in range(4):
        services.cast_ballot(poll.id, poll.options[n % 2].id, PASS)
    commit()
    expect(tv.locator(".tv-question")).to_have_text(data["secret_question"])
    expect(tv.locator(".tv-status")).to_contain_text(says["cast"].format(4))
    seen = assert_fits(tv, shot("open-secret"))
    assert_qr_scannable(seen, "open-secret")
    assert seen["bars"] == []
    services.close_poll(poll.id)
    commit()

    # Six options of the neighbours' own, with long labels.
    poll = services.open_poll(items[3], services.PollSpec(
        question=data["many_question"], custom=True, options=data["options"],
        channels=CHANNELS))
    hands = [9, 4, 7, 2, 5, 1]
    for option, count in zip(poll.options, hands, strict=True):
        services.set_hand_total(poll.id, option.id, count)
    for n in range(5):
        services.cast_ballot(poll.id, poll.options[0].id, PHONE,
                             device_id=f"tv-test-many-{n}-0123456789")
    commit()
    expect(tv.locator(".tv-question")).to_have_text(data["many_question"])
    expect(tv.locator(".tv-bar-row")).to_have_count(6)
    expect(tv.locator(".tv-status")).to_contain_text(says["cast"].format(33))
    seen = assert_fits(tv, shot("open-many"))
    assert_qr_scannable(seen, "open-many")
    assert_bars(seen, hands, 28, "open-many")
    services.close_poll(poll.id)
    commit()
    expect(tv.locator(".tv-result")).to_contain_text(says["passed"])
    expect(tv.locator(".tv-status")).to_contain_text(says["in_all"].format(33))
    seen = assert_fits(tv, shot("result-many"))
    assert_bars(seen, [14, 4, 7, 2, 5, 1], 33, "result-many")

    # The longest question there is room for: it wraps, in full.
    poll = services.open_poll(items[4], services.PollSpec(question=data["long_question"],
                                                          channels=CHANNELS))
    services.set_hand_total(poll.id, poll.options[0].id, 7)
    commit()
    expect(tv.locator(".tv-question")).to_have_text(data["long_question"])
    seen = assert_fits(tv, shot("open-long"))
    assert_qr_scannable(seen, "open-long")
    assert_bars(seen, [7, 0, 0], 7, "open-long")
    expect(tv.locator("html")).to_have_attribute("lang", says["lang"])  # still, after updates
    context.close()


def test_the_tv_speaks_chinese_whatever_its_browser_says(browser, live_server, make_poll):
    """A TV whose browser asks for English shows Chinese on the plain link; the English link
    shows English, and the stream keeps it English after an update."""
    poll = make_poll(question="是否同意建充电棚？")
    token = poll.item.meeting.display_token
    context = browser.new_context(base_url=live_server, locale="en-US",
                                  viewport={"width": 1280, "height": 720})
    context.set_default_timeout(10_000)
    plain, english = context.new_page(), context.new_page()
    plain.goto(f"/vote/tv/{token}")
    english.goto(f"/vote/tv/{token}?lang=en")
    expect(plain.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(plain.locator(".tv-status")).to_contain_text("正在投票 · 已投 0 票")
    expect(english.locator("html")).to_have_attribute("lang", "en")
    expect(english.locator(".tv-status")).to_contain_text("Voting now · 0 ballots cast")
    services.set_hand_total(poll.id, poll.options[0].id, 4)
    commit()
    expect(plain.locator(".tv-bar-row").first).to_contain_text("赞成")
    expect(plain.locator(".tv-bar-row").first).to_contain_text("4 票 · 100%")
    expect(english.locator(".tv-bar-row").first).to_contain_text("Yes")
    expect(english.locator(".tv-bar-row").first).to_contain_text("4 votes · 100%")
    expect(english.get_by_text("Scan to vote on your phone")).to_be_visible()
    context.close()


# Each reproduces a way the TV broke before (issue 11): the layout check must catch it.
BREAKS = {
    # The nested two-column grid: the question squeezed into a 0 px column.
    "question-squeezed": ".tv-question { width: 0; }",
    # The old .tv-body inside .tv-body: a two-column grid where the header took the narrow
    # column and the bars and the QR fell far below the screen.
    "nested-grid": (".tv-body { display: grid !important; grid-template-columns: minmax(0, 1fr)"
                    " auto !important; height: auto !important; }"
                    " .tv-top, .tv-main, .tv-qr { grid-column: auto !important;"
                    " grid-row: auto !important; }"
                    " .tv-main { width: 60rem; }"),
    # The rows after the close pushed below the bottom edge.
    "below-the-fold": ".tv-body { height: auto !important; } .tv-bar { height: 30vh !important; }",
}


@pytest.mark.parametrize("css", BREAKS.values(), ids=list(BREAKS))
def test_a_broken_tv_layout_fails_the_check(browser, live_server, make_poll, monkeypatch, css):
    poll = make_poll(question="是否同意建充电棚？")
    services.set_hand_total(poll.id, poll.options[0].id, 4)
    commit()
    # bypass_csp: the test's own style rule is inline, which the app's CSP rightly refuses.
    context = browser.new_context(base_url=live_server, locale="zh-CN", bypass_csp=True,
                                  viewport={"width": 1280, "height": 720})
    context.set_default_timeout(10_000)
    tv = context.new_page()
    tv.goto(f"/vote/tv/{poll.item.meeting.display_token}")
    expect(tv.locator(".tv-bar-row").first).to_contain_text("4 票 · 100%")
    monkeypatch.setattr(checks, "LAYOUT_REPORT", None)  # fail here, whatever the environment
    checks.settle(tv)
    checks.assert_layout(tv, no_fold=True)  # as it is: fits
    tv.add_style_tag(content=css)
    with pytest.raises(AssertionError, match=r"outside the|squeezed into a column"):
        checks.assert_layout(tv, no_fold=True)
    context.close()


def test_the_longest_description_never_scrolls_the_tv(browser, live_server, make_meeting):
    """A description may be 1,000 characters: what the screen cannot hold is cut at the
    bottom, the title and everything else stay on the screen."""
    meeting = make_meeting(items=())
    services.add_agenda_item(meeting, "电动车充电桩选址", "充电棚的选址、收费和消防安全。" * 66)
    commit()
    services.show_item(meeting, meeting.items[0])
    commit()
    context = browser.new_context(base_url=live_server, locale=TV_BROWSER_LOCALE,
                                  viewport={"width": 1280, "height": 720})
    tv = context.new_page()
    tv.goto(f"/vote/tv/{meeting.display_token}")
    expect(tv.locator(".tv-question")).to_have_text("电动车充电桩选址")
    check_screen(tv, "votes-tv-item-longest-1280x720-zh", kind="tv")
    seen = measure(tv)
    assert seen["scroll"] <= 0
    context.close()


def test_a_tv_beyond_the_stream_cap_still_follows_the_meeting(browser, live_server, app,
                                                               make_poll, displays):
    """The meeting already has as many open streams as its cap allows (votes/live.py): the
    TV's stream is answered at once with the display and `retry: 5000`; its browser asks
    again 5 s later and shows the change then."""
    app.config["TV_STREAMS_PER_MEETING"] = 1
    poll = make_poll(question="是否同意建充电棚？")
    token = poll.item.meeting.display_token
    assert displays(live_server, token, address="127.0.0.2").is_open  # the one allowed
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 720})
    tv = context.new_page()
    refused = []
    tv.on("response", lambda answer: refused.append(answer.url) if "/events" in answer.url
          else None)
    tv.goto(f"/vote/tv/{token}")
    expect(tv.locator(".tv-status")).to_contain_text("正在投票 · 已投 0 票")
    services.set_hand_total(poll.id, poll.options[0].id, 4)
    commit()
    expect(tv.locator(".tv-bar-row").first).to_contain_text("4 票 · 100%", timeout=12_000)
    assert len(refused) >= 2  # it asked again rather than holding a stream
    context.close()
