"""How the TV display follows the meeting: server-sent events, fed by a version watcher.

Each TV keeps one event stream open (display_events, which views/tv.py returns). Each server
process has one watcher thread: while streams wait, it reads the versions of the meetings they
show from the database ten times a second — one small query for all of them — and wakes the
streams of a meeting whose version moved. The database stays the only truth: a tap served by
another process is seen the same way. The rendered display of a (meeting, version, language)
is kept briefly, so two hundred displays woken by one change cost one render.

(Measured in bench/README.md against the first mechanism, a display asking every second,
and against long polling, which woke every display with a whole request each time.)

An open stream holds one of the server's threads. StreamSlots caps them per meeting and per
client address (TV_STREAMS_PER_MEETING, TV_STREAMS_PER_ADDRESS), counted in each server
process: with W worker processes a meeting may hold up to W × the cap. A display beyond a cap
gets the display now and `retry:` in a short answer that ends at once, so its browser asks
again after REFUSED_RETRY_SECONDS: it follows the meeting a few seconds late instead of
holding a thread.
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator

from sqlalchemy import select

from ..extensions import db
from .models import Meeting

POLL_INTERVAL = 0.1  # seconds between the watcher's reads while someone waits
KEEPALIVE_SECONDS = 20  # a quiet stream sends a comment this often
STREAM_SECONDS = 300  # then the stream ends and the browser opens a new one
IDLE_EXIT_SECONDS = 30  # the watcher thread ends when nobody has waited for this long
REFUSED_RETRY_SECONDS = 5  # a display beyond a cap asks again this often


class StreamSlots:
    """The open event streams of this process, by meeting and by client address.
    take() gives a release function, or None when a cap is reached (0: no cap). A stream
    whose TV went away is noticed at its next write (a keep-alive at most), then released."""

    def __init__(self, per_meeting: int, per_address: int):
        self.per_meeting, self.per_address = per_meeting, per_address
        self.meetings: dict[str, int] = {}
        self.addresses: dict[str, int] = {}
        self.lock = threading.Lock()

    def take(self, token: str, address: str) -> Callable[[], None] | None:
        with self.lock:
            if (self.per_meeting and self.meetings.get(token, 0) >= self.per_meeting) or (
                    self.per_address and self.addresses.get(address, 0) >= self.per_address):
                return None
            self.meetings[token] = self.meetings.get(token, 0) + 1
            self.addresses[address] = self.addresses.get(address, 0) + 1
        released = []

        def release() -> None:
            with self.lock:
                if released:  # once, however many times the server closes the response
                    return
                released.append(True)
                for counts, key in ((self.meetings, token), (self.addresses, address)):
                    counts[key] -= 1
                    if not counts[key]:
                        del counts[key]

        return release


class VersionWatcher:
    def __init__(self, engine):
        self.engine = engine
        self.stopping = threading.Event()
        self.changed = threading.Condition()
        self.versions: dict[str, int] = {}
        self.waiting: dict[str, int] = {}  # display token → number of requests waiting
        self.thread: threading.Thread | None = None

    def wait(self, token: str, known: int, timeout: float = KEEPALIVE_SECONDS) -> int:
        """The meeting's version once it is no longer `known`, or `known` after `timeout`."""
        deadline = time.monotonic() + timeout
        with self.changed:
            self.waiting[token] = self.waiting.get(token, 0) + 1
            # Versions only grow: a caller that knows a newer one than we do teaches us;
            # one that knows an older one is answered at once.
            self.versions[token] = max(self.versions.get(token, known), known)
            self._start()
            try:
                while self.versions.get(token, known) == known:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0 or self.stopping.is_set():
                        return known
                    self.changed.wait(remaining)
                return self.versions[token]
            finally:
                self.waiting[token] -= 1
                if not self.waiting[token]:
                    del self.waiting[token]

    def stop(self) -> None:
        """End every wait and the thread: the app is shutting down."""
        self.stopping.set()
        with self.changed:
            self.changed.notify_all()
        if self.thread is not None:
            self.thread.join(timeout=2)

    def _start(self) -> None:
        if self.thread is None or not self.thread.is_alive():
            self.thread = threading.Thread(target=self._run, name="tv-version-watcher",
                                           daemon=True)
            self.thread.start()

    def _run(self) -> None:
        idle_since = time.monotonic()
        while not self.stopping.is_set():
            with self.changed:
                tokens = list(self.waiting)
                if not tokens and time.monotonic() - idle_since > IDLE_EXIT_SECONDS:
                    self.thread = None  # the next wait starts a new one
                    return
            if not tokens:
                time.sleep(POLL_INTERVAL)
                continue
            idle_since = time.monotonic()
            try:
                with self.engine.connect() as connection:
                    rows = connection.execute(
                        select(Meeting.display_token, Meeting.version)
                        .where(Meeting.display_token.in_(tokens))).all()
            except Exception:  # a busy database: try again next round
                rows = []
            with self.changed:
                moved = False
                for token, version in rows:
                    if self.versions.get(token) != version:
                        self.versions[token] = version
                        moved = True
                if moved:
                    self.changed.notify_all()
            time.sleep(POLL_INTERVAL)


