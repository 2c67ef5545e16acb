"""Security headers on every response, and a session cookie that is Secure over https."""

from flask import request
from flask.sessions import SecureCookieSessionInterface

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "connect-src 'self'",
    "font-src 'self'",
    "media-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


# Responses a browser may show as a document: the policies below apply to them. Scripts,
# styles, photos and downloads need only nosniff (the page weight counts every header).
DOCUMENTS = ("text/html", "image/svg+xml")


def add_security_headers(response):
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    if response.mimetype in DOCUMENTS or not response.mimetype:
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Permissions-Policy", "geolocation=(), microphone=(), camera=(self)")
    if response.mimetype == "text/html":
        # The shared tablet must never show the previous person's page from a cache,
        # including the back/forward cache.
        headers["Cache-Control"] = "no-store"
    if request.is_secure:
        # Reached over https (directly, or through a trusted proxy: PROXY_COUNT): browsers
        # keep to https for a year, so the station Wi-Fi cannot downgrade the next visit.
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


class SessionInterface(SecureCookieSessionInterface):
    """The session cookie is Secure whenever the request came over https (or config says)."""

    def get_cookie_secure(self, app) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure
