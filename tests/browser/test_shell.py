"""The kiosk shell in Chromium: home, tiles, language, idle reset, read-aloud, large text,
double taps, network loss, status messages and error pages, at tablet and phone size."""

import re
import threading

import pytest
from flask import Blueprint, render_template_string, request
from playwright.sync_api import expect

from muling_kiosk.access import public

from .checks import assert_no_broken_words, check_screen, check_screen_fits, screenshot
from .conftest import KIOSK_VIEWS

PROBE_PAGE = """
{% extends "layouts/kiosk.html" %}
{% from "macros/ui.html" import post_form, field %}
{% block title %}Probe{% endblock %}
{% block main %}
<h1 data-speak>登记</h1>
<p class="instructions" data-speak>请写下您的名字。</p>
{% call post_form(url_for('probe.save'), target="#result", swap="innerHTML", request_key=True) %}
  {{ field("name", "名字") }}
  <button type="submit" class="btn btn-primary">保存</button>
{% endcall %}
<div id="result"></div>
{% endblock %}
"""
PROBE_RESULT = """
{% from "macros/ui.html" import status %}
<p>已保存 {{ count }} 次：{{ name }}</p>
{{ status("已保存") }}
"""


@pytest.fixture
def probe(app):
    """A tiny page built from the shell's own macros: a form that counts what reaches it."""
    bp = Blueprint("probe", __name__)
    saved = {"count": 0, "names": []}
    lock = threading.Lock()

    @bp.get("/probe")
    @public
    def form():
        return render_template_string(PROBE_PAGE)

    @bp.post("/probe")
    @public
    def save():
        with lock:
            saved["count"] += 1
            saved["names"].append(request.form.get("name", ""))
        return render_template_string(PROBE_RESULT, count=saved["count"],
                                      name=request.form.get("name", ""))

    app.register_blueprint(bp)
    return saved