class RenderCache:
    """The last few rendered displays, by (token, version, language). Single-flight: when
    two hundred streams wake for the same change, one renders and the others wait for it."""

    def __init__(self, size: int = 64):
        self.size = size
        self.items: OrderedDict = OrderedDict()
        self.rendering: dict = {}  # key → Event set when its render is stored
        self.lock = threading.Lock()

    def get_or_render(self, key, render):
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
            done = self.rendering.get(key)
            mine = done is None
            if mine:
                done = self.rendering[key] = threading.Event()
        if not mine:
            done.wait(timeout=10)
            with self.lock:
                if key in self.items:
                    return self.items[key]
            return render()  # the first render failed: do it here
        try:
            html = render()
            with self.lock:
                self.items[key] = html
                while len(self.items) > self.size:
                    self.items.popitem(last=False)
            return html
        finally:
            with self.lock:
                self.rendering.pop(key, None)
            done.set()


def watcher_for(app) -> VersionWatcher:
    """The process's watcher for this app (created on first use)."""
    state = app.extensions.setdefault("muling_tv", {})
    if "watcher" not in state:
        with app.extensions.setdefault("muling_tv_lock", threading.Lock()):
            if "watcher" not in state:
                state["watcher"] = VersionWatcher(db.engine)
                state["renders"] = RenderCache()
                state["slots"] = StreamSlots(app.config["TV_STREAMS_PER_MEETING"],
                                             app.config["TV_STREAMS_PER_ADDRESS"])
    return state["watcher"]


def stop(app) -> None:
    """Stop this app's watcher; the event streams waiting on it end at once."""
    state = app.extensions.get("muling_tv", {})
    if "watcher" in state:
        state["watcher"].stop()


def render_cache_for(app) -> RenderCache:
    watcher_for(app)
    return app.extensions["muling_tv"]["renders"]


def slots_for(app) -> StreamSlots:
    watcher_for(app)
    return app.extensions["muling_tv"]["slots"]


def sse_event(name: str, html: str) -> str:
    """One server-sent event; every line of the HTML becomes a data line."""
    lines = "".join(f"data: {line}\n" for line in html.splitlines() or [""])
    return f"event: {name}\n{lines}\n"


def display_events(app, token: str, version: int, locale: str,
                   render: Callable[[], str]) -> Iterator[str]:
    """The TV's event stream: the display now (at `version`), then the new display at each
    change of the meeting, for STREAM_SECONDS (then the browser reconnects by itself).
    render() draws the meeting's display as it is; a change costs one render per process and
    language, however many displays follow it."""
    watcher, renders = watcher_for(app), render_cache_for(app)

    def body(at_version: int) -> str:
        html = renders.get_or_render((token, at_version, locale), render)
        db.session.remove()  # hold no database connection between events
        return html

    shown = version
    yield "retry: 2000\n" + sse_event("display", body(shown))
    ends = time.monotonic() + STREAM_SECONDS
    while time.monotonic() < ends and not watcher.stopping.is_set():
        latest = watcher.wait(token, shown, timeout=KEEPALIVE_SECONDS)
        if latest == shown:
            yield ": still here\n\n"  # keeps proxies from closing a quiet stream
            continue
        shown = latest
        yield sse_event("display", body(shown))


def refused_events(app, token: str, version: int, locale: str, render: Callable[[], str]) -> str:
    """The whole answer to a display beyond a cap: the display now, and when to ask again."""
    html = render_cache_for(app).get_or_render((token, version, locale), render)
    return f"retry: {REFUSED_RETRY_SECONDS * 1000}\n" + sse_event("display", html)
