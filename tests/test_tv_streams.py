"""The caps on open TV event streams (votes/live.py StreamSlots), over real HTTP: each open
stream holds a server thread, so a meeting and a client address may each hold only so many;
a display beyond a cap is answered at once with the display and asks again a few seconds
later. The other client addresses are 127.0.0.x: Linux routes all of 127/8 to this host."""

import time

from muling_kiosk.votes import live

from .tv_displays import REFUSED


def test_one_address_holds_at_most_four_streams_and_the_fifth_tv_still_sees_the_display(
        live_server, make_poll, displays):
    tokens = [make_poll(title=f"议事会{n}").item.meeting.display_token for n in range(5)]
    first_four = [displays(live_server, token) for token in tokens[:4]]
    assert all(display.is_open for display in first_four)

    started = time.monotonic()
    fifth = displays(live_server, tokens[4])
    assert fifth.status == 200 and fifth.content_type.startswith("text/event-stream")
    assert fifth.first_event.startswith(REFUSED)  # the browser asks again in 5 s
    assert "event: display" in fifth.first_event and "议事会4" in fifth.first_event
    assert fifth.rest() == ""  # and the answer has ended: it holds no thread
    assert time.monotonic() - started < 5

    # Another address is not held back by this one.
    assert displays(live_server, tokens[4], address="127.0.0.2").is_open


def test_a_meeting_holds_at_most_twenty_streams(live_server, make_poll, displays):
    token = make_poll().item.meeting.display_token
    twenty = [displays(live_server, token, address=f"127.0.0.{n}") for n in range(10, 30)]
    assert all(display.is_open for display in twenty)

    refused = displays(live_server, token, address="127.0.0.30")
    assert refused.first_event.startswith(REFUSED) and "event: display" in refused.first_event
    assert refused.rest() == ""
    # Another meeting's TV, from the same address, gets its stream.
    assert displays(live_server, make_poll(title="另一场").item.meeting.display_token,
                    address="127.0.0.30").is_open


def test_a_closed_tv_frees_its_place(live_server, make_poll, displays, monkeypatch):
    monkeypatch.setattr(live, "KEEPALIVE_SECONDS", 0.3)  # a gone TV is noticed at a write
    token = make_poll().item.meeting.display_token
    four = [displays(live_server, token) for _ in range(4)]
    assert all(display.is_open for display in four)
    assert not displays(live_server, token).is_open

    four[0].close()
    deadline = time.monotonic() + 5
    while not (again := displays(live_server, token)).is_open:
        assert time.monotonic() < deadline, "the closed TV's place was never freed"
        time.sleep(0.2)
    assert again.is_open


def test_the_caps_come_from_the_configuration(make_app, make_poll, live_server):
    app = make_app(TV_STREAMS_PER_MEETING=0, TV_STREAMS_PER_ADDRESS=1)
    slots = live.slots_for(app)
    first = slots.take("meeting", "10.0.0.1")
    assert first is not None and slots.take("meeting", "10.0.0.1") is None
    assert all(slots.take("meeting", f"10.0.1.{n}") for n in range(50))  # 0: no cap
    first()
    first()  # released once, however many times the server closes the response
    assert slots.addresses.get("10.0.0.1") is None and slots.meetings["meeting"] == 50
    live.stop(app)
