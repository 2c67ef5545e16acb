"""Junk sent to every route answers something a person can read, never a 500 (issue 13).

For every route in app.url_map, with each method it takes, as an anonymous visitor and as
the community's admin: every field name the code reads or a template sends is set to a
nasty value (long, control characters, huge numbers, bad dates, bad ids, other scripts'
digits, markup), rotating the values so each field meets each one; then the URL's own
variables get nasty values too. A deterministic list: the same junk on every run.
"""

import re
from pathlib import Path
from urllib.parse import quote

import pytest

from muling_kiosk.access import rule_for

from .test_access import SAMPLES, World

ROOT = Path(__file__).resolve().parent.parent
NASTY = [
    "x" * 5000,
    "\x00\x01\x1b[31m\x7f",
    "/\t/evil.example\r\nSet-Cookie: a=b",
    "-1",
    "99999999999999999999999999",
    "1e309",
    "9999-12-31",
    "2026-02-30",
    "١٢٣٤٥٦",  # Arabic-Indic digits: isdigit(), but not what int() of ours expects
    "１３８１２３４５６７８",
    "<script>alert(1)</script>' OR 1=1 --\"&",
    "😀\u202e\u200b𝟘../../etc/passwd",
]
# Field names the code reads without naming them in a template, or builds from a variable.
EXTRA_FIELDS = {"phone", "digits", "number", "people", "seats", "text", "id", "session_id",
                "poll_id", "item_id", "suggestion_id", "location_id", "course_id", "limit",
                "sort", "order", "format", "kind", "day", "date", "time", "starts_at"}
URL_NASTY = ["0", "-1", str(2 ** 63), str(2 ** 70), "x" * 300, "\x00", "１", "😀"]


def field_names() -> list[str]:
    """Every field the code reads (form/args .get, getlist, [...]) or a template sends."""
    names = set(EXTRA_FIELDS)
    code = re.compile(r"""(?:form|args|values)(?:\.get|\.getlist|\.get_all)?[(\[]\s*["']"""
                      r"""([a-z_0-9]+)["']""")
    for path in (ROOT / "muling_kiosk").rglob("*.py"):
        names.update(code.findall(path.read_text(encoding="utf-8")))
    sent = re.compile(r"""name=["']([a-z_0-9]+)["']""")
    for path in (ROOT / "templates").rglob("*.html"):
        names.update(sent.findall(path.read_text(encoding="utf-8")))
    names.discard("csrf_token")
    return sorted(names)


@pytest.fixture
def world(request, make_community, community, make_staff):
    other = make_community("yonghe-test", "永和社区")
    staff = {"admin": make_staff("admin"), "other_admin": make_staff("admin", community=other)}
    return World(community, other, staff, make_staff, request)


def _routes(app):
    for url_rule in app.url_map.iter_rules():
        if url_rule.endpoint == "static" or rule_for(url_rule.endpoint) is None:
            continue
        for method in sorted(url_rule.methods & {"GET", "POST"}):
            yield url_rule, method


def _url(app, url_rule, values) -> str:
    from flask import url_for

    with app.test_request_context():
        return url_for(url_rule.endpoint, **values)


def _send(client, method, url, data, token):
    if method == "GET":
        return client.get(url, query_string=data)
    return client.post(url, data={**data, "csrf_token": token})


def _junk_forms(names: list[str]):
    """len(NASTY) forms; field i of form k holds NASTY[(i + k) % len(NASTY)]."""
    for k in range(len(NASTY)):
        yield {name: NASTY[(i + k) % len(NASTY)] for i, name in enumerate(names)}


def _problem(response) -> str | None:
    if response.status_code >= 500:
        return f"answered {response.status_code}"
    return None


@pytest.mark.parametrize("visitor", ["anonymous", "admin"])
def test_junk_in_every_field_of_every_route_never_gives_a_500(app, world, sign_in, visitor):
    app.config["PROPAGATE_EXCEPTIONS"] = True  # a crash is named here with its error
    names = field_names()
    problems = []
    for url_rule, method in _routes(app):
        if any(v not in SAMPLES for v in url_rule.arguments):
            continue  # test_access names the missing sample
        values = {name: SAMPLES[name](world) for name in url_rule.arguments}
        url = _url(app, url_rule, values)
        client = app.test_client()
        if visitor == "admin":
            sign_in(client, world.staff["admin"])
        token = client.csrf_token()
        # A staff route refuses an anonymous visitor before it reads a field: one form.
        forms = list(_junk_forms(names))
        if visitor == "anonymous" and not rule_for(url_rule.endpoint).is_public:
            forms = forms[:1]
        for data in forms:
            try:
                problem = _problem(_send(client, method, url, data, token))
            except Exception as error:
                problem = f"raised {type(error).__name__}: {str(error)[:200]}"
            if problem:
                problems.append(f"{method} {url} as {visitor}: {problem}")
                break
    assert problems == []


@pytest.mark.parametrize("visitor", ["anonymous", "admin"])
def test_junk_in_the_urls_own_parts_never_gives_a_500(app, world, sign_in, visitor):
    """Each variable of a URL in turn gets a nasty value (written into the path as a
    browser would send it, past the converters' own checks), the others a good one."""
    problems = []
    for url_rule, method in _routes(app):
        if not url_rule.arguments or any(v not in SAMPLES for v in url_rule.arguments):
            continue
        good = {name: str(SAMPLES[name](world)) for name in url_rule.arguments}
        client = app.test_client()
        if visitor == "admin":
            sign_in(client, world.staff["admin"])
        token = client.csrf_token()
        for name in sorted(url_rule.arguments):
            for value in URL_NASTY:
                url = _path(url_rule.rule, {**good, name: value})
                try:
                    problem = _problem(_send(client, method, url, {}, token))
                except Exception as error:
                    problem = f"raised {type(error).__name__}: {str(error)[:200]}"
                if problem:
                    problems.append(f"{method} {url[:120]} as {visitor}: {problem}")
    assert problems == []


def _path(rule: str, values: dict) -> str:
    """The rule with each <converter:name> replaced by the value, percent-encoded."""
    return re.sub(r"<(?:[^<>]*:)?([a-z_0-9]+)>",
                  lambda match: quote(values[match.group(1)], safe=""), rule)
