"""The one place that reads the HX-* request headers and writes the htmx response headers."""

import unicodedata
from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request
from flask import make_response as flask_make_response
from flask_htmx import make_response as htmx_response

from .extensions import htmx


def wants_fragment() -> bool:
    """An htmx request wants a fragment, unless it restores history (it needs the page)."""
    return bool(htmx) and not htmx.history_restore_request


def page_or_fragment(page: str, fragment: str, status: int = 200, **context):
    """The same URL renders the full page, or for htmx the fragment the page includes."""
    template = fragment if wants_fragment() else page
    response = flask_make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response


def go_to(url: str, message: str | None = None):
    """After a write that leads to another screen: a whole new page. htmx is told to load it
    (HX-Redirect), a plain form gets a 303. A full load, not an HX-Location swap, because a new
    kiosk screen must also reset the scroll, the focus, the title and the idle timer.
    The message is announced in the new page's status region."""
    if message:
        flash(message)
    if htmx:
        return htmx_response("", 204, redirect=url)
    return redirect(url, 303)


def fragment(template: str, status: int = 200, trigger: str | dict | None = None,
             retarget: str | None = None, reswap: str | None = None, **context):
    """A fragment with optional htmx event, target and swap overrides."""
    return htmx_response(render_template(template, **context), status,
                         trigger=trigger, retarget=retarget, reswap=reswap)


def safe_next(default: str) -> str:
    """A same-site path to go back to after a small write (language, reset, signing in);
    never off-site, never a header the server cannot send."""
    target = request.form.get("next") or request.args.get("next") or ""
    return target if is_local_path(target) else default


def is_local_path(target: str) -> bool:
    """A path on this site as a browser would read it. Browsers drop tabs and newlines from a
    URL and read a backslash as a slash, so `/<tab>/evil.example` becomes `//evil.example`,
    another site: a target with whitespace, control or format characters or a backslash is
    refused outright (a real path of ours has none: they arrive percent-encoded), and what
    is left must have no scheme and no host and start with one slash."""
    if not target or len(target) > 2000 or "\\" in target:
        return False
    if any(ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp")
           for ch in target):
        return False
    try:
        parts = urlsplit(target)
    except ValueError:
        return False
    return (not parts.scheme and not parts.netloc and target.startswith("/")
            and not target.startswith("//"))