def test_home_shows_three_giant_tiles_in_chinese(tablet):
    tablet.goto("/")
    expect(tablet.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(tablet.get_by_role("heading", level=1)).to_contain_text("欢迎")
    tiles = tablet.locator(".tile")
    expect(tiles).to_have_count(3)
    expect(tiles.nth(0)).to_contain_text("长者学堂报名")
    expect(tiles.nth(1)).to_contain_text("议事会投票")
    expect(tiles.nth(2)).to_contain_text("我有建议")
    expect(tablet.get_by_text("90 秒无操作后")).to_be_visible()
    for i in range(3):
        box = tiles.nth(i).bounding_box()
        assert box["width"] >= 300 and box["height"] >= 250
    check_screen_fits(tablet, "home-tablet")


def test_home_on_a_phone_fits_without_sideways_scrolling(phone, community):
    phone.goto("/")
    expect(phone.locator(".tile")).to_have_count(3)
    check_screen(phone, "home-phone")


def test_each_tile_leads_somewhere_with_a_way_home(tablet):
    tablet.goto("/")
    for label in ("长者学堂报名", "议事会投票", "我有建议"):
        tablet.get_by_role("link", name=re.compile(label)).click()
        expect(tablet.get_by_role("heading", level=1)).to_be_visible()
        check_screen(tablet, None)
        tablet.get_by_role("link", name="返回首页").first.click()
        expect(tablet).to_have_url(re.compile(r"/$"))


def test_language_switch_is_remembered_and_idle_reset_brings_chinese_back(tablet, probe):
    tablet.clock.install()
    tablet.goto("/")
    tablet.get_by_role("button", name="English").click()
    expect(tablet.locator("html")).to_have_attribute("lang", "en")
    expect(tablet.get_by_role("heading", level=1)).to_contain_text("Welcome")
    tablet.goto("/probe")  # another page: still English
    expect(tablet.get_by_role("button", name="中文")).to_be_visible()
    check_screen(tablet, None)
    tablet.clock.run_for("02:01")
    expect(tablet).to_have_url(re.compile(r"/$"))
    expect(tablet.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(tablet.get_by_role("button", name="English")).to_be_visible()


def test_idle_warning_extends_ten_times_then_clears_everything(tablet, probe):
    tablet.clock.install()
    tablet.goto("/probe")
    tablet.get_by_label("名字").fill("王秀英")
    dialog = tablet.get_by_role("alertdialog")
    expect(dialog).to_be_hidden()

    tablet.clock.run_for("01:29")
    expect(dialog).to_be_hidden()
    tablet.clock.run_for("00:02")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("还在使用吗")
    countdown = dialog.locator("[data-idle-countdown]")
    tablet.clock.run_for("00:05")
    expect(countdown).to_have_text(re.compile(r"^2[4-6]$"))
    check_screen(tablet, "idle-warning-tablet")

    for _ in range(10):
        dialog.get_by_role("button", name="继续使用").click()
        expect(dialog).to_be_hidden()
        expect(tablet.get_by_label("名字")).to_have_value("王秀英")
        tablet.clock.run_for("01:35")
        expect(dialog).to_be_visible()

    tablet.clock.run_for("00:30")
    expect(tablet).to_have_url(re.compile(r"/$"))
    expect(tablet.get_by_role("heading", level=1)).to_contain_text("欢迎")
    tablet.go_back()
    expect(tablet.get_by_label("名字")).to_have_value("")
    assert probe["count"] == 0


def test_idle_warning_on_a_phone_sized_screen(phone, probe):
    phone.clock.install()
    phone.goto("/probe")
    phone.clock.run_for("01:31")
    expect(phone.get_by_role("alertdialog")).to_be_visible()
    check_screen(phone, "idle-warning-phone")


def test_read_aloud_speaks_the_heading_and_instructions_only_after_a_tap(tablet, probe):
    tablet.add_init_script("""
      window.__spoken = [];
      const voice = {lang: 'zh-CN', name: 'Stub'};
      Object.defineProperty(window, 'speechSynthesis', {value: {
        getVoices: () => [voice],
        speak: (u) => window.__spoken.push({text: u.text, lang: u.lang, rate: u.rate}),
        cancel: () => {}, onvoiceschanged: null}});
      window.SpeechSynthesisUtterance = function (text) { this.text = text; };
    """)
    tablet.goto("/probe")
    button = tablet.get_by_role("button", name="朗读")
    expect(button).to_be_visible()
    assert tablet.evaluate("window.__spoken") == []
    button.click()
    spoken = tablet.evaluate("window.__spoken")
    assert len(spoken) == 1
    assert "登记" in spoken[0]["text"] and "请写下您的名字" in spoken[0]["text"]
    assert spoken[0]["lang"] == "zh-CN" and spoken[0]["rate"] < 1


def test_read_aloud_is_hidden_when_the_browser_has_no_voice(tablet):
    tablet.add_init_script("""
      Object.defineProperty(window, 'speechSynthesis', {value: {
        getVoices: () => [], speak: () => {}, cancel: () => {}, onvoiceschanged: null}});
    """)
    tablet.goto("/")
    expect(tablet.locator("[data-read-aloud]")).to_be_hidden()


def test_large_text_makes_everything_bigger_without_breaking_the_layout(tablet, probe):
    tablet.goto("/probe")
    tablet.get_by_label("名字").fill("李桂兰")
    heading = tablet.get_by_role("heading", level=1)
    size = "e => parseFloat(getComputedStyle(e).fontSize)"
    before = heading.evaluate(size)
    tablet.get_by_role("button", name="大字").click()
    after = heading.evaluate(size)
    assert after == pytest.approx(before * 1.25)
    expect(tablet.get_by_label("名字")).to_have_value("李桂兰")  # nothing typed is lost
    expect(tablet.get_by_role("button", name="大字")).to_have_attribute("aria-pressed", "true")
    check_screen(tablet, "large-text-tablet")
    tablet.goto("/")  # remembered on the next screen
    check_screen(tablet, None)
    assert tablet.evaluate("document.documentElement.classList.contains('large-text')")


def test_a_fast_double_tap_sends_one_request(tablet, probe):
    tablet.goto("/probe")
    tablet.get_by_label("名字").fill("张建国")
    tablet.get_by_role("button", name="保存").dblclick()
    expect(tablet.locator("#result")).to_contain_text("已保存 1 次")
    tablet.wait_for_timeout(300)
    assert probe["count"] == 1


def test_a_pressed_but_not_released_button_sends_nothing(tablet, probe):
    tablet.goto("/probe")
    box = tablet.get_by_role("button", name="保存").bounding_box()
    tablet.mouse.move(box["x"] + 10, box["y"] + 10)
    tablet.mouse.down()
    tablet.wait_for_timeout(300)
    assert probe["count"] == 0
    tablet.mouse.move(box["x"] + 10, box["y"] - 200)  # slide off, then release elsewhere
    tablet.mouse.up()
    tablet.wait_for_timeout(300)
    assert probe["count"] == 0


def test_status_region_is_there_at_load_and_speaks_after_each_action(tablet, probe):
    tablet.goto("/probe")
    status = tablet.get_by_role("status")
    expect(status).to_have_count(1)
    expect(status).to_have_text("")
    tablet.get_by_label("名字").fill("刘")
    tablet.get_by_role("button", name="保存").click()
    expect(status).to_have_text("已保存")


def test_lost_network_shows_a_banner_and_retry_keeps_what_was_typed(tablet, probe):
    tablet.goto("/probe")
    tablet.get_by_label("名字").fill("赵玉梅")
    tablet.route("**/probe", lambda route: route.abort()
                 if route.request.method == "POST" else route.continue_())
    tablet.get_by_role("button", name="保存").click()
    banner = tablet.locator("#network-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("网络连接中断，请稍后再试")
    expect(tablet.get_by_label("名字")).to_have_value("赵玉梅")
    screenshot(tablet, "network-lost-tablet")
    tablet.unroute("**/probe")
    banner.get_by_role("button", name="重试").click()
    expect(tablet.locator("#result")).to_contain_text("赵玉梅")
    expect(banner).to_be_hidden()
    assert probe["names"] == ["赵玉梅"]


@pytest.mark.parametrize("device", ["tablet", "phone"])
def test_error_page_is_big_and_has_a_way_back(request, device):
    page = request.getfixturevalue(device)
    response = page.goto("/no-such-page")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("找不到这个页面")
    check_screen(page, f"error-404-{device}")
    page.get_by_role("link", name="返回首页").last.click()
    expect(page).to_have_url(re.compile(r"/$"))


def test_the_home_screen_survives_320px_and_double_font_size(browser, live_server,
                                                            community):
    context = browser.new_context(base_url=live_server, viewport={"width": 320, "height": 640},
                                  has_touch=True, is_mobile=True)
    page = context.new_page()
    page.goto("/")
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    expect(page.locator(".tile").first).to_be_visible()
    context.close()


def test_english_at_320px_wraps_whole_words(browser, live_server, community):
    """"Welcome to the … neighbourhood station": no "neighbourho/od" on a small phone."""
    context = browser.new_context(base_url=live_server, viewport={"width": 320, "height": 640},
                                  has_touch=True, is_mobile=True, locale="en-US")
    page = context.new_page()
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("neighbourhood")
    check_screen(page, "home-320-en", kind="phone")
    assert_no_broken_words(page)
    context.close()


@pytest.mark.parametrize("view", [view for view in KIOSK_VIEWS if view != "tablet"])
def test_home_fits_the_tablet_upright_and_with_large_text(view, kiosk_view):
    page = kiosk_view(view)
    page.goto("/")
    expect(page.locator(".tile")).to_have_count(3)
    expect(page.get_by_text("90 秒无操作后")).to_be_visible()
    expect(page.get_by_role("link", name="工作人员")).to_be_visible()
    check_screen_fits(page, f"home-{view}")
