"""A TV whose browser has no EventSource (a cheap smart TV's) still follows the meeting: the
page asks every second instead (js/tv.js → …/state), and opens no event stream."""

from playwright.sync_api import expect

from muling_kiosk.extensions import db
from muling_kiosk.votes import services


def test_a_tv_without_event_source_follows_the_vote_by_asking(browser, live_server, make_poll):
    poll = make_poll(question="是否同意建充电棚？")
    token = poll.item.meeting.display_token
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 720})
    context.set_default_timeout(10_000)
    context.add_init_script("delete window.EventSource;")
    tv = context.new_page()
    asked = []
    tv.on("request", lambda request: asked.append(request.url))
    tv.goto(f"/vote/tv/{token}")
    expect(tv.locator(".tv-status")).to_contain_text("正在投票 · 已投 0 票")
    assert tv.evaluate("typeof window.EventSource") == "undefined"

    services.set_hand_total(poll.id, poll.options[0].id, 4)
    db.session.commit()
    expect(tv.locator(".tv-bar-row").first).to_contain_text("4 票 · 100%")
    services.set_hand_total(poll.id, poll.options[1].id, 4)
    db.session.commit()
    expect(tv.locator(".tv-bar-row").first).to_contain_text("4 票 · 50%")

    assert any(f"/vote/tv/{token}/state" in url for url in asked)
    assert not any("/events" in url for url in asked)
    context.close()
