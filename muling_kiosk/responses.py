"""The one place that reads the HX-* request headers and writes the htmx response headers."""

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
    """A same-site path to go back to after a small write (language, reset); never off-site."""
    target = request.form.get("next") or request.args.get("next") or ""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default
