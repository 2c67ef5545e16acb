"""How the TV follows the meeting: the version watcher, the single-flight render cache and
the server-sent event stream, over real HTTP."""

import re
import threading
import time

import requests
from sqlalchemy import update

from muling_kiosk.extensions import db
from muling_kiosk.votes import live, services
from muling_kiosk.votes.models import Meeting

VERSION = re.compile(r'data-version="(\d+)"')


def test_the_render_cache_renders_once_for_many_waiting_displays():
    cache = live.RenderCache()
    calls = []

    def slow_render():
        calls.append(1)
        time.sleep(0.2)
        return "<div>display</div>"

    answers = []
    threads = [threading.Thread(target=lambda: answers.append(
        cache.get_or_render(("token", 7, "zh"), slow_render))) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert calls == [1]
    assert answers == ["<div>display</div>"] * 20


def test_the_watcher_wakes_a_waiting_display_when_the_version_moves(app, make_poll):
    meeting = make_poll().item.meeting
    token, version = meeting.display_token, meeting.version
    watcher = live.VersionWatcher(db.engine)
    seen = []
    waiting = threading.Thread(target=lambda: seen.append(watcher.wait(token, version, 10)))
    started = time.monotonic()
    waiting.start()
    time.sleep(0.3)
    db.session.execute(update(Meeting).where(Meeting.id == meeting.id)
                       .values(version=Meeting.version + 1))
    db.session.commit()
    waiting.join(timeout=10)
    watcher.stop()
    assert seen == [version + 1]
    assert time.monotonic() - started < 2


def test_the_watcher_answers_at_once_for_a_display_that_is_behind(app, make_poll):
    meeting = make_poll().item.meeting
    watcher = live.VersionWatcher(db.engine)
    watcher.versions[meeting.display_token] = meeting.version + 3
    assert watcher.wait(meeting.display_token, meeting.version, 5) == meeting.version + 3
    watcher.stop()


def test_a_quiet_wait_ends_with_the_same_version(app, make_poll):
    meeting = make_poll().item.meeting
    watcher = live.VersionWatcher(db.engine)
    assert watcher.wait(meeting.display_token, meeting.version, 0.3) == meeting.version
    watcher.stop()


def test_stopping_ends_every_wait_at_once(app, make_poll):
    meeting = make_poll().item.meeting
    watcher = live.VersionWatcher(db.engine)
    ended = []
    waiting = threading.Thread(target=lambda: ended.append(
        watcher.wait(meeting.display_token, meeting.version, 30)))
    waiting.start()
    time.sleep(0.2)
    started = time.monotonic()
    watcher.stop()
    waiting.join(timeout=5)
    assert ended == [meeting.version] and time.monotonic() - started < 1


def test_the_event_stream_sends_the_display_then_each_change(live_server, make_poll, committed):
    poll = make_poll()
    token = poll.item.meeting.display_token
    versions = []
    with requests.get(f"{live_server}/vote/tv/{token}/events", stream=True, timeout=20) as stream:
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        lines = stream.iter_lines(decode_unicode=True)
        for line in lines:
            if found := VERSION.search(line or ""):
                versions.append(int(found.group(1)))
                break
        # A +1 committed elsewhere (this test's own connection, as another worker would).
        services.tap_hand(poll.id, poll.options[0].id)
        db.session.commit()
        tapped = time.monotonic()
        for line in lines:
            if found := VERSION.search(line or ""):
                versions.append(int(found.group(1)))
                break
        assert time.monotonic() - tapped < 2
    assert versions[1] > versions[0]


def test_sse_events_carry_every_line_of_the_html():
    event = live.sse_event("display", "<div>\n  <p>赞成 3 票</p>\n</div>")
    assert event == "event: display\ndata: <div>\ndata:   <p>赞成 3 票</p>\ndata: </div>\n\n"
