"""Access logs without the secrets that travel in URLs.

Some links are their own key: whoever has one reads or writes what it opens (the QR poster's
suggestion form /m/s/<token>, a suggestion's tracking page /m/t/<code>, a phone ballot
/m/v/<token>, the TV display /vote/tv/<token>, and the tracking form's ?code=). An access log
that kept them would hand them to whoever reads the logs, for as long as the logs are kept.
Their secret part becomes "…": the log still says which kind of page was asked for, and how
it went. gunicorn uses RedactingLogger (scripts/serve-production.sh, --logger-class); nginx
does the same with a map (deploy/nginx.conf, "muling_redacted"), tested against this one.
"""

import re

from gunicorn.glogging import Logger

REDACTED = "…"
# The path segment after one of these prefixes is a secret. Slashes may be doubled or
# percent-encoded in a raw request line (the router still finds the page), so both count.
_SLASH = r"(?:/|%2f)+"
SECRET_PATH = re.compile(
    rf"({_SLASH}(?:m{_SLASH}[stv]|vote{_SLASH}tv){_SLASH})[^/?#\s\"]+", re.IGNORECASE)
# Query arguments that carry a code or a token (the tracking form sends ?code=).
SECRET_ARGUMENT = re.compile(r"((?:^|[?&;])(?:code|token)=)[^&;#\s\"]*", re.IGNORECASE)


def redact(text: str) -> str:
    """A URL, a path, a query string or a request line with every secret part replaced."""
    return SECRET_ARGUMENT.sub(rf"\g<1>{REDACTED}", SECRET_PATH.sub(rf"\g<1>{REDACTED}", text))


class RedactingLogger(Logger):
    """gunicorn's logger, whose access log atoms (the request line, the path, the query, the
    referer — a page's own address — and any header or environ value a format may name) are
    redacted. The request line is rebuilt from the decoded path the app routes on, so no
    spelling of a secret link escapes the patterns."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        path = environ.get("PATH_INFO") or "/"
        query = environ.get("QUERY_STRING") or ""
        atoms["r"] = "{} {}{} {}".format(
            environ.get("REQUEST_METHOD", "-"), redact(path),
            "?" + redact(query) if query else "", environ.get("SERVER_PROTOCOL", "-"))
        for key, value in atoms.items():
            if key != "r" and isinstance(value, str):
                atoms[key] = redact(value)
        return atoms
