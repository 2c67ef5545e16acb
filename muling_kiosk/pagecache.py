"""A small cache of rendered public pages (kiosk home, class list, public board).

Rendering a localized page costs several milliseconds of Jinja and gettext; the same few
pages are asked for again and again by the tablet and the phones. A page is kept only when it
belongs to nobody: a GET whose session holds nothing but the browser's CSRF secret (no staff,
no resident's draft, no message to show) and whose render drew no one-off request key. The
CSRF token in a kept page is replaced by a placeholder and filled in again for each visitor.

A kept page is dropped by any committed write in this process (the generation below) and after
PAGE_CACHE_SECONDS in any case: time moves pages on (today's classes), and with several worker
processes (PostgreSQL) a write in another process shows within that time. A request with
`Cache-Control: no-cache` (a browser's hard reload, the benchmarks' raw render) bypasses it.
"""

import itertools
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from flask import Response, current_app, g, request, session
from flask import make_response as flask_make_response
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf
from sqlalchemy import event
from sqlalchemy.orm import Session

from .i18n import LANG_COOKIE
from .kiosk_state import LARGE_TEXT_COOKIE, SESSION_KEYS_OF_NOBODY

PLACEHOLDER = "\x00csrf\x00"
MAX_PAGES = 256
# Request headers a page may depend on (htmx asks for fragments of the same URL).
VARY_HEADERS = ("HX-Request", "HX-Target", "HX-Trigger", "HX-Boosted",
                "HX-History-Restore-Request")

_generation = itertools.count(1)
_current_generation = 0


@dataclass(frozen=True)
class _Page:
    generation: int
    expires: float
    body: str
    status: int
    headers: list[tuple[str, str]]


class PageCache:
    def __init__(self, seconds: float):
        self.seconds = seconds
        self._pages: OrderedDict[tuple, _Page] = OrderedDict()
        self._lock = threading.Lock()
        self._rendering: dict[tuple, threading.Lock] = {}
        # Cookies a page depends on beyond the language and 大字 (vary_on_cookie).
        self.cookies: list[str] = []

    def get(self, key: tuple) -> _Page | None:
        with self._lock:
            page = self._pages.get(key)
            if page is None:
                return None
            if page.generation != _current_generation or page.expires <= time.monotonic():
                del self._pages[key]
                return None
            self._pages.move_to_end(key)
            return page

    def put(self, key: tuple, page: _Page) -> None:
        with self._lock:
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > MAX_PAGES:
                self._pages.popitem(last=False)

    def render_lock(self, key: tuple) -> threading.Lock:
        """One render per page at a time: when a kept page expires under load, the other
        requests for it wait for that render instead of all rendering the same page."""
        with self._lock:
            return self._rendering.setdefault(key, threading.Lock())

    def rendered(self, key: tuple) -> None:
        with self._lock:
            self._rendering.pop(key, None)


def init_app(app) -> None:
    app.extensions["page_cache"] = PageCache(app.config["PAGE_CACHE_SECONDS"])


def vary_on_cookie(app, name: str) -> None:
    """Pages depend on this cookie too (e.g. which community a device sees): a kept page is
    given only to browsers that send the same value."""
    app.extensions["page_cache"].cookies.append(name)


def forbid() -> None:
    """This render holds something of one visitor (e.g. a one-off request key): never keep it."""
    g.page_cache_forbidden = True


def cached_page(render: Callable[[], object]) -> Response:
    """The response of render(), kept for the next visitor when the page belongs to nobody."""
    cache: PageCache = current_app.extensions["page_cache"]
    if cache.seconds <= 0 or not _belongs_to_nobody():
        return flask_make_response(render())
    key = _key(cache)
    page = cache.get(key)
    if page is None:
        with cache.render_lock(key):
            page = cache.get(key)  # rendered meanwhile by the request this one waited for
            if page is None:
                try:
                    return _render_and_keep(cache, key, render)
                finally:
                    cache.rendered(key)
    g.page_cache_hit = True
    return Response(page.body.replace(PLACEHOLDER, generate_csrf()), page.status, page.headers)


def _render_and_keep(cache: PageCache, key: tuple, render: Callable[[], object]) -> Response:
    generation = _current_generation  # before rendering: a write meanwhile makes it stale
    response = flask_make_response(render())
    if (response.status_code == 200 and response.mimetype == "text/html"
            and not response.direct_passthrough and not g.get("page_cache_forbidden")
            and _belongs_to_nobody()):
        body = response.get_data(as_text=True).replace(generate_csrf(), PLACEHOLDER)
        headers = [(k, v) for k, v in response.headers.items()
                   if k not in ("Content-Length", "Set-Cookie")]
        cache.put(key, _Page(generation, time.monotonic() + cache.seconds, body,
                             response.status_code, headers))
    return response


def _belongs_to_nobody() -> bool:
    return (request.method == "GET"
            and "no-cache" not in request.headers.get("Cache-Control", "")
            and set(session.keys()) <= SESSION_KEYS_OF_NOBODY)


def _key(cache: PageCache) -> tuple:
    return (request.full_path, str(get_locale()), request.cookies.get(LANG_COOKIE),
            LARGE_TEXT_COOKIE in request.cookies,
            *(request.headers.get(name) for name in VARY_HEADERS),
            *(tuple(request.cookies.getlist(name)) for name in cache.cookies))


# ---------- the generation: any committed write drops every kept page ----------


def _bump() -> None:
    global _current_generation
    _current_generation = next(_generation)


@event.listens_for(Session, "after_flush")
def _flushed(session, flush_context) -> None:
    session.info["page_cache_wrote"] = True


@event.listens_for(Session, "do_orm_execute")
def _executed(state) -> None:
    # UPDATE/INSERT/DELETE statements and raw SQL do not go through a flush.
    if not state.is_select:
        state.session.info["page_cache_wrote"] = True


@event.listens_for(Session, "after_commit")
def _committed(session) -> None:
    if session.info.pop("page_cache_wrote", False):
        _bump()
