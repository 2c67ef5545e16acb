"""Every route, called as every kind of visitor, answers as its declaration says.

Each route declares @public or @staff_only(roles) (muling_kiosk/access.py). This test walks
app.url_map and calls every route as: anonymous, volunteer, facilitator, admin of the
kiosk's community, and the admin of another community; then compares with the declaration:

- public: nobody is refused or sent to sign in;
- staff: anonymous is sent to sign in, a role not declared gets 403, a declared role is let in;
  the other community's admin gets 404 where the URL names a record, else is let in.

A route whose URL has a variable needs a sample record (SAMPLES below): a new feature adds
its own, and the test fails until it does.
"""

from dataclasses import dataclass

import pytest
from flask import Blueprint

from muling_kiosk.access import rule_for

from . import factories_signups, factories_stations, factories_suggestions, factories_votes

VISITORS = ("anonymous", "volunteer", "facilitator", "admin", "other_admin")


@dataclass
class World:
    """What a sample needs: the kiosk's community, its staff, another community, and the
    test's fixtures (world.fixture("make_class_session") returns that factory)."""

    community: object
    other: object
    staff: dict
    make_staff: object
    request: object

    def fixture(self, name):
        return self.request.getfixturevalue(name)


# URL variable → a function making a record of the kiosk's community for that variable.
# Each feature adds its own in tests/factories_<feature>.py (ROUTE_SAMPLES).
SAMPLES = {
    "staff_id": lambda world: world.make_staff("volunteer").id,
    "community_id": lambda world: world.community.id,
    **factories_signups.ROUTE_SAMPLES,
    **factories_votes.ROUTE_SAMPLES,
    **factories_suggestions.ROUTE_SAMPLES,
    **factories_stations.ROUTE_SAMPLES,
}


@pytest.fixture
def world(request, make_community, community, make_staff):
    other = make_community("yonghe-test", "永和社区")
    staff = {
        "volunteer": make_staff("volunteer"),
        "facilitator": make_staff("facilitator"),
        "admin": make_staff("admin"),
        "other_admin": make_staff("admin", community=other),
    }
    return World(community, other, staff, make_staff, request)


def _is_sign_in_redirect(response) -> bool:
    location = response.headers.get("Location", "") or response.headers.get("HX-Redirect", "")
    return response.status_code in (204, 302, 303) and "next=" in location and (
        location.startswith("/staff/login") or location.startswith("/unlock"))


def call_every_route(app, world, sign_in, only=None):
    """The mismatches between what each route answered and what it declares."""
    problems = []
    for url_rule in app.url_map.iter_rules():
        if url_rule.endpoint == "static" or (only and url_rule.endpoint not in only):
            continue
        rule = rule_for(url_rule.endpoint)
        if rule is None:
            problems.append(f"{url_rule.rule}: declares no access rule")
            continue
        missing = [v for v in url_rule.arguments if v not in SAMPLES]
        if missing:
            problems.append(f"{url_rule.rule}: add a sample for {missing} to SAMPLES")
            continue
        method = "GET" if "GET" in url_rule.methods else "POST"
        for visitor in VISITORS:
            values = {name: SAMPLES[name](world) for name in url_rule.arguments}
            url = _build(app, url_rule, values)
            client = app.test_client()
            if visitor != "anonymous":
                sign_in(client, world.staff[visitor])
            response = client.get(url) if method == "GET" else client.post_form(url, {})
            problem = _judge(rule, visitor, bool(url_rule.arguments), response)
            if problem:
                problems.append(f"{method} {url} as {visitor}: {problem} "
                                f"(got {response.status_code})")
    return problems


def _build(app, url_rule, values):
    with app.test_request_context():
        from flask import url_for

        return url_for(url_rule.endpoint, **values)


def _judge(rule, visitor, names_a_record, response) -> str | None:
    refused = response.status_code == 403
    signing_in = _is_sign_in_redirect(response)
    if rule.is_public:
        return "a public route refused" if refused or signing_in else None
    if visitor == "anonymous":
        return None if signing_in else "should send to sign in"
    role = "admin" if visitor == "other_admin" else visitor
    # Every visitor here holds one community: a subdistrict-only route refuses them all
    # (tests/test_communities.py lets the subdistrict admin in).
    if role not in rule.roles or rule.subdistrict:
        return None if refused else "should be 403"
    if refused or signing_in:
        return "should let this role in"
    if visitor == "other_admin" and names_a_record and response.status_code != 404:
        return "another community's record should be 404"
    if response.status_code >= 500:
        return "server error"
    return None


def test_every_route_answers_every_visitor_as_declared(app, world, sign_in):
    assert call_every_route(app, world, sign_in) == []


def test_a_route_without_a_declaration_fails_the_walk(app, world, sign_in):
    bp = Blueprint("forgotten", __name__)

    @bp.get("/forgotten")
    def forgotten():  # no @public, no @staff_only
        return "secret"

    app.register_blueprint(bp)
    problems = call_every_route(app, world, sign_in, only={"forgotten.forgotten"})
    assert problems == ["/forgotten: declares no access rule"]
    assert app.test_client().get("/forgotten").status_code == 403


def test_a_record_route_that_forgets_the_community_check_fails_the_walk(app, world, sign_in):
    """Declared admin-only and names a record, but shows any community's record."""
    from muling_kiosk.access import staff_only

    bp = Blueprint("careless", __name__)

    @bp.get("/careless/<int:staff_id>")
    @staff_only("admin")
    def careless(staff_id):
        return "shown to any admin"

    app.register_blueprint(bp)
    problems = call_every_route(app, world, sign_in, only={"careless.careless"})
    assert len(problems) == 1
    assert "as other_admin: another community's record should be 404" in problems[0]
